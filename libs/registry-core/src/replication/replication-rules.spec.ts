import type { ReplicationRule } from '@cargohold/storage-ports';
import { destinationsFor, ruleCovers, validateReplicationConfiguration } from './replication-rules';
import { ReplicationValidationError } from './replication-errors';

const WEST = { region: 'us-west-2', registryId: '000000000000' };
const rule = (filters: ReplicationRule['repositoryFilters'] = undefined): ReplicationRule => ({
  destinations: [WEST],
  ...(filters ? { repositoryFilters: filters } : {}),
});

describe('replication rules', () => {
  describe('validateReplicationConfiguration', () => {
    it('refuses a destination equal to the source registry', () => {
      const self = { rules: [{ destinations: [{ region: 'us-east-1', registryId: '000000000000' }] }] };
      expect(() => validateReplicationConfiguration('000000000000:us-east-1', self)).toThrow(ReplicationValidationError);
      expect(() => validateReplicationConfiguration('000000000000:us-west-2', self)).not.toThrow();
    });

    it('allows 25 unique destinations across rules, counting repeats once, and refuses a 26th', () => {
      const destinations = Array.from({ length: 25 }, (_, i) => ({ region: 'eu-west-1', registryId: String(100000000000 + i) }));
      const twice = { rules: [{ destinations }, { destinations }] };
      expect(() => validateReplicationConfiguration('000000000000:us-east-1', twice)).not.toThrow();
      const more = { rules: [{ destinations }, { destinations: [WEST] }] };
      expect(() => validateReplicationConfiguration('000000000000:us-east-1', more)).toThrow(/26 unique destinations; the limit is 25/);
    });
  });

  describe('ruleCovers', () => {
    it('covers every repository without filters, and those a PREFIX_MATCH names', () => {
      expect(ruleCovers(rule(), 'any/app', [])).toBe(true);
      const prefixed = rule([
        { filter: 'team', filterType: 'PREFIX_MATCH' },
        { filter: 'ops/', filterType: 'PREFIX_MATCH' },
      ]);
      expect(['team/app', 'teamwork', 'ops/x', 'other/app'].map((name) => ruleCovers(prefixed, name, []))).toEqual([true, true, true, false]);
    });

    it('excludes PREFIX_NOT_MATCH repositories (extension)', () => {
      const excluding = rule([
        { filter: 'team', filterType: 'PREFIX_MATCH' },
        { filter: 'team/private', filterType: 'PREFIX_NOT_MATCH' },
      ]);
      expect(ruleCovers(excluding, 'team/app', [])).toBe(true);
      expect(ruleCovers(excluding, 'team/private-db', [])).toBe(false);
    });

    it('needs one tag matching a TAG_PREFIX_MATCH pattern, a prefix or a wildcard (extension)', () => {
      const tagged = rule([
        { filter: 'release-', filterType: 'TAG_PREFIX_MATCH' },
        { filter: 'v*.0', filterType: 'TAG_PREFIX_MATCH' },
      ]);
      expect(ruleCovers(tagged, 'app', ['release-1'])).toBe(true);
      expect(ruleCovers(tagged, 'app', ['dev', 'v2.0'])).toBe(true);
      expect(ruleCovers(tagged, 'app', ['v2.1', 'latest'])).toBe(false);
      expect(ruleCovers(tagged, 'app', [])).toBe(false);
    });
  });

  it('destinationsFor merges destinations of every covering rule once, replicating deletes if any rule asks', () => {
    const configuration = { rules: [rule(), { ...rule([{ filter: 'team', filterType: 'PREFIX_MATCH' as const }]), deleteReplication: { enabled: true } }] };
    expect(destinationsFor(configuration, 'team/app', [])).toEqual([{ ...WEST, deletes: true }]);
    expect(destinationsFor(configuration, 'other', [])).toEqual([{ ...WEST, deletes: false }]);
    expect(destinationsFor(undefined, 'team/app', [])).toEqual([]);
  });
});
