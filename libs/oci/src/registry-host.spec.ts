import { registryFromHost, registryHost } from './registry-host';

describe('registries by host', () => {
  const fallback = '000000000000:us-east-1';

  it('selects the registry named by an ECR-form host, any other host the default', () => {
    expect(registryFromHost('123456789012.dkr.ecr.eu-west-1.localhost:5000', fallback)).toBe('123456789012:eu-west-1');
    expect(registryFromHost('123456789012.DKR.ECR.eu-west-1.example.com', fallback)).toBe('123456789012:eu-west-1');
    expect(registryFromHost('127.0.0.1:5000', fallback)).toBe(fallback);
    expect(registryFromHost(undefined, fallback)).toBe(fallback);
  });

  it('builds hosts a docker client can push to as given', () => {
    expect(registryHost(fallback, '127.0.0.1:5000', fallback, 'localhost')).toBe('127.0.0.1:5000');
    expect(registryHost('111111111111:us-east-1', '127.0.0.1:5000', fallback, 'localhost')).toBe('111111111111.dkr.ecr.us-east-1.localhost:5000');
    expect(registryHost(fallback, '000000000000.dkr.ecr.us-east-1.example.com:8443', fallback, 'localhost')).toBe(
      '000000000000.dkr.ecr.us-east-1.example.com:8443',
    );
  });
});
