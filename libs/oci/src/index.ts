export * from './errors';
export * from './digest';
export * from './resumable-digest';
export * from './names';
export * from './media-types';
export * from './registry-key';
export * from './registry-host';
export * from './upload-id';
