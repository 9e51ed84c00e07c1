import { Readable } from 'node:stream';
import {
  CreateRepositoryCommand,
  DescribeRepositoriesCommand,
  ECRClient,
  GetAuthorizationTokenCommand,
  PutLifecyclePolicyCommand,
  RepositoryNotFoundException,
} from '@aws-sdk/client-ecr';
import { GetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import { startLocalSqs, type LocalSqs } from '@cargohold/events-aws/testing';
import type { HttpApiLambda } from '@cargohold/lambda-kit';
import { httpApiEvent, lambdaContext } from '@cargohold/lambda-kit/testing';
import { emulatorEnvironment } from '@cargohold/platform-aws/testing';
import { startDynamoDbLocal, type DynamoDbLocal } from '@cargohold/storage-dynamodb/testing';
import { startS3rver, type S3rverHandle } from '@cargohold/storage-s3/testing';
import { HttpResponse, type HttpRequest } from '@smithy/protocol-http';

/**
 * The ECR Lambda exactly as deployed, called by the real @aws-sdk/client-ecr: a custom request handler
 * takes the SDK's signed request, turns it into the API Gateway v2 event AWS would deliver, invokes the
 * handler, and hands the result back to the SDK as the HTTP response.
 */
let s3: S3rverHandle;
let dynamo: DynamoDbLocal;
let sqs: LocalSqs;
let sweepQueueUrl: string;
let handler: HttpApiLambda;
const saved = { ...process.env };

beforeAll(async () => {
  s3 = await startS3rver('ecr-lambda-blobs');
  dynamo = await startDynamoDbLocal();
  sqs = await startLocalSqs();
  ({ queueUrl: sweepQueueUrl } = await sqs.queueWithDeadLetters('lifecycle-sweep'));
  Object.assign(process.env, {
    SWEEP_QUEUE_URL: sweepQueueUrl,
    AWS_ENDPOINT_URL_SQS: sqs.endpoint,
    BUCKET: s3.bucket,
    TABLE: await dynamo.freshTable(),
    TOKEN_KEY_BASE64: Buffer.alloc(32, 9).toString('base64'),
    ALLOW_DEFAULT_IDENTITIES: 'true',
    S3_FORCE_PATH_STYLE: 'true',
    LOG_LEVEL: 'silent',
    ...emulatorEnvironment({ s3: s3.endpoint, dynamodb: dynamo.endpoint }),
  });
  delete process.env['AWS_PROFILE'];
  ({ handler } = await import('./main.lambda'));
});

afterAll(async () => {
  process.env = saved;
  await sqs?.stop();
  await dynamo?.stop();
  await s3?.stop();
});

/** The SDK's transport, replaced by "API Gateway invokes the Lambda". */
const viaApiGateway = {
  async handle(request: HttpRequest) {
    const query = new URLSearchParams();
    for (const [name, value] of Object.entries(request.query ?? {})) {
      for (const v of Array.isArray(value) ? value : [value ?? '']) query.append(name, v);
    }
    const target = `${request.path}${query.size > 0 ? `?${query}` : ''}`;
    const raw: unknown = request.body;
    const body = raw instanceof Uint8Array ? Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength) : typeof raw === 'string' ? raw : undefined;
    const event = httpApiEvent({ method: request.method, target, headers: request.headers, ...(body !== undefined ? { body } : {}) });
    const result = await handler(event, lambdaContext('ecr-api'));
    const bytes = Buffer.from(result.body ?? '', result.isBase64Encoded ? 'base64' : 'utf8');
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(result.headers ?? {})) headers[name.toLowerCase()] = String(value);
    return { response: new HttpResponse({ statusCode: result.statusCode ?? 200, headers, body: Readable.from([bytes]) }) };
  },
};

function ecr(secretAccessKey = 'test') {
  return new ECRClient({
    region: 'us-east-1',
    endpoint: 'https://api.ecr.example.com',
    credentials: { accessKeyId: 'test', secretAccessKey },
    requestHandler: viaApiGateway,
    maxAttempts: 1,
  });
}

describe('ecr-api Lambda through @aws-sdk/client-ecr', () => {
  it('creates and describes a repository with SigV4-signed calls', async () => {
    const created = await ecr().send(new CreateRepositoryCommand({ repositoryName: 'team/app' }));
    expect(created.repository).toMatchObject({ repositoryName: 'team/app', registryId: '000000000000' });

    const described = await ecr().send(new DescribeRepositoriesCommand({ repositoryNames: ['team/app'] }));
    expect(described.repositories?.map((r) => r.repositoryArn)).toEqual(['arn:aws:ecr:us-east-1:000000000000:repository/team/app']);
  });

  it("answers AWS's own error shapes", async () => {
    await expect(ecr().send(new DescribeRepositoriesCommand({ repositoryNames: ['nope'] }))).rejects.toBeInstanceOf(RepositoryNotFoundException);
    await expect(ecr('wrong').send(new DescribeRepositoriesCommand({}))).rejects.toMatchObject({ name: 'InvalidSignatureException' });
  });

  it('requests a lifecycle sweep of the repository, a minute later, when its policy is put', async () => {
    await ecr().send(new CreateRepositoryCommand({ repositoryName: 'team/swept' }));
    const lifecyclePolicyText = JSON.stringify({
      rules: [{ rulePriority: 1, selection: { tagStatus: 'untagged', countType: 'imageCountMoreThan', countNumber: 1 }, action: { type: 'expire' } }],
    });

    await ecr().send(new PutLifecyclePolicyCommand({ repositoryName: 'team/swept', lifecyclePolicyText }));

    const { Attributes } = await sqs.client.send(new GetQueueAttributesCommand({ QueueUrl: sweepQueueUrl, AttributeNames: ['All'] }));
    expect(Attributes?.['ApproximateNumberOfMessagesDelayed']).toBe('1');
  });

  it('issues an authorization token for docker login', async () => {
    const { authorizationData } = await ecr().send(new GetAuthorizationTokenCommand({}));
    const decoded = Buffer.from(authorizationData?.[0]?.authorizationToken ?? '', 'base64').toString();
    expect(decoded.startsWith('AWS:')).toBe(true);
    expect(authorizationData?.[0]?.expiresAt?.getTime()).toBeGreaterThan(Date.now() + 11 * 3600 * 1000);
  });
});
