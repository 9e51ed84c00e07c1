import { createMemoryStorage } from '@cargohold/storage-memory';
import { ociImage } from '@cargohold/storage-testing';
import { digestOf } from '@cargohold/oci';
import { batchCheckLayerAvailability, completeLayerUpload, getDownloadUrlForLayer, initiateLayerUpload, uploadLayerPart } from './layer-actions';
import { actionHarness as harnessOver, type HarnessOptions, OWNER } from './spec-helpers';

/** Each spec's own registry over memory storage. */
const actionHarness = (options: HarnessOptions = {}) => harnessOver(createMemoryStorage(), options);

const MISSING = `sha256:${'0'.repeat(64)}`;
const LAYER = Buffer.from('a layer of ten bytes and then some more');
const UNKNOWN_UPLOAD = '00000000-0000-4000-8000-000000000000';

const part = (uploadId: string, bytes: Buffer, partFirstByte: number) => ({
  repositoryName: 'team/app',
  uploadId,
  partFirstByte,
  partLastByte: partFirstByte + bytes.length - 1,
  layerPartBlob: bytes.toString('base64'),
});

describe('BatchCheckLayerAvailability', () => {
  it('reports uploaded layers as available with their size, and the others as failures', async () => {
    const { run, upload } = actionHarness();
    const image = ociImage('amd64');
    await upload('team/app', image);

    const output = await run(batchCheckLayerAvailability, { repositoryName: 'team/app', layerDigests: [digestOf(image.layer), MISSING, 'not-a-digest'] });

    expect(output).toEqual({
      layers: [
        {
          layerDigest: digestOf(image.layer),
          layerAvailability: 'AVAILABLE',
          layerSize: image.layer.length,
          mediaType: 'application/vnd.docker.image.rootfs.diff.tar.gzip',
        },
      ],
      failures: [
        { layerDigest: MISSING, failureCode: 'MissingLayerDigest', failureReason: 'Requested layer not found' },
        { layerDigest: 'not-a-digest', failureCode: 'InvalidLayerDigest', failureReason: 'Invalid layer digest' },
      ],
    });
  });

  it('does not see layers of another repository', async () => {
    const { run, upload } = actionHarness();
    const image = ociImage('amd64');
    await upload('team/other', image);
    await upload('team/app', ociImage('arm64'));

    const output = await run(batchCheckLayerAvailability, { repositoryName: 'team/app', layerDigests: [digestOf(image.layer)] });

    expect(output.layers).toEqual([]);
    expect(output.failures).toMatchObject([{ failureCode: 'MissingLayerDigest' }]);
  });

  it('answers RepositoryNotFoundException for a missing repository', async () => {
    const { run } = actionHarness();

    await expect(run(batchCheckLayerAvailability, { repositoryName: 'team/app', layerDigests: [MISSING] })).rejects.toMatchObject({
      name: 'RepositoryNotFoundException',
    });
  });
});

describe('InitiateLayerUpload', () => {
  it('starts an upload and advertises a 10 MiB part size', async () => {
    const { run } = actionHarness();

    const output = await run(initiateLayerUpload, { repositoryName: 'team/app' });

    expect(output).toEqual({ uploadId: expect.stringMatching(/^[0-9a-f-]{36}$/), partSize: 10 * 1024 * 1024 });
  });

  it('answers RepositoryNotFoundException when repositories are not created on push', async () => {
    const { run } = actionHarness({ registry: { settings: { createRepositoryOnPush: false } } });

    await expect(run(initiateLayerUpload, { repositoryName: 'team/app' })).rejects.toMatchObject({ name: 'RepositoryNotFoundException' });
  });
});

describe('UploadLayerPart', () => {
  it('appends parts in order and reports the last byte received', async () => {
    const { run } = actionHarness();
    const { uploadId } = await run(initiateLayerUpload, { repositoryName: 'team/app' });

    const first = await run(uploadLayerPart, part(uploadId, LAYER.subarray(0, 10), 0));
    const second = await run(uploadLayerPart, part(uploadId, LAYER.subarray(10), 10));

    expect(first).toEqual({ registryId: OWNER, repositoryName: 'team/app', uploadId, lastByteReceived: 9 });
    expect(second.lastByteReceived).toBe(LAYER.length - 1);
  });

  it('answers InvalidLayerPartException when the part is not as long as its byte range', async () => {
    const { run } = actionHarness();
    const { uploadId } = await run(initiateLayerUpload, { repositoryName: 'team/app' });

    const error = await run(uploadLayerPart, { ...part(uploadId, LAYER.subarray(0, 10), 0), partLastByte: 10 }).catch((e: unknown) => e);

    expect(error).toMatchObject({ name: 'InvalidLayerPartException', message: 'The layer part size 10 does not match partFirstByte..partLastByte' });
  });

  it('answers InvalidLayerPartException for a part that does not start where the last one ended', async () => {
    const { run } = actionHarness();
    const { uploadId } = await run(initiateLayerUpload, { repositoryName: 'team/app' });
    await run(uploadLayerPart, part(uploadId, LAYER.subarray(0, 10), 0));

    await expect(run(uploadLayerPart, part(uploadId, LAYER.subarray(20), 20))).rejects.toMatchObject({ name: 'InvalidLayerPartException' });
  });

  it('answers UploadNotFoundException for an unknown upload, or one of another repository', async () => {
    const { run } = actionHarness();
    const { uploadId } = await run(initiateLayerUpload, { repositoryName: 'team/other' });

    await expect(run(uploadLayerPart, part(UNKNOWN_UPLOAD, LAYER, 0))).rejects.toMatchObject({ name: 'UploadNotFoundException' });
    await expect(run(uploadLayerPart, part(uploadId, LAYER, 0))).rejects.toMatchObject({ name: 'UploadNotFoundException' });
  });
});

