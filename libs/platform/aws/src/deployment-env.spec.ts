import { LAMBDA_CHUNK_MIN_LENGTH, MAX_LAMBDA_REQUEST_BYTES } from '@cargohold/lambda-kit';
import { readDeploymentEnv } from './deployment-env';

const KEY = Buffer.alloc(32, 1).toString('base64');
const BASE = { BUCKET: 'blobs-bucket', TABLE: 'cargohold', TOKEN_KEY_BASE64: KEY, ALLOW_DEFAULT_IDENTITIES: 'true' };

describe('readDeploymentEnv', () => {
  it('applies the Lambda defaults: request cap that survives base64, chunks under it, default registry', () => {
    const env = readDeploymentEnv({ ...BASE });
    expect(env).toMatchObject({
      bucket: 'blobs-bucket',
      table: 'cargohold',
      registryId: '000000000000:us-east-1',
      maxRequestBytes: MAX_LAMBDA_REQUEST_BYTES,
      chunkMinLength: LAMBDA_CHUNK_MIN_LENGTH,
      s3ForcePathStyle: false,
    });
    expect(Math.ceil(MAX_LAMBDA_REQUEST_BYTES / 3) * 4).toBeLessThan(6 * 1024 * 1024);
    expect(env.tokenKey).toEqual(Buffer.alloc(32, 1));
  });

  it('takes the account and region of the registry from the environment', () => {
    const env = readDeploymentEnv({ ...BASE, REGISTRY_ACCOUNT_ID: '123456789012', AWS_REGION: 'eu-west-1' });
    expect(env.registryId).toBe('123456789012:eu-west-1');
  });

  it('takes the region from AWS_DEFAULT_REGION when AWS_REGION is not set, as the AWS CLI does', () => {
    expect(readDeploymentEnv({ ...BASE, AWS_DEFAULT_REGION: 'eu-central-1' }).region).toBe('eu-central-1');
    expect(readDeploymentEnv({ ...BASE, AWS_REGION: 'eu-west-1', AWS_DEFAULT_REGION: 'eu-central-1' }).region).toBe('eu-west-1');
  });

  it('refuses a region that is not a region name', () => {
    expect(() => readDeploymentEnv({ ...BASE, AWS_REGION: 'Mars' })).toThrow(/AWS_REGION "Mars"/);
  });

  it('refuses to start without identities unless the default admin is explicitly allowed', () => {
    expect(() => readDeploymentEnv({ ...BASE, ALLOW_DEFAULT_IDENTITIES: undefined })).toThrow(/IDENTITIES_JSON is required/);
  });

  it('refuses a short token key and names a missing bucket', () => {
    expect(() => readDeploymentEnv({ ...BASE, TOKEN_KEY_BASE64: 'c2hvcnQ=' })).toThrow(/at least 32 bytes/);
    expect(() => readDeploymentEnv({ ...BASE, BUCKET: undefined })).toThrow(/BUCKET/);
  });

  it('validates IDENTITIES_JSON against the identity schema', () => {
    expect(() => readDeploymentEnv({ ...BASE, IDENTITIES_JSON: '{"accounts":[{"id":"x"}]}' })).toThrow(/IDENTITIES_JSON is invalid/);
  });

  it('takes the upload gateway origin, and refuses a URL with a path', () => {
    expect(readDeploymentEnv({ ...BASE }).uploadGatewayUrl).toBeUndefined();
    expect(readDeploymentEnv({ ...BASE, UPLOAD_GATEWAY_URL: 'https://uploads.example.com/' }).uploadGatewayUrl).toBe('https://uploads.example.com');
    expect(() => readDeploymentEnv({ ...BASE, UPLOAD_GATEWAY_URL: 'https://uploads.example.com/v2' })).toThrow(/UPLOAD_GATEWAY_URL/);
  });
});
