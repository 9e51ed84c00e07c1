export * from './actions';
export * from './authorizer';
export * from './identities';
export * from './sigv4';
export * from './sigv4-authorization';
export * from './sigv4-errors';
export * from './token';
