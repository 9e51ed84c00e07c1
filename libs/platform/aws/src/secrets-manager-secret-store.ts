import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SecretAccessError, SecretDecryptError, SecretNotFoundError, type SecretStore } from '@cargohold/storage-ports';
import type { AwsClients } from './aws-clients';

export const secretsManagerClient = (clients: AwsClients): SecretsManagerClient =>
  clients.shared('secretsmanager', (common) => new SecretsManagerClient(common));

/** How long a secret's value is reused: pulls do not each cost a Secrets Manager call, and a rotation lands within a minute. */
const DEFAULT_TTL_MS = 60_000;

/**
 * Pull-through cache credentials from AWS Secrets Manager. The function's role may read only
 * `ecr-pullthroughcache/*` secrets (serverless.yml), as ECR's service role may; what Secrets Manager
 * refuses is translated here, so the core sees SecretNotFoundError, SecretAccessError or
 * SecretDecryptError. Throttling and outages pass through as they are (retried by the SDK first).
 */
export class SecretsManagerSecretStore implements SecretStore {
  private readonly cache = new Map<string, { value: string; until: number }>();

  constructor(
    private readonly client: SecretsManagerClient,
    private readonly ttlMs = DEFAULT_TTL_MS,
    private readonly now: () => number = Date.now,
  ) {}

  async read(arn: string): Promise<string> {
    const cached = this.cache.get(arn);
    if (cached && cached.until > this.now()) return cached.value;
    const value = await this.fetch(arn);
    this.cache.set(arn, { value, until: this.now() + this.ttlMs });
    return value;
  }

  private async fetch(arn: string): Promise<string> {
    try {
      const answer = await this.client.send(new GetSecretValueCommand({ SecretId: arn }));
      if (answer.SecretString !== undefined) return answer.SecretString;
      if (answer.SecretBinary !== undefined) return Buffer.from(answer.SecretBinary).toString('utf8');
      throw new SecretDecryptError(arn, 'the secret has no value');
    } catch (error) {
      const name = (error as { name?: string }).name;
      if (name === 'ResourceNotFoundException') throw new SecretNotFoundError(arn);
      if (name === 'AccessDeniedException' || name === 'AccessDenied') throw new SecretAccessError(arn, (error as Error).message);
      if (name === 'DecryptionFailure') throw new SecretDecryptError(arn, (error as Error).message);
      throw error;
    }
  }
}
