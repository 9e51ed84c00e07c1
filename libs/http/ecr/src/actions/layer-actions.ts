import { bytesBody } from '@cargohold/lambda-kit';
import { accountOf } from '@cargohold/registry-core';
import { isDigest, isUploadId } from '@cargohold/oci';
import * as z from 'zod';
import { defineAction } from '../action';
import { AwsError } from '../aws-errors';
import { LayerDigest, RegistryId, RepositoryName } from '../shapes';

const repo = (input: { repositoryName: string; registryId?: string | undefined }) => input;
/** ECR's advertised part size; parts may be smaller except that they must arrive in order. */
const PART_SIZE = 10 * 1024 * 1024;
const UploadId = z.string().refine(isUploadId, "must satisfy regular expression '[a-f0-9-]+'");

export const batchCheckLayerAvailability = defineAction({
  name: 'BatchCheckLayerAvailability',
  input: z.object({ registryId: RegistryId.optional(), repositoryName: RepositoryName, layerDigests: z.array(z.string().min(1).max(1000)).min(1).max(100) }),
  resource: repo,
  async handle(input, context) {
    const ref = context.repo(input.repositoryName, input.registryId);
    await context.registry.repositoryAdmin.get(ref);
    const layers = [];
    const failures = [];
    for (const layerDigest of input.layerDigests) {
      if (!isDigest(layerDigest)) {
        failures.push({ layerDigest, failureCode: 'InvalidLayerDigest', failureReason: 'Invalid layer digest' });
        continue;
      }
      try {
        const { size } = await context.registry.blobs.stat(ref, layerDigest);
        layers.push({ layerDigest, layerAvailability: 'AVAILABLE', layerSize: size, mediaType: 'application/vnd.docker.image.rootfs.diff.tar.gzip' });
      } catch {
        failures.push({ layerDigest, failureCode: 'MissingLayerDigest', failureReason: 'Requested layer not found' });
      }
    }
    return { layers, failures };
  },
});

export const initiateLayerUpload = defineAction({
  name: 'InitiateLayerUpload',
  input: z.object({ registryId: RegistryId.optional(), repositoryName: RepositoryName }),
  resource: repo,
  async handle(input, context) {
    const upload = await context.registry.uploads.start(context.repo(input.repositoryName, input.registryId));
    return { uploadId: upload.id, partSize: PART_SIZE };
  },
});

export const uploadLayerPart = defineAction({
  name: 'UploadLayerPart',
  input: z.object({
    registryId: RegistryId.optional(),
    repositoryName: RepositoryName,
    uploadId: UploadId,
    partFirstByte: z.number().int().min(0),
    partLastByte: z.number().int().min(0),
    layerPartBlob: z.string().min(1),
  }),
  resource: repo,
  errors: { UploadOffsetMismatchError: 'InvalidLayerPartException' },
  async handle(input, context) {
    const ref = context.repo(input.repositoryName, input.registryId);
    const bytes = Buffer.from(input.layerPartBlob, 'base64');
    if (input.partLastByte < input.partFirstByte || bytes.length !== input.partLastByte - input.partFirstByte + 1) {
      throw new AwsError('InvalidLayerPartException', `The layer part size ${bytes.length} does not match partFirstByte..partLastByte`);
    }
    const state = await context.registry.uploads.append(ref, input.uploadId, bytesBody(bytes), {
      range: { start: input.partFirstByte, end: input.partLastByte },
      length: bytes.length,
    });
    return { registryId: accountOf(ref.registry), repositoryName: ref.name, uploadId: state.id, lastByteReceived: state.size - 1 };
  },
});

export const completeLayerUpload = defineAction({
  name: 'CompleteLayerUpload',
  input: z.object({
    registryId: RegistryId.optional(),
    repositoryName: RepositoryName,
    uploadId: UploadId,
    layerDigests: z.array(LayerDigest).min(1).max(100),
  }),
  resource: repo,
  errors: { DigestMismatchError: 'InvalidLayerException', DigestInvalidError: 'InvalidLayerException' },
  async handle(input, context) {
    const ref = context.repo(input.repositoryName, input.registryId);
    const [layerDigest] = input.layerDigests as [string, ...string[]];
    const existing = await context.registry.blobs.stat(ref, layerDigest).catch(() => undefined);
    if (existing) {
      await context.registry.uploads.cancel(ref, input.uploadId);
      throw new AwsError('LayerAlreadyExistsException', `The layer '${layerDigest}' already exists in the repository with name '${ref.name}'`);
    }
    // EmptyUploadException: "The specified layer upload does not contain any layer parts"
    // (https://docs.aws.amazon.com/AmazonECR/latest/APIReference/API_CompleteLayerUpload.html).
    const { size } = await context.registry.uploads.status(ref, input.uploadId);
    if (size === 0) throw new AwsError('EmptyUploadException', 'The specified layer upload does not contain any layer parts.');
    const blob = await context.registry.uploads.complete(ref, input.uploadId, layerDigest, undefined, {});
    return { registryId: accountOf(ref.registry), repositoryName: ref.name, uploadId: input.uploadId, layerDigest: blob.digest };
  },
});

export const getDownloadUrlForLayer = defineAction({
  name: 'GetDownloadUrlForLayer',
  input: z.object({ registryId: RegistryId.optional(), repositoryName: RepositoryName, layerDigest: LayerDigest }),
  resource: repo,
  errors: { BlobUnknownError: 'LayersNotFoundException', DigestInvalidError: 'InvalidParameterException' },
  async handle(input, context) {
    const ref = context.repo(input.repositoryName, input.registryId);
    const { digest } = await context.registry.blobs.stat(ref, input.layerDigest);
    return { downloadUrl: context.services.downloadUrl(context.registryHost(ref.registry), ref, digest, context.principal), layerDigest: digest };
  },
});
