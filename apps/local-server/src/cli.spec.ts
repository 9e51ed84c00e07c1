import { parseCommand, USAGE } from './cli';

describe('parseCommand', () => {
  it('defaults to 127.0.0.1:5000 with data in ./.cargohold', () => {
    expect(parseCommand(['serve'])).toEqual({
      kind: 'serve',
      host: '127.0.0.1',
      port: 5000,
      dataDir: './.cargohold',
      logLevel: 'info',
      allowAnonymous: false,
    });
  });

  it('takes every documented option', () => {
    expect(
      parseCommand(['serve', '--host', '0.0.0.0', '--port', '0', '--data-dir', '/d', '--config', 'c.json', '--log-level', 'debug', '--allow-anonymous']),
    ).toEqual({ kind: 'serve', host: '0.0.0.0', port: 0, dataDir: '/d', configFile: 'c.json', logLevel: 'debug', allowAnonymous: true });
  });

  it('takes the request cap and the AWS backend with its bucket and table', () => {
    expect(parseCommand(['serve', '--max-request-bytes', '6000000', '--backend', 'aws', '--bucket', 'b', '--table', 't'])).toMatchObject({
      kind: 'serve',
      maxRequestBytes: 6_000_000,
      backend: 'aws',
      bucket: 'b',
      table: 't',
    });
  });

  it('takes the upload gateway role and the gateway URL of the server that starts uploads', () => {
    expect(parseCommand(['serve', '--backend', 'aws', '--role', 'upload-gateway'])).toMatchObject({ role: 'upload-gateway' });
    expect(parseCommand(['serve', '--upload-gateway-url', 'https://uploads.example.com/'])).toMatchObject({ uploadGatewayUrl: 'https://uploads.example.com' });
    expect(parseCommand(['serve', '--upload-gateway-url', 'http://127.0.0.1:5001'])).toMatchObject({ uploadGatewayUrl: 'http://127.0.0.1:5001' });
  });

  it('takes gc with --dry-run, --grace (s, m, h, d or seconds) and --config, and refuses them elsewhere', () => {
    expect(parseCommand(['gc'])).toEqual({ kind: 'gc', dataDir: './.cargohold', dryRun: false });
    expect(parseCommand(['gc', '--dry-run', '--grace', '36h', '--data-dir', '/d', '--config', 'c.json'])).toEqual({
      kind: 'gc',
      dataDir: '/d',
      dryRun: true,
      graceMs: 36 * 3_600_000,
      configFile: 'c.json',
    });
    expect(parseCommand(['gc', '--grace', '90'])).toMatchObject({ graceMs: 90_000 });
    expect(parseCommand(['gc', '--grace', '0'])).toMatchObject({ graceMs: 0 });
    expect(parseCommand(['gc', '--grace', '1w'])).toEqual({ kind: 'error', message: 'invalid --grace 1w (e.g. 24h, 90m, 30s, 0)' });
    expect(parseCommand(['serve', '--dry-run'])).toEqual({ kind: 'error', message: '--dry-run and --grace are options of gc' });
  });

  it('takes fsck with --repair and --data-dir, and refuses --repair elsewhere', () => {
    expect(parseCommand(['fsck'])).toEqual({ kind: 'fsck', dataDir: './.cargohold', repair: false });
    expect(parseCommand(['fsck', '--repair', '--data-dir', '/d'])).toEqual({ kind: 'fsck', dataDir: '/d', repair: true });
    expect(parseCommand(['fsck', 'extra'])).toMatchObject({ kind: 'error' });
    expect(parseCommand(['serve', '--repair'])).toEqual({ kind: 'error', message: '--repair is an option of fsck' });
    expect(USAGE).toContain('cargohold fsck [--repair] [--data-dir DIR]');
  });

  it('takes the shutdown grace in seconds', () => {
    expect(parseCommand(['serve', '--shutdown-grace', '120'])).toMatchObject({ shutdownGraceSeconds: 120 });
    expect(parseCommand(['serve', '--shutdown-grace', '0.5'])).toMatchObject({ shutdownGraceSeconds: 0.5 });
  });

  it('takes aws bootstrap with its bucket, table, endpoint and region, and --version', () => {
    expect(parseCommand(['aws', 'bootstrap', '--bucket', 'b', '--table', 't'])).toEqual({ kind: 'aws-bootstrap', bucket: 'b', table: 't' });
    expect(parseCommand(['aws', 'bootstrap', '--bucket', 'b', '--table', 't', '--endpoint-url', 'http://localhost:4566/', '--region', 'eu-west-1'])).toEqual({
      kind: 'aws-bootstrap',
      bucket: 'b',
      table: 't',
      endpointUrl: 'http://localhost:4566',
      region: 'eu-west-1',
    });
    expect(parseCommand(['aws', 'bootstrap', '--bucket', 'b'])).toMatchObject({ kind: 'error', message: expect.stringContaining('both --bucket and --table') });
    expect(parseCommand(['aws', 'deploy'])).toMatchObject({ kind: 'error', message: expect.stringContaining('usage: cargohold aws bootstrap') });
    expect(parseCommand(['aws', 'bootstrap', '--bucket', 'b', '--table', 't', '--endpoint-url', 'ftp://x'])).toMatchObject({ kind: 'error' });
    expect(parseCommand(['aws', 'bootstrap', '--bucket', 'b', '--table', 't', '--region', 'moon'])).toMatchObject({ kind: 'error' });
    expect(parseCommand(['serve', '--region', 'us-east-1'])).toMatchObject({ kind: 'error', message: expect.stringContaining('options of aws bootstrap') });
    expect(parseCommand(['--version'])).toEqual({ kind: 'version' });
  });

  it('answers --help and -h with the usage', () => {
    expect(parseCommand(['--help'])).toEqual({ kind: 'help' });
    expect(parseCommand(['serve', '-h'])).toEqual({ kind: 'help' });
    expect(USAGE).toContain('--data-dir');
  });

  it.each([
    [['serve', '--port', '70000'], 'invalid --port'],
    [['serve', '--port', 'x'], 'invalid --port'],
    [['serve', '--bogus'], 'Unknown option'],
    [[], 'missing command'],
    [['deploy'], 'unknown command'],
    [['serve', '--log-level', 'loud'], 'invalid --log-level'],
    [['serve', '--max-request-bytes', '6MB'], 'invalid --max-request-bytes'],
    [['serve', '--max-request-bytes', '10'], 'invalid --max-request-bytes'],
    [['serve', '--backend', 'gcs'], 'invalid --backend'],
    [['serve', '--role', 'proxy'], 'invalid --role'],
    [['serve', '--shutdown-grace=-1'], 'invalid --shutdown-grace'],
    [['serve', '--shutdown-grace', '1h'], 'invalid --shutdown-grace'],
    [['serve', '--upload-gateway-url', 'uploads.example.com'], 'invalid --upload-gateway-url'],
    [['serve', '--upload-gateway-url', 'https://uploads.example.com/v2'], 'invalid --upload-gateway-url'],
    [['serve', '--upload-gateway-url', 'ftp://uploads.example.com'], 'invalid --upload-gateway-url'],
    [['serve', '--role', 'upload-gateway', '--upload-gateway-url', 'http://a.example'], 'not the gateway'],
  ])('refuses %j', (argv, message) => {
    const command = parseCommand(argv);
    expect(command.kind).toBe('error');
    expect(command.kind === 'error' && command.message).toContain(message);
  });
});
