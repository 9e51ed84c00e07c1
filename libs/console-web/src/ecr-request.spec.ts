import { signEcrRequest } from './ecr-request';

const KEYS = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY', region: 'eu-west-1' };
const AT = new Date('2026-03-04T05:06:07Z');

describe('signEcrRequest', () => {
  it("POSTs the JSON body to the origin's / with the ECR target, signed for ecr in the key's region", async () => {
    const request = await signEcrRequest(KEYS, 'https://registry.example.com:8443', 'DescribeImages', { repositoryName: 'team/app', maxResults: 100 }, AT);
    expect(request).toMatchObject({ url: 'https://registry.example.com:8443/', method: 'POST', body: '{"repositoryName":"team/app","maxResults":100}' });
    expect(request.headers['x-amz-target']).toBe('AmazonEC2ContainerRegistry_V20150921.DescribeImages');
    expect(request.headers['authorization']).toContain('Credential=AKIDEXAMPLE/20260304/eu-west-1/ecr/aws4_request');
  });

  it('signs the host it will be sent to, so a different host gives a different signature', async () => {
    const here = await signEcrRequest(KEYS, 'https://registry.example.com', 'DescribeRegistry', {}, AT);
    const there = await signEcrRequest(KEYS, 'https://other.example.com', 'DescribeRegistry', {}, AT);
    expect(here.headers['authorization']).toContain('SignedHeaders=content-type;host;x-amz-date;x-amz-target,');
    expect(here.headers['authorization']).not.toBe(there.headers['authorization']);
  });

  it('carries and signs a session token when there is one', async () => {
    const request = await signEcrRequest({ ...KEYS, sessionToken: 'FwoGZXIvYXdzEXAMPLE' }, 'https://registry.example.com', 'DescribeRegistry', {}, AT);
    expect(request.headers['x-amz-security-token']).toBe('FwoGZXIvYXdzEXAMPLE');
    expect(request.headers['authorization']).toContain('x-amz-security-token');
  });
});
