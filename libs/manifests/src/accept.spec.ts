import { acceptsMediaType } from './accept';

const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
const DOCKER_MANIFEST = 'application/vnd.docker.distribution.manifest.v2+json';
const DOCKER_LIST = 'application/vnd.docker.distribution.manifest.list.v2+json';

describe('acceptsMediaType', () => {
  it('accepts anything when Accept is absent or empty', () => {
    expect(acceptsMediaType(OCI_MANIFEST, undefined)).toBe(true);
    expect(acceptsMediaType(OCI_MANIFEST, '')).toBe(true);
    expect(acceptsMediaType(OCI_MANIFEST, [])).toBe(true);
    expect(acceptsMediaType(OCI_MANIFEST, [' ', ','])).toBe(true);
  });

  it('accepts the exact type in a comma-separated list, as docker sends it', () => {
    expect(acceptsMediaType(DOCKER_LIST, `${DOCKER_MANIFEST}, ${DOCKER_LIST}, ${OCI_MANIFEST}`)).toBe(true);
  });

  it('accepts a type named in any of several Accept headers', () => {
    expect(acceptsMediaType(OCI_MANIFEST, [DOCKER_MANIFEST, `${DOCKER_LIST},${OCI_MANIFEST}`])).toBe(true);
  });

  it('rejects a type that is not listed', () => {
    expect(acceptsMediaType(OCI_MANIFEST, `${DOCKER_MANIFEST}, ${DOCKER_LIST}`)).toBe(false);
  });

  it('accepts */* and type/* wildcards', () => {
    expect(acceptsMediaType(OCI_MANIFEST, `${DOCKER_MANIFEST}, */*`)).toBe(true);
    expect(acceptsMediaType(OCI_MANIFEST, 'application/*')).toBe(true);
    expect(acceptsMediaType(OCI_MANIFEST, 'text/*')).toBe(false);
  });

  it('compares case-insensitively and ignores parameters other than q', () => {
    expect(acceptsMediaType(OCI_MANIFEST, 'Application/VND.OCI.Image.Manifest.V1+JSON; charset=utf-8')).toBe(true);
  });

  it('ignores q-values other than zero', () => {
    expect(acceptsMediaType(OCI_MANIFEST, `${DOCKER_MANIFEST}, ${OCI_MANIFEST};q=0.1`)).toBe(true);
  });

  it('treats q=0 as not acceptable', () => {
    expect(acceptsMediaType(OCI_MANIFEST, `${OCI_MANIFEST};q=0`)).toBe(false);
    expect(acceptsMediaType(OCI_MANIFEST, `${OCI_MANIFEST} ; Q = 0.000`)).toBe(false);
  });

  it('reads an empty or unreadable q as 1', () => {
    expect(acceptsMediaType(OCI_MANIFEST, `${OCI_MANIFEST};q=`)).toBe(true);
    expect(acceptsMediaType(OCI_MANIFEST, `${OCI_MANIFEST};q=high`)).toBe(true);
  });

  it('lets a specific q=0 override a wildcard', () => {
    expect(acceptsMediaType(OCI_MANIFEST, `*/*, ${OCI_MANIFEST};q=0`)).toBe(false);
    expect(acceptsMediaType(DOCKER_MANIFEST, `*/*, ${OCI_MANIFEST};q=0`)).toBe(true);
  });

  it('lets a specific type override a wildcard with q=0', () => {
    expect(acceptsMediaType(OCI_MANIFEST, `*/*;q=0, ${OCI_MANIFEST}`)).toBe(true);
    expect(acceptsMediaType(DOCKER_MANIFEST, `*/*;q=0, ${OCI_MANIFEST}`)).toBe(false);
  });
});
