import { randomUUID } from 'node:crypto';
import { isRepositoryName, isUploadId, parseDigest, type Digest } from '@cargohold/oci';
import {
  UploadUnknownError,
  type BlobLinkStore,
  type BlobStore,
  type BlobUploads,
  type RepoRef,
  type Repository,
  type SessionCursor,
  type UploadSession,
  type UploadSessionStore,
} from '@cargohold/storage-ports';
import type { Clock, RegistryLimits } from '../config';
import { UploadInvalidError } from '../errors';
import type { RegistryAdmin } from '../registry-admin';
import type { RepositoryResolver } from '../repositories';
import { effectiveEncryption } from '../repository-admin';
import type { BodyLimits } from './metered-body';
import { BlobPins } from '../gc/blob-pins';
import { putVerified } from './verified-put';
import { VerifyingWriter } from './verifying-writer';

/** How stale a session's `updatedAt` may get before an append refreshes it (at most a tenth of the idle timeout). */
const TOUCH_INTERVAL_MS = 60_000;

/** A chunk as the client described it: `Content-Range` (inclusive) and `Content-Length`. */
export interface ChunkSpec {
  readonly range?: { start: number; end: number };
  readonly length?: number;
}

export interface UploadState {
  readonly id: string;
  readonly size: number;
}

export interface UploadPorts {
  readonly blobs: BlobStore;
  readonly uploads: BlobUploads;
  readonly sessions: UploadSessionStore;
  readonly links: BlobLinkStore;
}

/**
 * Blob pushes: monolithic (one request), resumable (POST, PATCH…, PUT) and cross-repository mounts.
 * Upload ids are server-generated UUIDs whose session records the repository, so a location cannot
 * be forged into another repository's upload. Resumable uploads go through the VerifyingWriter: bytes
 * become addressable only after it computed their digest and it matched (invariant 2).
 */
export class UploadService {
  /** Uploads whose chunk is streaming in right now (this process): never idle, whatever updatedAt says. */
  private readonly streaming = new Set<string>();
  private readonly writer: VerifyingWriter;

  constructor(
    private readonly repositories: RepositoryResolver,
    private readonly ports: UploadPorts,
    private readonly limits: RegistryLimits,
    private readonly clock: Clock,
    private readonly registryAdmin: RegistryAdmin,
    /** Garbage collection's pins: a digest is linked only pinned, with its bytes seen after the pin. */
    private readonly pins: BlobPins = new BlobPins(undefined, ports.blobs, clock),
    /** Every request of an upload reaches this process (the embedded server): see `append`. */
    private readonly oneProcess = false,
  ) {
    this.writer = new VerifyingWriter(ports.uploads);
  }

  /** Bytes of resumable uploads hashed by this process (a resume hashes only bytes not hashed before). */
  get hashedBytes(): number {
    return this.writer.hashedBytes;
  }

  async start(repo: RepoRef): Promise<UploadState> {
    await this.repositories.forPush(repo);
    const id = randomUUID();
    const now = this.clock.now();
    const session = { id, repo, startedAt: now, updatedAt: now };
    if (!this.oneProcess) {
      // The staging area first: a purge in another process (purgeStranded) takes a session without one for stranded.
      await this.ports.uploads.create(id);
      await this.ports.sessions.create(session);
      return { id, size: 0 };
    }
    // Every upload's requests, and the only purge of stranded sessions (at start-up, before serving), are
    // this process's: so the two writes go at once (their fsyncs overlap), and a crash between them leaves a
    // staging area or a session alone, which the next start-up purges (purgeOrphans, purgeStranded).
    const written = await Promise.allSettled([this.ports.uploads.create(id), this.ports.sessions.create(session)]);
    const failed = written.find((write) => write.status === 'rejected');
    if (failed) {
      await this.discard(id).catch(() => undefined);
      throw failed.reason;
    }
    return { id, size: 0 };
  }

  /** POST `?digest=` with the whole blob as body. */
  async putMonolithic(repo: RepoRef, digestText: string, body: AsyncIterable<Uint8Array>, length?: number) {
    const { digest } = parseDigest(digestText);
    await this.repositories.forPush(repo);
    const limits = length === undefined ? { maxBytes: this.limits.maxBlobBytes } : { maxBytes: this.limits.maxBlobBytes, expectedSize: length };
    const link = ({ size }: { size: number }) => this.ports.links.link(repo, digest, size, this.clock.now()).then(() => size);
    const size = await this.pins.storeThen(digest, repo, () => putVerified(this.ports.blobs, digest, body, limits), link);
    return { digest, size };
  }

