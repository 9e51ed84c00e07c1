export * from './http';
export * from './api-gateway';
export * from './http-api-handler';
export * from './sqs-batch-handler';
export * from './schedule-handler';
export { httpErrorHandler } from './middlewares/http-error-handler';
export { httpRequestAdapter } from './middlewares/http-request-adapter';
export { httpResponseEncoder } from './middlewares/http-response-encoder';
export * from './request-log';
