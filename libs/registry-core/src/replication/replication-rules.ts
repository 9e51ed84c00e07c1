import { parseRegistryKey } from '@cargohold/oci';
import { matchesWildcard } from '@cargohold/policy';
import type { ReplicationConfiguration, ReplicationDestination, ReplicationRule } from '@cargohold/storage-ports';
import { ReplicationValidationError } from './replication-errors';

/** ECR's quota: at most 25 unique destinations across all rules of a registry's configuration. */
export const MAX_UNIQUE_DESTINATIONS = 25;

const destinationKey = (destination: ReplicationDestination) => `${destination.registryId}:${destination.region}`;

/**
 * Checks what the input schema cannot (limits per rule and per filter are in the schema): the total of
 * unique destinations, and no rule replicating a registry into itself.
 */
export function validateReplicationConfiguration(source: string, configuration: ReplicationConfiguration): void {
  const { account, region } = parseRegistryKey(source);
  const unique = new Set<string>();
  for (const rule of configuration.rules) {
    for (const destination of rule.destinations) {
      if (destination.registryId === account && destination.region === region) {
        throw new ReplicationValidationError(`Replication destination cannot be the same as the source registry: region '${region}', registry '${account}'`);
      }
      unique.add(destinationKey(destination));
    }
  }
  if (unique.size > MAX_UNIQUE_DESTINATIONS) {
    throw new ReplicationValidationError(
      `The replication configuration has ${unique.size} unique destinations; the limit is ${MAX_UNIQUE_DESTINATIONS} across all rules`,
    );
  }
}

/**
 * Whether a rule covers an image of `repository` carrying `tags`. Filters of one kind are alternatives
 * (any may match); kinds combine with AND: a repository must match a PREFIX_MATCH filter (if any),
 * no PREFIX_NOT_MATCH filter, and, when TAG_PREFIX_MATCH filters exist, one of the image's tags must
 * match one of them (`*` is a wildcard; a pattern without `*` is a prefix).
 */
export function ruleCovers(rule: ReplicationRule, repository: string, tags: readonly string[]): boolean {
  const filters = rule.repositoryFilters ?? [];
  const of = (type: string) => filters.filter((f) => f.filterType === type).map((f) => f.filter);
  const prefixes = of('PREFIX_MATCH');
  if (prefixes.length > 0 && !prefixes.some((prefix) => repository.startsWith(prefix))) return false;
  if (of('PREFIX_NOT_MATCH').some((prefix) => repository.startsWith(prefix))) return false;
  const tagPatterns = of('TAG_PREFIX_MATCH');
  if (tagPatterns.length === 0) return true;
  return tags.some((tag) => tagPatterns.some((pattern) => matchesWildcard(pattern.includes('*') ? pattern : `${pattern}*`, tag)));
}

export interface MatchedDestination extends ReplicationDestination {
  /** Whether any rule naming this destination replicates deletes (cargohold extension). */
  readonly deletes: boolean;
}

/** The unique destinations the configuration sends this image to, in configuration order. */
export function destinationsFor(configuration: ReplicationConfiguration | undefined, repository: string, tags: readonly string[]): MatchedDestination[] {
  const found = new Map<string, MatchedDestination>();
  for (const rule of configuration?.rules ?? []) {
    if (!ruleCovers(rule, repository, tags)) continue;
    const deletes = rule.deleteReplication?.enabled === true;
    for (const destination of rule.destinations) {
      const key = destinationKey(destination);
      const known = found.get(key);
      found.set(key, { region: destination.region, registryId: destination.registryId, deletes: deletes || (known?.deletes ?? false) });
    }
  }
  return [...found.values()];
}
