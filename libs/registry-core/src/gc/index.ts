export * from './blob-pins';
export * from './garbage-collector';
