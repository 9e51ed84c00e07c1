import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { SecretAccessError, SecretNotFoundError, type SecretStore } from '@cargohold/storage-ports';

/** `arn:aws:secretsmanager:<region>:<account>:secret:<name>` → `<name>` (e.g. `ecr-pullthroughcache/hub`). */
const secretName = (arn: string) => /:secret:(ecr-pullthroughcache\/[a-zA-Z0-9/_+=.@-]+)$/.exec(arn)?.[1];

/**
 * The embedded deployment's secrets: those the config file lists by ARN (`pullThroughCache.secrets`),
 * else the file `<data-dir>/secrets/<name>` for the ARN's secret name (`ecr-pullthroughcache/hub` →
 * `secrets/ecr-pullthroughcache/hub`), holding the value as Secrets Manager would (ECR's JSON
 * `{"username": …, "accessToken": …}`). Read at each use, so a rotated file takes effect at once.
 */
export function fileSecretStore(dataDir: string, inline: Readonly<Record<string, string>> = {}): SecretStore {
  return {
    async read(arn) {
      const configured = inline[arn];
      if (configured !== undefined) return configured;
      const name = secretName(arn);
      if (name === undefined || name.split('/').includes('..')) throw new SecretNotFoundError(arn);
      try {
        return await readFile(join(dataDir, 'secrets', name), 'utf8');
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        if (code === 'ENOENT' || code === 'EISDIR' || code === 'ENOTDIR') throw new SecretNotFoundError(arn);
        throw new SecretAccessError(arn, code ?? 'unreadable');
      }
    },
  };
}
