import type { InstalledPackage } from '../inventory/types';
import { GHSA_MINIMIST_PROTOTYPE_POLLUTION } from '../spec-fixtures/osv-records';
import { isAffected } from './affected';
import type { OsvRecord } from './osv';

const npm = (name: string, version: string): InstalledPackage => ({ ecosystem: 'npm', name, version, path: '/app/package-lock.json' });

function record(affected: OsvRecord['affected'], extra: Partial<OsvRecord> = {}): OsvRecord {
  return { id: 'TEST-1', affected, ...extra };
}

describe('isAffected', () => {
  it.each([
    ['0.2.3', true],
    ['0.2.4', false],
    ['0.9.0', false],
    ['1.0.0', true],
    ['1.2.5', true],
    ['1.2.6', false],
    ['1.2.8', false],
  ])('checks minimist %s against two ranges (affected: %s)', (version, expected) => {
    expect(isAffected(GHSA_MINIMIST_PROTOTYPE_POLLUTION, npm('minimist', version))).toBe(expected);
  });

  it('treats last_affected as inclusive', () => {
    const r = record([
      { package: { ecosystem: 'npm', name: 'x' }, ranges: [{ type: 'SEMVER', events: [{ introduced: '1.0.0' }, { last_affected: '1.4.2' }] }] },
    ]);

    expect(isAffected(r, npm('x', '0.9.9'))).toBe(false);
    expect(isAffected(r, npm('x', '1.4.2'))).toBe(true);
    expect(isAffected(r, npm('x', '1.4.3'))).toBe(false);
  });

  it('reads events in version order, whatever order the record lists them in', () => {
    const r = record([{ package: { ecosystem: 'npm', name: 'x' }, ranges: [{ type: 'SEMVER', events: [{ fixed: '2.0.0' }, { introduced: '1.5.0' }] }] }]);

    expect(isAffected(r, npm('x', '1.7.0'))).toBe(true);
    expect(isAffected(r, npm('x', '2.0.0'))).toBe(false);
  });

  it('matches the explicit versions list even without ranges', () => {
    const r = record([{ package: { ecosystem: 'npm', name: 'event-stream' }, versions: ['3.3.6'] }]);

    expect(isAffected(r, npm('event-stream', '3.3.6'))).toBe(true);
    expect(isAffected(r, npm('event-stream', '3.3.5'))).toBe(false);
  });

  it('matches OS packages by source name and exact release', () => {
    const r = record([
      { package: { ecosystem: 'Debian:12', name: 'openssl' }, ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '3.0.13-1~deb12u1' }] }] },
    ]);
    const libssl3: InstalledPackage = {
      ecosystem: 'Debian:12',
      name: 'libssl3',
      sourceName: 'openssl',
      version: '3.0.11-1~deb12u2',
      path: '/var/lib/dpkg/status',
    };

    expect(isAffected(r, libssl3)).toBe(true);
    expect(isAffected(r, { ...libssl3, ecosystem: 'Debian:11' })).toBe(false);
    expect(isAffected(r, { ...libssl3, sourceName: 'libssl3' })).toBe(false);
    expect(isAffected(r, { ...libssl3, version: '3.0.13-1~deb12u1' })).toBe(false);
  });

  it('compares PyPI names normalized', () => {
    const r = record([
      { package: { ecosystem: 'PyPI', name: 'Zope.Interface' }, ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '5.0' }] }] },
    ]);

    expect(isAffected(r, { ecosystem: 'PyPI', name: 'zope-interface', version: '4.7.2', path: '/m' })).toBe(true);
  });

  it('covers every version, even an unreadable one, with an open range from introduced "0"', () => {
    expect(
      isAffected(record([{ package: { ecosystem: 'npm', name: 'x' }, ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }] }] }]), npm('x', 'latest')),
    ).toBe(true);
  });

  it('claims nothing for withdrawn records, GIT ranges or versions it cannot place in a range', () => {
    const range = { type: 'ECOSYSTEM', events: [{ introduced: '0' }] };

    expect(isAffected(record([{ package: { ecosystem: 'npm', name: 'x' }, ranges: [range] }], { withdrawn: '2024-01-01T00:00:00Z' }), npm('x', '1.0.0'))).toBe(
      false,
    );
    expect(
      isAffected(
        record([{ package: { ecosystem: 'npm', name: 'x' }, ranges: [{ type: 'GIT', repo: 'r', events: [{ introduced: '0' }] }] }]),
        npm('x', '1.0.0'),
      ),
    ).toBe(false);
    expect(
      isAffected(
        record([{ package: { ecosystem: 'npm', name: 'x' }, ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '1.0.0' }] }] }]),
        npm('x', 'latest'),
      ),
    ).toBe(false);
  });
});
