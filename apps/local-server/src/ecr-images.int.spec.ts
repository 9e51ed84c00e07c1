import { createHash } from 'node:crypto';
import {
  BatchCheckLayerAvailabilityCommand,
  BatchDeleteImageCommand,
  BatchGetImageCommand,
  CompleteLayerUploadCommand,
  CreateRepositoryCommand,
  DescribeImagesCommand,
  GetDownloadUrlForLayerCommand,
  InitiateLayerUploadCommand,
  ListImageReferrersCommand,
  ListImagesCommand,
  PutImageCommand,
  UploadLayerPartCommand,
  type ECRClient,
} from '@aws-sdk/client-ecr';
import { awsErrorName } from './testing/ecr-client';
import { OCI_CONFIG, OCI_EMPTY, OCI_INDEX, OCI_LAYER, OCI_MANIFEST, raw, sha256, type RegistryClient } from './testing/registry-client';
import { startEcrTestServer, type TestServer } from './testing/test-server';

const EMPTY = { mediaType: OCI_EMPTY, digest: 'sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a', size: 2 };

describe('ECR API: images and layers (through @aws-sdk/client-ecr)', () => {
  let t: TestServer;
  let ecr: ECRClient;
  let v2: RegistryClient;
  let stop: () => Promise<void>;
  beforeAll(async () => ({ t, ecr, v2, stop } = await startEcrTestServer()));
  afterAll(() => stop());

  /** Uploads a layer through the ECR layer APIs in parts, as the AWS SDK would. */
  async function uploadLayer(repositoryName: string, bytes: Buffer, partSize = 7): Promise<string> {
    const { uploadId } = await ecr.send(new InitiateLayerUploadCommand({ repositoryName }));
    for (let first = 0; first < bytes.length; first += partSize) {
      const last = Math.min(first + partSize, bytes.length) - 1;
      const part = await ecr.send(
        new UploadLayerPartCommand({ repositoryName, uploadId, partFirstByte: first, partLastByte: last, layerPartBlob: bytes.subarray(first, last + 1) }),
      );
      expect(part.lastByteReceived).toBe(last);
    }
    const done = await ecr.send(new CompleteLayerUploadCommand({ repositoryName, uploadId, layerDigests: [sha256(bytes)] }));
    return done.layerDigest as string;
  }

  it('pushes through the layer APIs and PutImage, and /v2/ sees the image', async () => {
    await ecr.send(new CreateRepositoryCommand({ repositoryName: 'layers/app' }));
    const config = Buffer.from('{"architecture":"amd64","os":"linux"}');
    const layer = Buffer.from('a layer uploaded in several parts through the ECR API');
    const configDigest = await uploadLayer('layers/app', config);
    const layerDigest = await uploadLayer('layers/app', layer);
    const availability = await ecr.send(
      new BatchCheckLayerAvailabilityCommand({ repositoryName: 'layers/app', layerDigests: [layerDigest, sha256('absent')] }),
    );
    expect(availability.layers).toEqual([expect.objectContaining({ layerDigest, layerAvailability: 'AVAILABLE', layerSize: layer.length })]);
    expect(availability.failures).toEqual([expect.objectContaining({ layerDigest: sha256('absent'), failureCode: 'MissingLayerDigest' })]);

    const manifest = JSON.stringify({
      schemaVersion: 2,
      mediaType: OCI_MANIFEST,
      config: { mediaType: OCI_CONFIG, digest: configDigest, size: config.length },
      layers: [{ mediaType: OCI_LAYER, digest: layerDigest, size: layer.length }],
    });
    const put = await ecr.send(new PutImageCommand({ repositoryName: 'layers/app', imageManifest: manifest, imageTag: 'v1' }));
    expect(put.image?.imageId).toEqual({ imageDigest: sha256(manifest), imageTag: 'v1' });
    expect(await awsErrorName(() => ecr.send(new PutImageCommand({ repositoryName: 'layers/app', imageManifest: manifest, imageTag: 'v1' })))).toBe(
      'ImageAlreadyExistsException',
    );
    expect(
      await awsErrorName(() => ecr.send(new PutImageCommand({ repositoryName: 'layers/app', imageManifest: manifest, imageDigest: sha256('other') }))),
    ).toBe('ImageDigestDoesNotMatchException');

    const pulled = await v2.send('GET', '/v2/layers/app/manifests/v1', { headers: { Accept: OCI_MANIFEST } });
    expect(pulled.body.toString()).toBe(manifest);
    expect((await v2.send('GET', `/v2/layers/app/blobs/${layerDigest}`)).body.equals(layer)).toBe(true);
  });

  it('refuses out-of-order parts, wrong digests and layers that already exist', async () => {
    await ecr.send(new CreateRepositoryCommand({ repositoryName: 'layers/bad' }));
    const { uploadId } = await ecr.send(new InitiateLayerUploadCommand({ repositoryName: 'layers/bad' }));
    const part = (first: number, bytes: string) =>
      ecr.send(
        new UploadLayerPartCommand({
          repositoryName: 'layers/bad',
          uploadId,
          partFirstByte: first,
          partLastByte: first + bytes.length - 1,
          layerPartBlob: Buffer.from(bytes),
        }),
      );
    await part(0, 'abc');
    expect(await awsErrorName(() => part(10, 'xyz'))).toBe('InvalidLayerPartException');
    expect(await awsErrorName(() => ecr.send(new CompleteLayerUploadCommand({ repositoryName: 'layers/bad', uploadId, layerDigests: [sha256('nope')] })))).toBe(
      'InvalidLayerException',
    );
    await ecr.send(new CompleteLayerUploadCommand({ repositoryName: 'layers/bad', uploadId, layerDigests: [sha256('abc')] }));
    const again = await ecr.send(new InitiateLayerUploadCommand({ repositoryName: 'layers/bad' }));
    await ecr.send(
      new UploadLayerPartCommand({
        repositoryName: 'layers/bad',
        uploadId: again.uploadId,
        partFirstByte: 0,
        partLastByte: 2,
        layerPartBlob: Buffer.from('abc'),
      }),
    );
    expect(
      await awsErrorName(() =>
        ecr.send(new CompleteLayerUploadCommand({ repositoryName: 'layers/bad', uploadId: again.uploadId, layerDigests: [sha256('abc')] })),
      ),
    ).toBe('LayerAlreadyExistsException');
    expect(
      await awsErrorName(() =>
        ecr.send(
          new UploadLayerPartCommand({
            repositoryName: 'layers/bad',
            uploadId: '00000000-0000-4000-8000-000000000000',
            partFirstByte: 0,
            partLastByte: 0,
            layerPartBlob: Buffer.from('a'),
          }),
        ),
      ),
    ).toBe('UploadNotFoundException');
  });

  it('lists and describes images pushed over /v2/, with sizes, media types and pull times', async () => {
    const image = await v2.pushImage('describe/app', 'latest');
    const untagged = await v2.pushImage('describe/app', 'temp');
    await v2.send('DELETE', '/v2/describe/app/manifests/temp');
    await v2.send('GET', '/v2/describe/app/manifests/latest', { headers: { Accept: OCI_MANIFEST } });

    const all = await ecr.send(new ListImagesCommand({ repositoryName: 'describe/app' }));
    expect(all.imageIds).toEqual(expect.arrayContaining([{ imageDigest: image.digest, imageTag: 'latest' }, { imageDigest: untagged.digest }]));
    const tagged = await ecr.send(new ListImagesCommand({ repositoryName: 'describe/app', filter: { tagStatus: 'TAGGED' } }));
    expect(tagged.imageIds).toEqual([{ imageDigest: image.digest, imageTag: 'latest' }]);

    const { imageDetails } = await ecr.send(new DescribeImagesCommand({ repositoryName: 'describe/app', imageIds: [{ imageTag: 'latest' }] }));
    expect(imageDetails?.[0]).toMatchObject({
      registryId: '000000000000',
      repositoryName: 'describe/app',
      imageDigest: image.digest,
      imageTags: ['latest'],
      imageSizeInBytes: 'layer of latest'.length,
      imageManifestMediaType: OCI_MANIFEST,
      artifactMediaType: OCI_CONFIG,
    });
    expect(imageDetails?.[0]?.imagePushedAt).toBeInstanceOf(Date);
    expect(imageDetails?.[0]?.lastRecordedPullTime).toBeInstanceOf(Date);
    expect(await awsErrorName(() => ecr.send(new DescribeImagesCommand({ repositoryName: 'describe/app', imageIds: [{ imageTag: 'nope' }] })))).toBe(
      'ImageNotFoundException',
    );
  });

  it('gets images with acceptedMediaTypes and reports per-image failures', async () => {
    const image = await v2.pushImage('get/app', 'v1');
    const out = await ecr.send(
      new BatchGetImageCommand({
        repositoryName: 'get/app',
        imageIds: [{ imageTag: 'v1' }, { imageTag: 'missing' }, { imageDigest: 'sha256:BAD' }],
        acceptedMediaTypes: [OCI_MANIFEST],
      }),
    );
    expect(out.images).toEqual([
      {
        registryId: '000000000000',
        repositoryName: 'get/app',
        imageId: { imageDigest: image.digest, imageTag: 'v1' },
        imageManifest: image.body.toString(),
        imageManifestMediaType: OCI_MANIFEST,
      },
    ]);
    expect(out.failures?.map((f) => f.failureCode)).toEqual(['ImageNotFound', 'InvalidImageDigest']);
  });

  it('deletes by tag and digest, refusing images an index still references', async () => {
    const child = await v2.pushImage('del/app', 'child');
    const index = {
      schemaVersion: 2,
      mediaType: OCI_INDEX,
      manifests: [{ mediaType: OCI_MANIFEST, digest: child.digest, size: child.size, platform: { architecture: 'amd64', os: 'linux' } }],
    };
    const pushedIndex = await v2.putManifest('del/app', 'multi', index, OCI_INDEX);
    const refused = await ecr.send(new BatchDeleteImageCommand({ repositoryName: 'del/app', imageIds: [{ imageDigest: child.digest }] }));
    expect(refused.failures).toEqual([expect.objectContaining({ imageId: { imageDigest: child.digest }, failureCode: 'ImageReferencedByManifestList' })]);
    const deleted = await ecr.send(new BatchDeleteImageCommand({ repositoryName: 'del/app', imageIds: [{ imageTag: 'multi' }] }));
    expect(deleted.imageIds).toEqual([{ imageDigest: pushedIndex.digest, imageTag: 'multi' }]);
    const second = await ecr.send(new BatchDeleteImageCommand({ repositoryName: 'del/app', imageIds: [{ imageDigest: child.digest }] }));
    expect(second.imageIds).toEqual([{ imageDigest: child.digest, imageTag: 'child' }]);
  });

  it('lists referrers of a subject with the artifactType filter', async () => {
    const subject = await v2.pushImage('refs/app', 'v1');
    await v2.pushBlob('refs/app', '{}');
    const artifact = {
      schemaVersion: 2,
      mediaType: OCI_MANIFEST,
      artifactType: 'application/vnd.example.sbom',
      config: EMPTY,
      layers: [EMPTY],
      subject: { mediaType: OCI_MANIFEST, digest: subject.digest, size: subject.size },
    };
    const pushed = await v2.putManifest('refs/app', sha256(JSON.stringify(artifact)), artifact, OCI_MANIFEST);
    expect(pushed.res.status).toBe(201);
    const out = await ecr.send(
      new ListImageReferrersCommand({
        repositoryName: 'refs/app',
        subjectId: { imageDigest: subject.digest },
        filter: { artifactTypes: ['application/vnd.example.sbom'] },
      }),
    );
    expect(out.referrers).toEqual([expect.objectContaining({ digest: pushed.digest, artifactType: 'application/vnd.example.sbom', mediaType: OCI_MANIFEST })]);
  });

  it('hands out a download URL that really downloads the layer, without other credentials', async () => {
    const image = await v2.pushImage('download/app', 'v1');
    const { downloadUrl } = await ecr.send(new GetDownloadUrlForLayerCommand({ repositoryName: 'download/app', layerDigest: image.layerDigest }));
    const url = new URL(downloadUrl as string);
    const res = await raw(t.server.url, 'GET', `${url.pathname}${url.search}`);
    expect(res.status).toBe(200);
    expect(`sha256:${createHash('sha256').update(res.body).digest('hex')}`).toBe(image.layerDigest);
    // The URL's token downloads that one blob only: not another blob, not manifests or listings.
    expect((await raw(t.server.url, 'GET', `/v2/download/app/blobs/${image.configDigest}${url.search}`)).status).toBe(401);
    const token = url.searchParams.get('X-Cargohold-Token') as string;
    expect((await t.client.withToken(token).send('DELETE', `/v2/download/app/manifests/v1`)).status).toBe(401);
    expect((await raw(t.server.url, 'GET', `/v2/download/app/manifests/v1${url.search}`)).status).toBe(401);
    expect((await raw(t.server.url, 'GET', `/v2/download/app/tags/list${url.search}`)).status).toBe(401);
    expect(await awsErrorName(() => ecr.send(new GetDownloadUrlForLayerCommand({ repositoryName: 'download/app', layerDigest: sha256('none') })))).toBe(
      'LayersNotFoundException',
    );
  });
});
