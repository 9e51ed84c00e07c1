import { RegistryError } from '@cargohold/oci';
import { s3Failure, S3StorageError, S3UnavailableError } from './s3-errors';

const sdkError = (name: string, status: number, extra: object = {}) =>
  Object.assign(new Error(name), { name, $metadata: { httpStatusCode: status }, ...extra });

describe('s3Failure', () => {
  it.each([
    ['503 SlowDown', sdkError('SlowDown', 503)],
    ['500 InternalError', sdkError('InternalError', 500)],
    ['a socket timeout', Object.assign(new Error('timed out'), { name: 'TimeoutError' })],
    ['a reset connection', Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' })],
  ])('makes %s that outlived the retries a retryable 503 UNAVAILABLE with Retry-After', (_name, error) => {
    const failure = s3Failure('PutObject', error);
    expect(failure).toBeInstanceOf(S3UnavailableError);
    expect(failure).toBeInstanceOf(RegistryError);
    expect(failure).toMatchObject({ code: 'UNAVAILABLE', status: 503, headers: { 'Retry-After': '1' } });
    expect(failure.cause).toBe(error);
  });

  it.each([
    ['403 AccessDenied', sdkError('AccessDenied', 403)],
    ['404 NoSuchBucket', sdkError('NoSuchBucket', 404)],
    ['501 NotImplemented', sdkError('NotImplemented', 501)],
  ])('keeps %s an internal S3StorageError (a 500 that names no internals)', (_name, error) => {
    const failure = s3Failure('PutObject', error);
    expect(failure).toBeInstanceOf(S3StorageError);
    expect(failure).not.toBeInstanceOf(RegistryError);
  });
});
