import type { PushedImage, PushedIndex, TestImage } from './test-images';
import { buildImage, buildIndex, OCI_INDEX, OCI_MANIFEST, type BuiltBlob } from './test-images';

/** The Authorization header to push to `repository` with (none, Basic, or a freshly minted token). */
export type PushAuthorization = (repository: string) => string | undefined;

/** Pushes test content over plain HTTP with the distribution API: monolithic blob uploads, manifest PUTs. */
export class RegistryPusher {
  constructor(
    private readonly base: string,
    private readonly authorization: PushAuthorization,
  ) {}

  async pushImage(repository: string, reference: string, image: TestImage): Promise<PushedImage> {
    const built = buildImage(image);
    for (const blob of [built.config, ...built.layers]) await this.pushBlob(repository, blob);
    await this.putManifest(repository, reference, OCI_MANIFEST, built.manifest.bytes);
    return { digest: built.manifest.digest, mediaType: OCI_MANIFEST, bytes: built.manifest.bytes, config: built.config, layers: built.layers };
  }

  async pushIndex(repository: string, tag: string, images: readonly TestImage[]): Promise<PushedIndex> {
    const children: PushedImage[] = [];
    for (const image of images) {
      const digest = buildImage(image).manifest.digest;
      children.push(await this.pushImage(repository, digest, image));
    }
    const index = buildIndex(children.map((child, at) => ({ ...child, platform: images[at]?.platform ?? 'linux/amd64' })));
    await this.putManifest(repository, tag, OCI_INDEX, index.bytes);
    return { digest: index.digest, mediaType: OCI_INDEX, bytes: index.bytes, children };
  }

  async putManifest(repository: string, reference: string, mediaType: string, bytes: Buffer): Promise<void> {
    await this.call('PUT', `/v2/${repository}/manifests/${reference}`, repository, 201, bytes, mediaType);
  }

  private async pushBlob(repository: string, blob: BuiltBlob): Promise<void> {
    const started = await this.call('POST', `/v2/${repository}/blobs/uploads/`, repository, 202);
    const location = new URL(started.headers.get('location') ?? '', this.base);
    location.searchParams.set('digest', blob.digest);
    await this.call('PUT', location.pathname + location.search, repository, 201, blob.bytes, 'application/octet-stream');
  }

  private async call(method: string, path: string, repository: string, expected: number, body?: Buffer, contentType?: string): Promise<Response> {
    const headers: Record<string, string> = {};
    const authorization = this.authorization(repository);
    if (authorization !== undefined) headers['authorization'] = authorization;
    if (contentType !== undefined) headers['content-type'] = contentType;
    const response = await fetch(new URL(path, this.base), { method, headers, ...(body ? { body } : {}) });
    if (response.status !== expected) throw new Error(`${method} ${path}: ${response.status} ${await response.text()}`);
    await response.arrayBuffer();
    return response;
  }
}
