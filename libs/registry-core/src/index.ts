export * from './config';
export * from './errors';
export * from './blobs';
export * from './uploads';
export * from './manifests';
export * from './listing';
export * from './registry';
