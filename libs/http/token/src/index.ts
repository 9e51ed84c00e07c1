export * from './auth-token';
