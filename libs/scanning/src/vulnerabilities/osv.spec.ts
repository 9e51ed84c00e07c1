import { GHSA_URLLIB3_COOKIE_LEAK } from '../spec-fixtures/osv-records';
import { parseOsvRecord } from './osv';

describe('parseOsvRecord', () => {
  it('accepts a record as osv.dev publishes it, dropping fields it does not read', () => {
    const json = JSON.parse(JSON.stringify({ ...GHSA_URLLIB3_COOKIE_LEAK, schema_version: '1.6.0', credits: [{ name: 'someone' }] })) as unknown;

    const result = parseOsvRecord(json);

    expect(result.ok).toBe(true);
    expect(result.ok && result.record).toEqual({ ...GHSA_URLLIB3_COOKIE_LEAK, schema_version: '1.6.0' });
  });

  it('keeps severity and range types it does not interpret', () => {
    const result = parseOsvRecord({
      id: 'UBUNTU-CVE-2024-0001',
      severity: [{ type: 'Ubuntu', score: 'medium' }],
      affected: [
        { package: { ecosystem: 'Ubuntu:22.04:LTS', name: 'x' }, ranges: [{ type: 'GIT', repo: 'https://example.org/x', events: [{ introduced: 'abc' }] }] },
      ],
    });

    expect(result.ok).toBe(true);
  });

  it.each([
    ['no id', { affected: [] }, 'id'],
    [
      'an event of no known kind',
      { id: 'X', affected: [{ package: { ecosystem: 'npm', name: 'x' }, ranges: [{ type: 'SEMVER', events: [{ broken: '1' }] }] }] },
      'affected.0.ranges.0.events.0',
    ],
    ['a package without a name', { id: 'X', affected: [{ package: { ecosystem: 'npm' } }] }, 'affected.0.package.name'],
    ['not an object', 'DSA-1', '(root)'],
  ])('refuses a record with %s, saying where', (_label, json, where) => {
    const result = parseOsvRecord(json);

    expect(result).toEqual({ ok: false, error: expect.stringContaining(where) as unknown });
  });
});