  /**
   * POST `?mount=&from=`: links the blob when `from` holds it, else starts an ordinary upload
   * (the caller answers 202 then, as the spec allows). As on ECR, the registry's BLOB_MOUNTING account
   * setting must be ENABLED (it is opt-in) and both repositories must use identical encryption type and
   * key (https://docs.aws.amazon.com/AmazonECR/latest/userguide/blob-mounting.html); `canReadSource` is
   * the edge's access check on the source repository.
   */
  async mount(
    repo: RepoRef,
    digestText: string,
    from: string | undefined,
    canReadSource: (source: RepoRef) => Promise<boolean>,
  ): Promise<{ mounted: true; digest: Digest; size: number } | { mounted: false; upload: UploadState }> {
    const { digest } = parseDigest(digestText);
    const target = await this.repositories.forPush(repo);
    const mounting = await this.registryAdmin.getAccountSetting(repo.registry, 'BLOB_MOUNTING');
    if (mounting === 'ENABLED' && from !== undefined && isRepositoryName(from)) {
      const source = { registry: repo.registry, name: from };
      const link = await this.ports.links.stat(source, digest);
      if (link.found && sameEncryption(target, await this.repositories.find(source)) && (await canReadSource(source))) {
        // Bytes collected since the source's link was read: no mount, an ordinary upload instead.
        const linked = await this.pins.ifPresent(digest, repo, () => this.ports.links.link(repo, digest, link.size, this.clock.now()));
        if (linked.present) return { mounted: true, digest, size: link.size };
      }
    }
    return { mounted: false, upload: await this.start(repo) };
  }

  async status(repo: RepoRef, id: string): Promise<UploadState> {
    await this.session(repo, id);
    return { id, size: await this.stagedSize(id) };
  }

  /** PATCH: appends at the chunk's declared start (out of order → 416), or at the end when streamed. */
  async append(repo: RepoRef, id: string, body: AsyncIterable<Uint8Array>, chunk: ChunkSpec): Promise<UploadState> {
    const session = await this.session(repo, id);
    const { offset, limits } = this.placed(chunk);
    // Save the hash state with every chunk, streamed ones too: the next request (the PUT after docker's
    // one streamed PATCH) may reach another process (a Lambda, another gateway task behind the load
    // balancer), which then continues the hash instead of reading the whole staged upload back. When
    // every request reaches this process, a streamed chunk's hash stays in memory for the PUT instead
    // (node:crypto, and no state file written, synced and read back per layer); only a restart between
    // the PATCH and the PUT then rehashes the staged bytes.
    const resumable = chunk.range !== undefined || !this.oneProcess;
    const { size } = await this.streamingInto(session, () => this.writer.append(id, { offset, body, limits, resumable }));
    return { id, size };
  }

  /** PUT `?digest=`: appends the optional last chunk, verifies, links, and ends the session. */
  async complete(
    repo: RepoRef,
    id: string,
    digestText: string,
    body: AsyncIterable<Uint8Array> | undefined,
    chunk: ChunkSpec,
  ): Promise<{ digest: Digest; size: number }> {
    const { digest } = parseDigest(digestText);
    const session = await this.session(repo, id);
    const last = body ? await this.lastChunk(id, body, chunk) : undefined;
    const commit = () => this.streamingInto(session, () => this.writer.commit(id, digest, last, (verified) => this.replaceIfCorrupt(digest, verified)));
    const link = ({ size }: { size: number }) => this.ports.links.link(repo, digest, size, this.clock.now()).then(() => size);
    const size = await this.pins.storeThen(digest, repo, commit, link);
    await this.ports.sessions.delete(id);
    return { digest, size };
  }

  async cancel(repo: RepoRef, id: string): Promise<void> {
    await this.session(repo, id);
    await this.discard(id);
  }

  /** Expires sessions idle longer than the limit, with their staged bytes. Returns how many. */
  async purgeIdle(): Promise<number> {
    const before = new Date(this.clock.now().getTime() - this.limits.uploadIdleTimeoutMs);
    let purged = 0;
    for (;;) {
      const idle = (await this.ports.sessions.listIdle(before, 100)).filter((session) => !this.streaming.has(session.id));
      for (const session of idle) await this.discard(session.id);
      purged += idle.length;
      if (idle.length < 100) return purged;
    }
  }

  /** Frees staging areas that have no session (left by a crash during `start`). */
  async purgeOrphans(): Promise<number> {
    let purged = 0;
    for await (const id of this.ports.uploads.list()) {
      if (!(await this.ports.sessions.get(id))) {
        await this.ports.uploads.abort(id);
        purged++;
      }
    }
    return purged;
  }

  /**
   * A commit keeps a blob already stored under the digest; one whose size is not the verified bytes'
   * is corrupt (content-addressed bytes cannot change size), so it is quarantined for these to replace.
   */
  private async replaceIfCorrupt(digest: Digest, verifiedSize: number): Promise<void> {
    const stored = await this.ports.blobs.stat(digest);
    if (stored.found && stored.size !== verifiedSize) await this.ports.blobs.quarantine(digest);
  }

