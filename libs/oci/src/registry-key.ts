/**
 * A registry is one (account, region) pair. Storage keys, tokens, events and the ECR API carry it as
 * the string `<account>:<region>` (persisted data depends on that form), so it is formatted and parsed
 * here and nowhere else.
 */
export interface RegistryKey {
  /** The 12-digit AWS account id. */
  readonly account: string;
  readonly region: string;
}

export function formatRegistryKey(key: RegistryKey): string {
  return `${key.account}:${key.region}`;
}

/** The inverse of formatRegistryKey; a string without a region (never produced here) has region ''. */
export function parseRegistryKey(text: string): RegistryKey {
  const colon = text.indexOf(':');
  return colon < 0 ? { account: text, region: '' } : { account: text.slice(0, colon), region: text.slice(colon + 1) };
}

/** `arn:aws:ecr:<region>:<account>:repository/<name>`; `*` names every repository of the registry. */
export function repositoryArn(registry: string, repositoryName: string): string {
  const { account, region } = parseRegistryKey(registry);
  return `arn:aws:ecr:${region}:${account}:repository/${repositoryName}`;
}
