export * from './actions';
export * from './authorizer';
