import { ManifestReferencedError, SizeLimitError, UploadOffsetMismatchError } from './errors';

describe('storage errors', () => {
  it('tells a client where an out-of-order chunk should have started (416 with Range)', () => {
    const error = new UploadOffsetMismatchError(20, 10);
    expect(error).toMatchObject({ code: 'BLOB_UPLOAD_INVALID', status: 416, headers: { Range: '0-9' }, currentSize: 10 });
    expect(new UploadOffsetMismatchError(5, 0).headers).toEqual({ Range: '0-0' });
  });

  it('answers 413 for bodies over a cap and 409 for a manifest an index still needs', () => {
    expect(new SizeLimitError('blob', 10)).toMatchObject({ code: 'SIZE_INVALID', status: 413 });
    expect(new ManifestReferencedError('sha256:a', ['sha256:b'])).toMatchObject({ status: 409, detail: { referencedBy: ['sha256:b'] } });
  });
});
