import { AwsStorageUnreachableError } from '@cargohold/platform-aws';
import { errorText } from './error-text';

describe('errorText', () => {
  it('follows the causes an adapter keeps, so the vendor reason is printed', () => {
    const error = new Error('S3 ListObjectsV2 failed', { cause: new Error('Region is missing') });
    expect(errorText(error)).toBe('S3 ListObjectsV2 failed: Region is missing');
  });

  it('prints an error written for the operator as it is', () => {
    const error = new AwsStorageUnreachableError(
      'bucket',
      'b',
      'NoSuchBucket',
      'create it, or pass --bucket',
      new Error('The specified bucket does not exist'),
    );
    expect(errorText(error)).toBe('cannot reach bucket "b" (NoSuchBucket): create it, or pass --bucket');
  });

  it('prints a thrown non-error as text', () => {
    expect(errorText('boom')).toBe('boom');
  });
});
