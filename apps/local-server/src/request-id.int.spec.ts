import { DescribeRepositoriesCommand } from '@aws-sdk/client-ecr';
import { startEcrTestServer, type EcrTestServer } from './testing/test-server';

/**
 * Every response carries its request id once: the transport adds it, and the ECR API's own responses
 * name it too (as AWS does). Sent twice, clients join the two values ("id, id") into the id they report.
 */
describe('the request id header', () => {
  let s: EcrTestServer;

  beforeAll(async () => {
    s = await startEcrTestServer();
  });
  afterAll(async () => {
    await s?.stop();
  });

  it('is one id on an ECR API answer, as the SDK reports it', async () => {
    const answer = await s.ecr.send(new DescribeRepositoriesCommand({}));
    expect(answer.$metadata.requestId).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('is one id on an ECR API error', async () => {
    const failed = await s.ecr.send(new DescribeRepositoriesCommand({ repositoryNames: ['no/such'] })).then(
      () => undefined,
      (error: { $metadata?: { requestId?: string } }) => error,
    );
    expect(failed?.$metadata?.requestId).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('is one header on a /v2/ answer', async () => {
    const response = await s.v2.send('GET', '/v2/');
    expect(response.headers['x-amzn-requestid']).toMatch(/^[0-9a-f-]{36}$/);
  });
});
