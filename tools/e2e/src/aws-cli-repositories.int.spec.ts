import { join } from 'node:path';
import { ACCOUNT, REGION, expectServiceError, useAwsCliServer } from './aws-cli-harness';
import { hexOf } from './blobs';
import { describeWithClients } from './clients';
import { MEDIA_TYPES, blobDirOf, buildOciLayout, type BuiltImage } from './images';

/**
 * The real AWS CLI v2 against the cargohold CLI: the ECR control plane through `aws ecr …`:
 * creating, describing, tagging and deleting repositories, and pushing an image through the CLI's
 * layer-upload API.
 * The server, the CLI wrappers and the users come from aws-cli-harness.ts.
 */

jest.setTimeout(180_000);

describeWithClients(['aws'], 'AWS CLI v2 against cargohold', () => {
  const aws = useAwsCliServer();
  const { ecr, ecrError } = aws;

  describe('repositories: create, describe, tags, tag mutability, delete', () => {
    const name = 'team/app';
    const arn = `arn:aws:ecr:${REGION}:${ACCOUNT}:repository/${name}`;
    let created: { repository: Record<string, unknown> };
    let before: number;

    beforeAll(async () => {
      before = Date.now();
      created = await ecr(['create-repository', '--repository-name', name, '--image-tag-mutability', 'IMMUTABLE', '--tags', 'Key=env,Value=dev']);
    });

    it('create-repository returns the repository, with a repositoryUri that is this host', () => {
      expect(created.repository).toEqual({
        repositoryArn: arn,
        registryId: ACCOUNT,
        repositoryName: name,
        repositoryUri: `${aws.host}/${name}`,
        createdAt: expect.any(String),
        imageTagMutability: 'IMMUTABLE',
        imageScanningConfiguration: { scanOnPush: false },
        encryptionConfiguration: { encryptionType: 'AES256' },
      });
      // The CLI v2 prints timestamps as ISO 8601.
      const createdAt = Date.parse(created.repository['createdAt'] as string);
      expect(createdAt).toBeGreaterThanOrEqual(Math.floor(before / 1000) * 1000);
      expect(createdAt).toBeLessThanOrEqual(Date.now());
    });

    it('create-repository again fails with RepositoryAlreadyExistsException', async () => {
      expectServiceError(await ecrError(['create-repository', '--repository-name', name]), 'RepositoryAlreadyExistsException', 'CreateRepository');
    });

    it('describe-repositories shows it, by name and in the full listing', async () => {
      const byName = await ecr<{ repositories: unknown[] }>(['describe-repositories', '--repository-names', name]);
      const all = await ecr<{ repositories: { repositoryName: string }[] }>(['describe-repositories']);

      expect(byName.repositories).toEqual([created.repository]);
      expect(all.repositories.map((r) => r.repositoryName)).toContain(name);
    });

    it('list-tags-for-resource returns the tags given at creation', async () => {
      expect(await ecr(['list-tags-for-resource', '--resource-arn', arn])).toEqual({ tags: [{ Key: 'env', Value: 'dev' }] });
    });

    it('put-image-tag-mutability switches to MUTABLE and back, and describe-repositories follows', async () => {
      const toMutable = await ecr(['put-image-tag-mutability', '--repository-name', name, '--image-tag-mutability', 'MUTABLE']);
      const described = await ecr<{ repositories: { imageTagMutability: string }[] }>(['describe-repositories', '--repository-names', name]);
      const toImmutable = await ecr(['put-image-tag-mutability', '--repository-name', name, '--image-tag-mutability', 'IMMUTABLE']);

      expect(toMutable).toEqual({ registryId: ACCOUNT, repositoryName: name, imageTagMutability: 'MUTABLE' });
      expect(described.repositories[0]?.imageTagMutability).toBe('MUTABLE');
      expect(toImmutable).toEqual({ registryId: ACCOUNT, repositoryName: name, imageTagMutability: 'IMMUTABLE' });
    });

    describe('with an image pushed through the CLI layer-upload API', () => {
      let image: BuiltImage;

      beforeAll(async () => {
        const layout = join(aws.work, 'cli-upload');
        image = await buildOciLayout(layout, { layers: [{ files: [{ path: 'etc/motd', content: 'pushed with aws ecr\n' }] }] });
        for (const blob of [image.config, ...image.layers]) {
          const { uploadId, partSize } = await ecr<{ uploadId: string; partSize: number }>(['initiate-layer-upload', '--repository-name', name]);
          expect(partSize).toBeGreaterThanOrEqual(blob.size);
          const part = await ecr(
            [
              'upload-layer-part',
              ...['--repository-name', name, '--upload-id', uploadId],
              ...['--part-first-byte', '0', '--part-last-byte', String(blob.size - 1)],
              ...['--layer-part-blob', `fileb://${join(blobDirOf(layout), hexOf(blob.digest))}`],
            ],
            {},
          );
          expect(part).toEqual({ registryId: ACCOUNT, repositoryName: name, uploadId, lastByteReceived: blob.size - 1 });
          const completed = await ecr(['complete-layer-upload', '--repository-name', name, '--upload-id', uploadId, '--layer-digests', blob.digest]);
          expect(completed).toEqual({ registryId: ACCOUNT, repositoryName: name, uploadId, layerDigest: blob.digest });
        }
      });

      it('put-image stores the manifest under the tag', async () => {
        const put = await ecr<{ image: Record<string, unknown> }>([
          'put-image',
          ...['--repository-name', name, '--image-tag', 'v1'],
          ...['--image-manifest', image.manifestBytes.toString('utf8'), '--image-manifest-media-type', MEDIA_TYPES.oci.manifest],
        ]);

        expect(put.image).toEqual({
          registryId: ACCOUNT,
          repositoryName: name,
          imageId: { imageDigest: image.manifest.digest, imageTag: 'v1' },
          imageManifest: image.manifestBytes.toString('utf8'),
          imageManifestMediaType: MEDIA_TYPES.oci.manifest,
        });
      });

      it('delete-repository without --force fails with RepositoryNotEmptyException, and the repository stays', async () => {
        const error = await ecrError(['delete-repository', '--repository-name', name]);

        expectServiceError(error, 'RepositoryNotEmptyException', 'DeleteRepository');
        expect((await ecr<{ repositories: unknown[] }>(['describe-repositories', '--repository-names', name])).repositories).toHaveLength(1);
      });

      it('delete-repository --force deletes it with its images', async () => {
        const deleted = await ecr<{ repository: Record<string, unknown> }>(['delete-repository', '--repository-name', name, '--force']);

        expect(deleted.repository).toMatchObject({ repositoryArn: arn, registryId: ACCOUNT, repositoryName: name, repositoryUri: `${aws.host}/${name}` });
        expectServiceError(await ecrError(['describe-repositories', '--repository-names', name]), 'RepositoryNotFoundException', 'DescribeRepositories');
        expectServiceError(await ecrError(['list-images', '--repository-name', name]), 'RepositoryNotFoundException', 'ListImages');
      });
    });

    it('delete-repository of an empty repository needs no --force', async () => {
      await ecr(['create-repository', '--repository-name', 'team/empty']);

      const deleted = await ecr<{ repository: { repositoryName: string } }>(['delete-repository', '--repository-name', 'team/empty']);

      expect(deleted.repository.repositoryName).toBe('team/empty');
      expectServiceError(await ecrError(['delete-repository', '--repository-name', 'team/empty']), 'RepositoryNotFoundException', 'DeleteRepository');
    });
  });
});
