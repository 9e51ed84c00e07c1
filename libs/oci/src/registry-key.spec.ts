import { formatRegistryKey, parseRegistryKey, repositoryArn } from './registry-key';

describe('RegistryKey', () => {
  it('formats as <account>:<region> and parses back', () => {
    const key = { account: '123456789012', region: 'eu-west-1' };
    expect(formatRegistryKey(key)).toBe('123456789012:eu-west-1');
    expect(parseRegistryKey(formatRegistryKey(key))).toEqual(key);
  });

  it('parses a bare account as a key without a region', () => {
    expect(parseRegistryKey('123456789012')).toEqual({ account: '123456789012', region: '' });
  });

  it('names a repository of the registry by its ECR ARN', () => {
    expect(repositoryArn('123456789012:eu-west-1', 'team/app')).toBe('arn:aws:ecr:eu-west-1:123456789012:repository/team/app');
    expect(repositoryArn('123456789012:eu-west-1', '*')).toBe('arn:aws:ecr:eu-west-1:123456789012:repository/*');
  });
});
