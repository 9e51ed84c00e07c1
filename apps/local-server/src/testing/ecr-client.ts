import { ECRClient, GetAuthorizationTokenCommand } from '@aws-sdk/client-ecr';

export const ADMIN = { accessKeyId: 'test', secretAccessKey: 'test' };

/** A real SDK client (real SigV4) pointed at a test server. */
export function ecrClient(url: string, credentials = ADMIN, region = 'us-east-1'): ECRClient {
  return new ECRClient({ endpoint: url, region, credentials, maxAttempts: 1 });
}

/** Runs `fn` and returns the AWS error name it failed with (or 'no error'). */
export async function awsErrorName(fn: () => Promise<unknown>): Promise<string> {
  try {
    await fn();
    return 'no error';
  } catch (error) {
    return (error as { name?: string }).name ?? String(error);
  }
}

/** `aws ecr get-login-password`: the token part of the first authorizationData. */
export async function loginPassword(client: ECRClient, registryIds?: string[]): Promise<string> {
  const { authorizationData } = await client.send(new GetAuthorizationTokenCommand(registryIds ? { registryIds } : {}));
  const decoded = Buffer.from(authorizationData?.[0]?.authorizationToken ?? '', 'base64').toString('utf8');
  if (!decoded.startsWith('AWS:')) throw new Error(`unexpected authorization token ${decoded.slice(0, 20)}`);
  return decoded.slice(4);
}
