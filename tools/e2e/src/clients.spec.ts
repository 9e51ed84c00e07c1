import { describeWithClients, requireClient, skopeoArgs } from './clients';

describe('requireClient', () => {
  const saved = { PATH: process.env['PATH'], CI: process.env['CI'] };
  let warn: jest.SpyInstance;

  beforeEach(() => {
    process.env['PATH'] = '/nonexistent-cargohold-e2e';
    warn = jest.spyOn(console, 'warn').mockImplementation(() => undefined);
  });

  afterEach(() => {
    process.env['PATH'] = saved.PATH;
    if (saved.CI === undefined) delete process.env['CI'];
    else process.env['CI'] = saved.CI;
    warn.mockRestore();
  });

  it('fails in CI when a client is missing, so a broken CI image is never green', () => {
    process.env['CI'] = 'true';

    expect(() => requireClient('skopeo')).toThrow(/skopeo is not on PATH/);
  });

  it('warns loudly and reports unavailable outside CI', () => {
    delete process.env['CI'];

    expect(requireClient('skopeo')).toBe(false);
    expect(warn).toHaveBeenCalledWith(expect.stringContaining('SKIPPING: skopeo is not on PATH'));
  });

  it('makes describeWithClients skip the suite outside CI', () => {
    delete process.env['CI'];
    const skip = jest.spyOn(describe, 'skip').mockImplementation(() => undefined);

    describeWithClients(['skopeo'], 'needs skopeo', () => undefined);

    expect(skip).toHaveBeenCalledWith('needs skopeo', expect.any(Function));
    skip.mockRestore();
  });
});

describe('skopeoArgs', () => {
  it('turns TLS verification off for the docker:// side of a copy only', () => {
    expect(skopeoArgs(['copy', 'oci:/l:v1', 'docker://127.0.0.1:5000/r:v1'])).toEqual([
      'copy',
      '--dest-tls-verify=false',
      'oci:/l:v1',
      'docker://127.0.0.1:5000/r:v1',
    ]);
    expect(skopeoArgs(['copy', 'docker://h/r:v1', 'dir:/d'])).toEqual(['copy', '--src-tls-verify=false', 'docker://h/r:v1', 'dir:/d']);
  });

  it('adds --tls-verify and --creds after the subcommand, leaving global options in front', () => {
    expect(skopeoArgs(['--override-arch', 'arm64', 'inspect', 'docker://h/r:v1'], { creds: 'AWS:token' })).toEqual([
      '--override-arch',
      'arm64',
      'inspect',
      '--tls-verify=false',
      '--creds',
      'AWS:token',
      'docker://h/r:v1',
    ]);
  });
});
