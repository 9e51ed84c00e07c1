export * from './image-scanner';
export * from './vulndb-import';
