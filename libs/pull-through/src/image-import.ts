import { blobReferences, childManifests, parseManifest, type Descriptor } from '@cargohold/manifests';
import { digestOf, MANIFEST_MEDIA_TYPES, parseDigest, type Digest } from '@cargohold/oci';
import { BlobCollectedError, BlobPins, putVerified, type Registry } from '@cargohold/registry-core';
import {
  UpstreamError,
  type BlobLinkStore,
  type BlobReclaimStore,
  type BlobStore,
  type ManifestStore,
  type RepoRef,
  type UpstreamSource,
} from '@cargohold/storage-ports';
import { PassThrough, type Readable } from 'node:stream';
import { teeTo } from './blob-tee';
import { SingleFlight } from './single-flight';

/** What a manifest fetch asks the upstream for: every manifest kind, so an index stays an index. */
export const MANIFEST_ACCEPT: readonly string[] = MANIFEST_MEDIA_TYPES;

export interface ImportPorts {
  readonly registry: Registry;
  readonly blobs: BlobStore;
  readonly links: BlobLinkStore;
  readonly manifests: ManifestStore;
  /** Garbage collection's exclusion: bytes are linked only under a pin, as uploads link them (BlobPins). */
  readonly reclaim?: BlobReclaimStore;
  readonly clock: { now(): Date };
}

/** A manifest fetched without its blobs: stored (closure complete) or to be served as it is. */
export interface LazyImport {
  readonly stored: boolean;
  readonly digest: Digest;
  readonly mediaType: string;
  readonly bytes: Buffer;
}

/**
 * Copies an image from an upstream into a repository through the core, byte-exact: blobs first (each
 * hashed while stored, published only if it matches, invariant 2), then child manifests, then the
 * manifest itself with its tag, so the tag only ever names a complete closure (invariant 3).
 */
export class ImageImporter {
  /** Blob fetches in flight, by digest: concurrent pulls of one layer cost one upstream read. */
  private readonly blobFlights = new SingleFlight();
  private readonly pins: BlobPins;

  constructor(private readonly ports: ImportPorts) {
    this.pins = new BlobPins(ports.reclaim, ports.blobs, ports.clock);
  }

  /** Fetches `reference` and its closure from `upstreamRepository`, stores it, and answers the manifest's digest. */
  async importManifest(repo: RepoRef, source: UpstreamSource, upstreamRepository: string, reference: string): Promise<{ digest: Digest; mediaType: string }> {
    const { manifest, parsed } = await this.fetchManifest(source, upstreamRepository, reference);
    for (const blob of blobReferences(parsed)) await this.ensureBlob(repo, source, upstreamRepository, blob);
    for (const child of childManifests(parsed)) {
      if (!(await this.ports.manifests.get(repo, child.digest))) await this.importManifest(repo, source, upstreamRepository, child.digest);
    }
    await this.ports.registry.manifests.put(repo, reference, manifest.bytes, manifest.mediaType);
    return { digest: manifest.digest, mediaType: parsed.mediaType };
  }

  /**
   * Fetches `reference` (and, for an index, its children) but no blob: it is stored, with its tag, only
   * when every blob of its closure is stored already (so a tag still names a whole closure); otherwise
   * its verified bytes are answered to be served as they are, and its blobs are filled on their GETs.
   */
  async importManifestLazily(repo: RepoRef, source: UpstreamSource, upstreamRepository: string, reference: string): Promise<LazyImport> {
    const { manifest, parsed } = await this.fetchManifest(source, upstreamRepository, reference);
    let complete = true;
    for (const blob of blobReferences(parsed)) complete = (await this.linkIfStored(repo, blob.digest)) && complete;
    for (const child of childManifests(parsed)) {
      if (await this.ports.manifests.get(repo, child.digest)) continue;
      complete = (await this.importManifestLazily(repo, source, upstreamRepository, child.digest)).stored && complete;
    }
    if (complete) await this.ports.registry.manifests.put(repo, reference, manifest.bytes, manifest.mediaType);
    return { stored: complete, digest: manifest.digest, mediaType: parsed.mediaType, bytes: manifest.bytes };
  }

  private async fetchManifest(source: UpstreamSource, upstreamRepository: string, reference: string) {
    const manifest = await source.getManifest(upstreamRepository, reference, MANIFEST_ACCEPT);
    const digest = digestOf(manifest.bytes, reference.includes(':') ? parseDigest(reference).algorithm : 'sha256');
    if (digest !== manifest.digest)
      throw new UpstreamError('digest-mismatch', `manifest ${reference} hashes to ${digest}, the upstream said ${manifest.digest}`);
    return { manifest: { ...manifest, digest }, parsed: parseManifest(manifest.bytes, manifest.mediaType) };
  }

