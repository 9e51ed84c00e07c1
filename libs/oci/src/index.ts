export * from './errors';
export * from './digest';