  /**
   * Removes sessions whose staged bytes are gone, so no session row points at missing bytes: a commit
   * killed after it published the blob and before it ended the session leaves one. The client's next
   * request on it gets BLOB_UPLOAD_UNKNOWN and starts again (a blob that landed then links at once).
   * Safe beside live uploads: a session has its staging area from the end of `start` until its commit,
   * and where `start` writes both at once (one process) this runs only before the process serves.
   */
  async purgeStranded(): Promise<number> {
    const everything = new Date(this.clock.now().getTime() + 1);
    let purged = 0;
    let after: SessionCursor | undefined;
    for (;;) {
      const page = await this.ports.sessions.listIdle(everything, 100, after);
      for (const session of page) {
        if (this.streaming.has(session.id) || (await this.ports.uploads.status(session.id)).found) continue;
        await this.discard(session.id);
        purged++;
      }
      if (page.length < 100) return purged;
      after = page.at(-1);
    }
  }

  private async discard(id: string): Promise<void> {
    this.writer.forget(id);
    await this.ports.uploads.abort(id);
    await this.ports.sessions.delete(id);
  }

  /** The PUT's body as the upload's last chunk: at its declared start, or at the staged size when streamed. */
  private async lastChunk(id: string, body: AsyncIterable<Uint8Array>, chunk: ChunkSpec) {
    const { offset, limits } = this.placed(chunk);
    return { body, limits, offset: offset ?? (await this.stagedSize(id)) };
  }

  /**
   * Where a chunk goes (its declared start; none when streamed: the writer appends it at the staged size,
   * which it reads anyway, so a PATCH reads the upload's status once) and the limits its body meets.
   */
  private placed(chunk: ChunkSpec): { offset?: number; limits: BodyLimits } {
    const maxBytes = this.limits.maxBlobBytes;
    if (!chunk.range) return { limits: chunk.length === undefined ? { maxBytes } : { maxBytes, expectedSize: chunk.length } };
    const declared = chunk.range.end - chunk.range.start + 1;
    if (chunk.length !== undefined && chunk.length !== declared) {
      throw new UploadInvalidError(`Content-Range covers ${declared} bytes but Content-Length is ${chunk.length}`, 416);
    }
    return { offset: chunk.range.start, limits: { maxBytes, expectedSize: declared } };
  }

  /**
   * Runs a body into the upload. Idle expiry needs minute precision, not a durable write per chunk:
   * the session is refreshed at most once a minute before the chunk streams, then once a minute while it
   * streams (a layer sent in one PATCH can take longer than the idle timeout, and a purge in another
   * process cannot see this one's `streaming` set), and once after it if it took that long.
   */
  private async streamingInto<T>(session: UploadSession, write: () => Promise<T>): Promise<T> {
    const now = this.clock.now();
    const interval = Math.min(TOUCH_INTERVAL_MS, this.limits.uploadIdleTimeoutMs / 10);
    if (now.getTime() - session.updatedAt.getTime() >= interval) await this.ports.sessions.touch(session.id, now);
    this.streaming.add(session.id);
    // Best effort: a failed refresh only risks a purge, which the next refresh or the client's retry survives.
    const heartbeat = setInterval(() => void this.ports.sessions.touch(session.id, this.clock.now()).catch(() => undefined), interval);
    try {
      return await write();
    } finally {
      clearInterval(heartbeat);
      this.streaming.delete(session.id);
      const end = this.clock.now();
      if (end.getTime() - now.getTime() >= interval) await this.ports.sessions.touch(session.id, end);
    }
  }

  private async session(repo: RepoRef, id: string): Promise<UploadSession> {
    if (!isUploadId(id)) throw new UploadUnknownError(id.slice(0, 64));
    const session = await this.ports.sessions.get(id);
    if (!session || session.repo.registry !== repo.registry || session.repo.name !== repo.name) {
      throw new UploadUnknownError(id);
    }
    if (this.clock.now().getTime() - session.updatedAt.getTime() > this.limits.uploadIdleTimeoutMs) {
      await this.discard(id);
      throw new UploadUnknownError(id);
    }
    return session;
  }

  private stagedSize(id: string): Promise<number> {
    return this.writer.size(id);
  }
}

/** Identical encryption type and key, reading a key-less KMS as the AWS-managed key it stands for. */
function sameEncryption(target: Repository, source: Repository | undefined): boolean {
  if (!source) return false;
  const a = effectiveEncryption(target.registry, target.settings.encryption);
  const b = effectiveEncryption(source.registry, source.settings.encryption);
  return a.encryptionType === b.encryptionType && a.kmsKey === b.kmsKey;
}
