import { ManifestClosureError, ManifestReferencedError, type ManifestRecord } from '@cargohold/storage-ports';
import type { MetadataFixture } from './metadata-fixture';
import { describeManifestExpectedTagsSpec } from './manifest-expected-tags-contract';
import { describeManifestListWithTagsSpec } from './manifest-list-with-tags-contract';
import { describeManifestStorageClassSpec } from './manifest-storage-class-contract';
import { describeManifestTagConditionSpec } from './manifest-tag-condition-contract';
import { at, digestFor, indexRecord, manifestRecord, putLinked, repoRef, T0 } from './metadata-fixture';

const app = repoRef('app');

/** ManifestStore: records, atomic tag moves, reference-checked deletes, referrers. */
export function describeManifestStoreSpec(fixture: () => MetadataFixture): void {
  describe('ManifestStore', () => {
    beforeEach(async () => {
      await fixture().repositories.create(app, T0);
    });

    describe('put and get', () => {
      it('round-trips every field of a record', async () => {
        const { manifests } = fixture();
        const record: ManifestRecord = manifestRecord('full', {
          artifactType: 'application/vnd.example.sbom',
          subject: digestFor('subject'),
          annotations: { 'org.opencontainers.image.created': '2025-01-01', b: '', a: 'x' },
          blobs: [digestFor('z'), digestFor('a'), digestFor('z')],
          configMediaType: 'application/vnd.oci.image.config.v1+json',
          // beyond 32 bits: ECR reports multi-gigabyte images
          imageSizeBytes: 12_345_678_901,
        });
        await putLinked(fixture(), app, record, []);
        expect(await manifests.get(app, record.digest)).toEqual(record);
      });

      it('round-trips an index: no configMediaType, its own imageSizeBytes', async () => {
        const { manifests } = fixture();
        const child = manifestRecord('child', { configMediaType: 'application/vnd.oci.image.config.v1+json' });
        const index = indexRecord('index', [child]);
        await putLinked(fixture(), app, child, []);
        await putLinked(fixture(), app, { ...index, imageSizeBytes: 0 }, []);
        const got = await manifests.get(app, index.digest);
        expect(got).toEqual({ ...index, imageSizeBytes: 0 });
        expect(got?.configMediaType).toBeUndefined();
        expect((await manifests.get(app, child.digest))?.configMediaType).toBe('application/vnd.oci.image.config.v1+json');
      });

      it('answers undefined for an unknown digest, scoped by repository', async () => {
        const { manifests, repositories } = fixture();
        await repositories.create(repoRef('other'), T0);
        await putLinked(fixture(), repoRef('other'), manifestRecord('m1'), []);
        expect(await manifests.get(app, digestFor('m1'))).toBeUndefined();
      });

      it('is idempotent by digest: an existing record keeps its pushedAt', async () => {
        const { manifests } = fixture();
        await putLinked(fixture(), app, manifestRecord('m1'), []);
        await putLinked(fixture(), app, manifestRecord('m1', { pushedAt: at(60) }), ['v2']);
        expect((await manifests.get(app, digestFor('m1')))?.pushedAt).toEqual(T0);
        expect(await manifests.resolveTag(app, 'v2')).toBe(digestFor('m1'));
      });

      it('points each tag at the manifest and returns the previous digest of every moved tag', async () => {
        const { manifests } = fixture();
        await expect(putLinked(fixture(), app, manifestRecord('m1'), ['latest', 'v1'])).resolves.toEqual({ previous: {} });
        const moved = await putLinked(fixture(), app, manifestRecord('m2'), ['latest', 'v2']);
        expect(moved).toEqual({ previous: { latest: digestFor('m1') } });
        const same = await putLinked(fixture(), app, manifestRecord('m2'), ['latest']);
        expect(same).toEqual({ previous: {} });
        expect(await manifests.resolveTag(app, 'latest')).toBe(digestFor('m2'));
        expect(await manifests.resolveTag(app, 'v1')).toBe(digestFor('m1'));
        expect(await manifests.get(app, digestFor('m1'))).toBeDefined();
      });

      it('moves tags atomically: concurrent readers see the old or the new digest, never none', async () => {
        const { manifests } = fixture();
        const tags = Array.from({ length: 20 }, (_, i) => `t${i}`);
        await putLinked(fixture(), app, manifestRecord('old'), tags);
        const reads: Promise<string | undefined>[] = [];
        const write = putLinked(fixture(), app, manifestRecord('new'), tags);
        for (let i = 0; i < 50; i++) reads.push(manifests.resolveTag(app, tags[i % tags.length] as string));
        await write;
        for (const seen of await Promise.all(reads)) expect([digestFor('old'), digestFor('new')]).toContain(seen);
        for (const tag of tags) expect(await manifests.resolveTag(app, tag)).toBe(digestFor('new'));
      });

      it('records lastPulledAt with recordPull, and ignores unknown digests', async () => {
        const { manifests } = fixture();
        await putLinked(fixture(), app, manifestRecord('m1'), []);
        expect((await manifests.get(app, digestFor('m1')))?.lastPulledAt).toBeUndefined();
        await manifests.recordPull(app, digestFor('m1'), at(5));
        expect((await manifests.get(app, digestFor('m1')))?.lastPulledAt).toEqual(at(5));
        await manifests.recordPull(app, digestFor('m1'), at(9));
        expect((await manifests.get(app, digestFor('m1')))?.lastPulledAt).toEqual(at(9));
        await expect(manifests.recordPull(app, digestFor('nope'), at(5))).resolves.toBeUndefined();
        expect(await manifests.get(app, digestFor('nope'))).toBeUndefined();
      });

      it('keeps the later time when pulls are recorded out of order', async () => {
        const { manifests } = fixture();
        await putLinked(fixture(), app, manifestRecord('m1'), []);
        await manifests.recordPull(app, digestFor('m1'), at(9));
        await manifests.recordPull(app, digestFor('m1'), at(5));
        expect((await manifests.get(app, digestFor('m1')))?.lastPulledAt).toEqual(at(9));
        await manifests.recordPull(app, digestFor('m1'), at(9));
        await manifests.recordPull(app, digestFor('m1'), at(12));
        expect((await manifests.get(app, digestFor('m1')))?.lastPulledAt).toEqual(at(12));
      });
    });

    describe('closure (invariant 3)', () => {
      it('refuses an index whose child is not a manifest of the repository: nothing recorded, no tag moved', async () => {
        const { manifests, repositories } = fixture();
        const child = manifestRecord('child');
        const other = repoRef('other');
        await repositories.create(other, T0);
        await putLinked(fixture(), other, child, []);
        await putLinked(fixture(), app, manifestRecord('old'), ['latest']);
        const index = indexRecord('index', [child]);

        const error = await manifests.put(app, index, ['latest', 'new']).catch((e: unknown) => e);
        expect(error).toBeInstanceOf(ManifestClosureError);
        expect(error).toMatchObject({ code: 'MANIFEST_BLOB_UNKNOWN', status: 400, detail: { digest: child.digest } });
        expect(await manifests.get(app, index.digest)).toBeUndefined();
        expect(await manifests.resolveTag(app, 'latest')).toBe(digestFor('old'));
        expect(await manifests.resolveTag(app, 'new')).toBeUndefined();

        await putLinked(fixture(), app, child, []);
        await manifests.put(app, index, ['latest']);
        expect(await manifests.resolveTag(app, 'latest')).toBe(index.digest);
      });

      it('refuses a child deleted before the put, and does not keep it from being pushed and deleted again', async () => {
        const { manifests } = fixture();
        const child = manifestRecord('child');
        await putLinked(fixture(), app, child, []);
        expect(await manifests.delete(app, child.digest)).toBe(true);
        await expect(manifests.put(app, indexRecord('index', [manifestRecord('child')]), ['multi'])).rejects.toBeInstanceOf(ManifestClosureError);
        expect(await manifests.resolveTag(app, 'multi')).toBeUndefined();
        await putLinked(fixture(), app, child, []);
        expect(await manifests.delete(app, child.digest)).toBe(true);
      });

      it('refuses a manifest with a blob not linked in the repository: nothing recorded, no tag moved', async () => {
        const { manifests, links, repositories } = fixture();
        const record = manifestRecord('m1');
        const [config, layer] = record.blobs as [ManifestRecord['digest'], ManifestRecord['digest']];
        await putLinked(fixture(), app, manifestRecord('old'), ['latest']);
        await links.link(app, config, 1, T0);
        await repositories.create(repoRef('other'), T0);
        await links.link(repoRef('other'), layer, 1, T0);

        const error = await manifests.put(app, record, ['latest']).catch((e: unknown) => e);
        expect(error).toBeInstanceOf(ManifestClosureError);
        expect(error).toMatchObject({ code: 'MANIFEST_BLOB_UNKNOWN', status: 400, detail: { digest: layer } });
        expect(await manifests.get(app, record.digest)).toBeUndefined();
        expect(await manifests.resolveTag(app, 'latest')).toBe(digestFor('old'));

        await links.link(app, layer, 1, T0);
        await manifests.put(app, record, ['latest']);
        expect(await manifests.resolveTag(app, 'latest')).toBe(record.digest);
      });
    });

    describe('list', () => {
      it('pages through every manifest, tagged or not, in digest byte order', async () => {
        const { manifests } = fixture();
        const child = manifestRecord('child');
        const records = [manifestRecord('tagged'), manifestRecord('untagged'), child, indexRecord('index', [child])];
        await putLinked(fixture(), app, records[0] as ManifestRecord, ['latest']);
        for (const record of records.slice(1)) await putLinked(fixture(), app, record, []);
        await manifests.deleteTag(app, 'latest');
        await putLinked(fixture(), app, manifestRecord('retagged'), ['latest']);
        records.push(manifestRecord('retagged'));
        const sorted = [...records].sort((a, b) => (a.digest < b.digest ? -1 : 1));

        expect(await manifests.list(app, { limit: 100 })).toEqual(sorted);
        expect(await manifests.list(app, { limit: 2 })).toEqual(sorted.slice(0, 2));
        expect(await manifests.list(app, { last: sorted[1]?.digest, limit: 2 })).toEqual(sorted.slice(2, 4));
        expect(await manifests.list(app, { last: sorted[3]?.digest, limit: 2 })).toEqual(sorted.slice(4));
        expect(await manifests.list(app, { last: sorted[4]?.digest, limit: 2 })).toEqual([]);
      });

      it('pages from a last that names no manifest, and honours limit 0', async () => {
        const { manifests } = fixture();
        const records = ['a', 'b', 'c'].map((label) => manifestRecord(label));
        for (const record of records) await putLinked(fixture(), app, record, []);
        const digests = records.map((r) => r.digest).sort();
        expect((await manifests.list(app, { last: 'sha256:', limit: 10 })).map((r) => r.digest)).toEqual(digests);
        expect((await manifests.list(app, { last: `${digests[0]}~`, limit: 10 })).map((r) => r.digest)).toEqual(digests.slice(1));
        expect(await manifests.list(app, { last: 'sha256:~', limit: 10 })).toEqual([]);
        expect(await manifests.list(app, { limit: 0 })).toEqual([]);
      });

      it('lists the manifests of one repository only', async () => {
        const { manifests, repositories } = fixture();
        const other = repoRef('other');
        await repositories.create(other, T0);
        await putLinked(fixture(), other, manifestRecord('elsewhere'), ['latest']);
        expect(await manifests.list(app, { limit: 10 })).toEqual([]);
        await putLinked(fixture(), app, manifestRecord('here'), []);
        expect(await manifests.list(app, { limit: 10 })).toEqual([manifestRecord('here')]);
        expect(await manifests.list(repoRef('nothing'), { limit: 10 })).toEqual([]);
      });
    });

    describe('tags', () => {
      it('resolves unknown tags to undefined', async () => {
        expect(await fixture().manifests.resolveTag(app, 'latest')).toBeUndefined();
      });

      it('lists tags in byte order with keyset pagination, uppercase before lowercase', async () => {
        const { manifests } = fixture();
        await putLinked(fixture(), app, manifestRecord('m1'), ['b', 'A', 'a', 'v1.0', 'v1-0', '_x']);
        await putLinked(fixture(), app, manifestRecord('m2'), ['B', 'v10']);
        const all = ['A', 'B', '_x', 'a', 'b', 'v1-0', 'v1.0', 'v10'];
        expect(await manifests.listTags(app, { limit: 100 })).toEqual(all);
        expect(await manifests.listTags(app, { limit: 3 })).toEqual(all.slice(0, 3));
        expect(await manifests.listTags(app, { last: '_x', limit: 3 })).toEqual(all.slice(3, 6));
        expect(await manifests.listTags(app, { last: 'v1.0', limit: 3 })).toEqual(['v10']);
        expect(await manifests.listTags(app, { last: 'v10', limit: 3 })).toEqual([]);
        expect(await manifests.listTags(repoRef('other'), { limit: 3 })).toEqual([]);
      });

      it('lists the tags of one digest, sorted', async () => {
        const { manifests } = fixture();
        await putLinked(fixture(), app, manifestRecord('m1'), ['z', 'a', 'M']);
        await putLinked(fixture(), app, manifestRecord('m2'), ['other']);
        expect(await manifests.tagsOf(app, digestFor('m1'))).toEqual(['M', 'a', 'z']);
        expect(await manifests.tagsOf(app, digestFor('nope'))).toEqual([]);
      });

      it('deletes a tag and keeps its manifest', async () => {
        const { manifests } = fixture();
        await putLinked(fixture(), app, manifestRecord('m1'), ['latest']);
        expect(await manifests.deleteTag(app, 'latest')).toBe(true);
        expect(await manifests.resolveTag(app, 'latest')).toBeUndefined();
        expect(await manifests.get(app, digestFor('m1'))).toBeDefined();
        expect(await manifests.deleteTag(app, 'latest')).toBe(false);
      });
    });

    describe('delete', () => {
      it('removes the manifest with every tag on it', async () => {
        const { manifests } = fixture();
        await putLinked(fixture(), app, manifestRecord('m1'), ['a', 'b']);
        await putLinked(fixture(), app, manifestRecord('m2'), ['c']);
        expect(await manifests.delete(app, digestFor('m1'))).toBe(true);
        expect(await manifests.get(app, digestFor('m1'))).toBeUndefined();
        expect(await manifests.listTags(app, { limit: 10 })).toEqual(['c']);
        expect(await manifests.tagsOf(app, digestFor('m1'))).toEqual([]);
      });

      it('answers false when the manifest is absent', async () => {
        expect(await fixture().manifests.delete(app, digestFor('nope'))).toBe(false);
      });

      it('throws ManifestReferencedError for a manifest an index lists, and changes nothing', async () => {
        const { manifests } = fixture();
        const child = manifestRecord('child');
        await putLinked(fixture(), app, child, ['child-tag']);
        await putLinked(fixture(), app, indexRecord('index-b', [child]), ['multi']);
        await putLinked(fixture(), app, indexRecord('index-a', [child]), []);

        const error = await manifests.delete(app, child.digest).catch((e: unknown) => e);
        expect(error).toBeInstanceOf(ManifestReferencedError);
        expect((error as ManifestReferencedError).detail).toEqual({
          digest: child.digest,
          referencedBy: [digestFor('index-a'), digestFor('index-b')].sort(),
        });
        expect(await manifests.get(app, child.digest)).toEqual(child);
        expect(await manifests.resolveTag(app, 'child-tag')).toBe(child.digest);

        await manifests.delete(app, digestFor('index-a'));
        await manifests.delete(app, digestFor('index-b'));
        expect(await manifests.delete(app, child.digest)).toBe(true);
      });

      it('only counts references from the same repository', async () => {
        const { manifests, repositories } = fixture();
        const other = repoRef('other');
        await repositories.create(other, T0);
        const child = manifestRecord('child');
        await putLinked(fixture(), app, child, []);
        await putLinked(fixture(), other, child, []);
        await putLinked(fixture(), other, indexRecord('index', [child]), []);
        expect(await manifests.delete(app, child.digest)).toBe(true);
        expect(await manifests.get(other, child.digest)).toEqual(child);
      });
    });

    describeManifestTagConditionSpec(fixture);
    describeManifestStorageClassSpec(fixture);
    describeManifestExpectedTagsSpec(fixture);
    describeManifestListWithTagsSpec(fixture);

    describe('referrers', () => {
      it('lists the manifests whose subject is the digest, ordered by digest', async () => {
        const { manifests } = fixture();
        const subject = digestFor('subject-that-was-never-pushed');
        const refs = ['sig', 'sbom', 'attestation', 'vex'].map((label) => manifestRecord(label, { subject, artifactType: `application/vnd.example.${label}` }));
        for (const record of refs) await putLinked(fixture(), app, record, []);
        await putLinked(fixture(), app, manifestRecord('unrelated', { subject: digestFor('elsewhere') }), []);
        await putLinked(fixture(), app, manifestRecord('plain'), []);

        const got = await manifests.referrers(app, subject);
        expect(got.map((r) => r.digest)).toEqual(refs.map((r) => r.digest).sort());
        expect(got).toEqual(expect.arrayContaining(refs));
        expect(await manifests.referrers(repoRef('other'), subject)).toEqual([]);
        expect(await manifests.referrers(app, digestFor('nothing'))).toEqual([]);
      });
    });
  });
}
