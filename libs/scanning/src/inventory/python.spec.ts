import { URLLIB3_METADATA } from '../spec-fixtures/package-databases';
import { isPythonMetadata, parsePythonMetadata } from './python';

describe('Python metadata', () => {
  it('reads Name and Version from the headers of a dist-info METADATA file, not from its body', () => {
    expect(parsePythonMetadata(URLLIB3_METADATA, '/m')).toEqual([{ ecosystem: 'PyPI', name: 'urllib3', version: '1.26.5', path: '/m' }]);
  });

  it('finds dist-info METADATA and egg-info PKG-INFO files', () => {
    expect(isPythonMetadata('/usr/lib/python3/dist-packages/urllib3-1.26.5.dist-info/METADATA')).toBe(true);
    expect(isPythonMetadata('/usr/lib/python3.11/site-packages/six-1.16.0.egg-info/PKG-INFO')).toBe(true);
    expect(isPythonMetadata('/usr/lib/python3/dist-packages/six-1.16.0.egg-info')).toBe(true);
    expect(isPythonMetadata('/usr/lib/python3/dist-packages/urllib3/METADATA')).toBe(false);
  });
});
