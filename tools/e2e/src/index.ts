export { sha256, type Compression, type Descriptor, type FileEntry, type LayerSpec, type Platform } from './blobs';
export {
  AMD64,
  ARM64,
  MEDIA_TYPES,
  buildDockerArchive,
  buildMultiArchLayout,
  buildOciLayout,
  platformName,
  type BuiltDockerArchive,
  type BuiltImage,
  type BuiltIndex,
  type ContainerConfig,
  type DockerArchiveSpec,
  type ImageFormat,
  type ImageSpec,
  type MultiArchOptions,
} from './images';
export { readDirTransport, readLayoutBlob, readOciLayout, type PulledDir, type PulledLayout } from './layout-reader';
export {
  AWS_CLI,
  awsCli,
  awsCliEnv,
  describeWithClients,
  findClient,
  isCi,
  requireClient,
  skopeo,
  skopeoArgs,
  type AwsCliOptions,
  type ClientName,
  type SkopeoOptions,
} from './clients';
export { CommandFailedError, run, type RunOptions, type RunResult } from './exec';
export { startDockerd, type Dockerd, type DockerdOptions } from './dockerd';
export { registryTarget, startRegistryUnderTest, type RegistryTarget, type RegistryUnderTest } from './registry-under-test';
export { cargoholdCli } from './cargohold-process';
export { freePort } from './ports';
