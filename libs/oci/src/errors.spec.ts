import { OCI_ERROR_CODES, ociErrorBody, RegistryError } from './errors';

describe('RegistryError', () => {
  it('takes its status and default message from the OCI code table', () => {
    const error = new RegistryError('BLOB_UNKNOWN');
    expect(error).toMatchObject({ code: 'BLOB_UNKNOWN', status: 404, message: OCI_ERROR_CODES.BLOB_UNKNOWN.message });
    expect(error.headers).toEqual({});
  });

  it('lets the thrower override the status and add headers', () => {
    const error = new RegistryError('RANGE_INVALID', 'chunk out of order', { status: 416, headers: { Range: '0-9' } });
    expect(error).toMatchObject({ status: 416, headers: { Range: '0-9' }, message: 'chunk out of order' });
  });

  it('names itself after the concrete subclass', () => {
    class ExampleError extends RegistryError {}
    expect(new ExampleError('DENIED').name).toBe('ExampleError');
  });

  it('keeps the cause', () => {
    const cause = new Error('root');
    expect(new RegistryError('UNSUPPORTED', undefined, { cause }).cause).toBe(cause);
  });
});

describe('ociErrorBody', () => {
  it('serializes errors as {"errors":[{code,message}]}', () => {
    expect(ociErrorBody([new RegistryError('NAME_UNKNOWN', 'repository "x" not found')])).toEqual({
      errors: [{ code: 'NAME_UNKNOWN', message: 'repository "x" not found' }],
    });
  });

  it('includes detail only when present', () => {
    const body = ociErrorBody([new RegistryError('DIGEST_INVALID'), new RegistryError('SIZE_INVALID', 'too big', { detail: { limit: 10 } })]);
    expect(body.errors[0]).not.toHaveProperty('detail');
    expect(body.errors[1]).toEqual({ code: 'SIZE_INVALID', message: 'too big', detail: { limit: 10 } });
  });

  it('round-trips through JSON unchanged', () => {
    const body = ociErrorBody([new RegistryError('DENIED')]);
    expect(JSON.parse(JSON.stringify(body))).toEqual(body);
  });
});
