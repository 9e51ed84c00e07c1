import type { InstalledPackage } from '../inventory/types';
import { GHSA_LODASH_COMMAND_INJECTION } from '../spec-fixtures/osv-records';
import { countSeverities, cveOf, toFinding } from './findings';
import type { OsvRecord } from './osv';

const lodash: InstalledPackage = { ecosystem: 'npm', name: 'lodash', version: '4.17.20', path: '/app/package-lock.json' };

describe('findings', () => {
  it('names a finding by the CVE among id, aliases, upstream or a distribution-prefixed id', () => {
    expect(cveOf({ id: 'CVE-2024-1234' })).toBe('CVE-2024-1234');
    expect(cveOf({ id: 'GHSA-35jh-r3h4-6jhm', aliases: ['CVE-2021-23337'] })).toBe('CVE-2021-23337');
    expect(cveOf({ id: 'DSA-5532-1', upstream: ['CVE-2023-5678'] })).toBe('CVE-2023-5678');
    expect(cveOf({ id: 'ALPINE-CVE-2024-2511' })).toBe('CVE-2024-2511');
    expect(cveOf({ id: 'GHSA-xxxx-yyyy-zzzz' })).toBeUndefined();
  });

  it('reports a matched record as DescribeImageScanFindings does', () => {
    expect(toFinding(GHSA_LODASH_COMMAND_INJECTION, lodash)).toEqual({
      name: 'CVE-2021-23337',
      description: '`lodash` versions prior to 4.17.21 are vulnerable to Command Injection via the template function.',
      uri: 'https://nvd.nist.gov/vuln/detail/CVE-2021-23337',
      severity: 'HIGH',
      attributes: [
        { key: 'package_name', value: 'lodash' },
        { key: 'package_version', value: '4.17.20' },
        { key: 'CVSS3_SCORE', value: '7.2' },
        { key: 'CVSS3_VECTOR', value: 'CVSS:3.1/AV:N/AC:L/PR:H/UI:N/S:U/C:H/I:H/A:H' },
      ],
    });
  });

  it("grades by the database's word when there is no vector, else leaves it UNTRIAGED", () => {
    const graded: OsvRecord = { id: 'GHSA-aaaa-bbbb-cccc', summary: 'x', database_specific: { severity: 'MODERATE' } };

    expect(toFinding(graded, lodash)).toMatchObject({
      name: 'GHSA-aaaa-bbbb-cccc',
      severity: 'MEDIUM',
      uri: 'https://osv.dev/vulnerability/GHSA-aaaa-bbbb-cccc',
    });
    expect(toFinding({ id: 'GHSA-aaaa-bbbb-cccc' }, lodash).severity).toBe('UNTRIAGED');
  });

  it('counts findings per severity', () => {
    const f = toFinding(GHSA_LODASH_COMMAND_INJECTION, lodash);

    expect(countSeverities([f, f, { ...f, severity: 'LOW' }])).toEqual({ HIGH: 2, LOW: 1 });
  });
});
