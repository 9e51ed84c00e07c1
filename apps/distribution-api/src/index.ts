export * from './distribution-api';
