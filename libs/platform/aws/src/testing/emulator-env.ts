/**
 * The SDK environment that points every AWS client of a handler at local emulators (s3rver, DynamoDB Local)
 * with fake credentials; checksums only when an operation requires them, as s3rver expects.
 */
export function emulatorEnvironment(endpoints: { readonly s3: string; readonly dynamodb: string }): Record<string, string> {
  return {
    AWS_ENDPOINT_URL_S3: endpoints.s3,
    AWS_ENDPOINT_URL_DYNAMODB: endpoints.dynamodb,
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'S3RVER',
    AWS_SECRET_ACCESS_KEY: 'S3RVER',
    AWS_REQUEST_CHECKSUM_CALCULATION: 'WHEN_REQUIRED',
    AWS_RESPONSE_CHECKSUM_VALIDATION: 'WHEN_REQUIRED',
  };
}

/**
 * The process environment a spec runs the SDK's own configuration chain in: `saved` plus the emulators'
 * variables, with no shared config, credentials file or profile to fall back on.
 */
export function isolatedEmulatorEnv(saved: NodeJS.ProcessEnv, endpoints: { readonly s3: string; readonly dynamodb: string }): NodeJS.ProcessEnv {
  const { AWS_PROFILE: _profile, ...rest } = saved;
  return { ...rest, ...emulatorEnvironment(endpoints), AWS_CONFIG_FILE: '/nonexistent', AWS_SHARED_CREDENTIALS_FILE: '/nonexistent' };
}