describe('CompleteLayerUpload', () => {
  it('commits the parts as a layer of the repository', async () => {
    const { run } = actionHarness();
    const { uploadId } = await run(initiateLayerUpload, { repositoryName: 'team/app' });
    await run(uploadLayerPart, part(uploadId, LAYER, 0));

    const output = await run(completeLayerUpload, { repositoryName: 'team/app', uploadId, layerDigests: [digestOf(LAYER)] });
    const check = await run(batchCheckLayerAvailability, { repositoryName: 'team/app', layerDigests: [digestOf(LAYER)] });

    expect(output).toEqual({ registryId: OWNER, repositoryName: 'team/app', uploadId, layerDigest: digestOf(LAYER) });
    expect(check.layers).toMatchObject([{ layerDigest: digestOf(LAYER), layerSize: LAYER.length }]);
  });

  it('answers InvalidLayerException when the bytes do not hash to the digest', async () => {
    const { run } = actionHarness();
    const { uploadId } = await run(initiateLayerUpload, { repositoryName: 'team/app' });
    await run(uploadLayerPart, part(uploadId, LAYER, 0));

    await expect(run(completeLayerUpload, { repositoryName: 'team/app', uploadId, layerDigests: [MISSING] })).rejects.toMatchObject({
      name: 'InvalidLayerException',
    });
  });

  it('answers LayerAlreadyExistsException for a layer the repository has, and ends the upload', async () => {
    const { run, upload } = actionHarness();
    const image = ociImage('amd64');
    await upload('team/app', image);
    const { uploadId } = await run(initiateLayerUpload, { repositoryName: 'team/app' });
    await run(uploadLayerPart, part(uploadId, image.layer, 0));

    const error = await run(completeLayerUpload, { repositoryName: 'team/app', uploadId, layerDigests: [digestOf(image.layer)] }).catch((e: unknown) => e);

    expect(error).toMatchObject({
      name: 'LayerAlreadyExistsException',
      message: `The layer '${digestOf(image.layer)}' already exists in the repository with name 'team/app'`,
    });
    await expect(run(uploadLayerPart, part(uploadId, image.layer, image.layer.length))).rejects.toMatchObject({ name: 'UploadNotFoundException' });
  });

  it('answers UploadNotFoundException for an unknown upload', async () => {
    const { run } = actionHarness();
    await run(initiateLayerUpload, { repositoryName: 'team/app' });

    await expect(run(completeLayerUpload, { repositoryName: 'team/app', uploadId: UNKNOWN_UPLOAD, layerDigests: [digestOf(LAYER)] })).rejects.toMatchObject({
      name: 'UploadNotFoundException',
    });
  });

  it('accepts only digests ECR’s pattern allows', () => {
    const input = { repositoryName: 'team/app', uploadId: UNKNOWN_UPLOAD };

    expect(completeLayerUpload.input.safeParse({ ...input, layerDigests: ['sha256:abc'] }).success).toBe(true);
    expect(completeLayerUpload.input.safeParse({ ...input, layerDigests: ['sha256:xyz'] }).success).toBe(false);
    expect(completeLayerUpload.input.safeParse({ ...input, layerDigests: [] }).success).toBe(false);
  });
});

describe('GetDownloadUrlForLayer', () => {
  it('returns a download URL for the layer on the registry’s host', async () => {
    const { run, upload } = actionHarness();
    const image = ociImage('amd64');
    await upload('team/app', image);
    const layerDigest = digestOf(image.layer);

    const output = await run(getDownloadUrlForLayer, { repositoryName: 'team/app', layerDigest });

    expect(output).toEqual({ downloadUrl: `http://localhost:5000/v2/team/app/blobs/${layerDigest}?token=t`, layerDigest });
  });

  it('answers LayersNotFoundException for a layer the repository does not have', async () => {
    const { run, upload } = actionHarness();
    await upload('team/app', ociImage('amd64'));

    await expect(run(getDownloadUrlForLayer, { repositoryName: 'team/app', layerDigest: MISSING })).rejects.toMatchObject({
      name: 'LayersNotFoundException',
    });
  });

  it('answers RepositoryNotFoundException for a missing repository', async () => {
    const { run } = actionHarness();

    await expect(run(getDownloadUrlForLayer, { repositoryName: 'team/app', layerDigest: MISSING })).rejects.toMatchObject({
      name: 'RepositoryNotFoundException',
    });
  });
});