  /**
   * A blob for a puller: when it is not stored yet, it streams from the upstream to the puller while it
   * is stored; when another fetch of it is in flight (or done), the caller serves it from storage.
   */
  async streamBlob(repo: RepoRef, source: UpstreamSource, upstreamRepository: string, digest: Digest): Promise<{ size: number; body: Readable } | undefined> {
    const running = this.blobFlights.inFlight(digest);
    if (running) {
      await running;
      return this.linkStored(repo, digest);
    }
    // The flight is registered before the first await, so a concurrent pull of this blob joins it (and
    // reads storage once it is done) instead of opening the upstream a second time.
    const client = new PassThrough();
    let sized: (size: number | undefined) => void = () => undefined;
    const opened = new Promise<number | undefined>((resolve) => (sized = resolve));
    const done = this.blobFlights.run(digest, async () => {
      if ((await this.ports.blobs.stat(digest)).found) return sized(undefined);
      const blob = await source.openBlob(upstreamRepository, digest);
      sized(blob.size);
      await this.store(repo, digest, blob.size, teeTo(blob.body, client));
    });
    done.then(
      () => client.end(),
      (error: unknown) => client.destroy(error as Error),
    );
    const size = await Promise.race([opened, done.then(() => undefined)]);
    return size === undefined ? this.linkStored(repo, digest) : { size, body: client };
  }

  /** A blob stored (verified) and linked before the caller reads it from storage: where a response cannot carry it (Lambda). */
  async fetchBlob(repo: RepoRef, source: UpstreamSource, upstreamRepository: string, digest: Digest): Promise<void> {
    await this.pins.pinned(digest, repo, async () => {
      await this.blobFlights.run(digest, async () => {
        if ((await this.ports.blobs.stat(digest)).found) return;
        const opened = await source.openBlob(upstreamRepository, digest);
        await putVerified(this.ports.blobs, digest, opened.body, { maxBytes: this.ports.registry.limits.maxBlobBytes, expectedSize: opened.size });
      });
      const stored = await this.ports.blobs.stat(digest);
      if (!stored.found) throw new BlobCollectedError(digest);
      await this.ports.links.link(repo, digest, stored.size, this.ports.clock.now());
    });
  }

  private async ensureBlob(repo: RepoRef, source: UpstreamSource, upstreamRepository: string, blob: Descriptor): Promise<void> {
    if ((await this.ports.links.stat(repo, blob.digest)).found) return;
    // Pinned around the fetch (or the finding) and the link: bytes present under the pin stay until linked.
    await this.pins.storeThen(
      blob.digest,
      repo,
      () =>
        this.blobFlights.run(blob.digest, async () => {
          const stored = await this.ports.blobs.stat(blob.digest);
          if (stored.found && stored.size === blob.size) return;
          const opened = await source.openBlob(upstreamRepository, blob.digest);
          await putVerified(this.ports.blobs, blob.digest, opened.body, { maxBytes: this.ports.registry.limits.maxBlobBytes, expectedSize: blob.size });
        }),
      () => this.ports.links.link(repo, blob.digest, blob.size, this.ports.clock.now()),
    );
  }

  /** Stores the bytes and links them under one pin, so a collection cannot take them in between (invariant 4). */
  private async store(repo: RepoRef, digest: Digest, size: number, body: AsyncIterable<Uint8Array>): Promise<void> {
    await this.pins.storeThen(
      digest,
      repo,
      () => putVerified(this.ports.blobs, digest, body, { maxBytes: this.ports.registry.limits.maxBlobBytes, expectedSize: size }),
      () => this.ports.links.link(repo, digest, size, this.ports.clock.now()),
    );
  }

  /**
   * Whether the blob is stored (by an earlier fetch, for any repository): then it is linked here too. The
   * stat and the link happen under a pin, so bytes seen present are not collected before the link keeps them.
   */
  async linkIfStored(repo: RepoRef, digest: Digest): Promise<boolean> {
    return this.pins.pinned(digest, repo, async () => {
      const stored = await this.ports.blobs.stat(digest);
      if (stored.found) await this.ports.links.link(repo, digest, stored.size, this.ports.clock.now());
      return stored.found;
    });
  }

  /** Links a blob stored by an earlier fetch (from any repository) and lets the caller serve it. */
  private async linkStored(repo: RepoRef, digest: Digest): Promise<undefined> {
    await this.linkIfStored(repo, digest);
    return undefined;
  }
}
