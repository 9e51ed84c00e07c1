import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CreateRepositoryCommand, DescribeRepositoriesCommand, SetRepositoryPolicyCommand, type ECRClient } from '@aws-sdk/client-ecr';
import { issueToken } from '@cargohold/auth';
import { awsErrorName, ecrClient, loginPassword } from './testing/ecr-client';
import type { RegistryClient } from './testing/registry-client';
import { startTestServer, type TestServer } from './testing/test-server';

const ADMIN_POLICY = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] };
const ECR_ALL = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'ecr:*', Resource: '*' }] };
/** Everything, except seeing the `secret/*` repositories. */
const LISTER = {
  Version: '2012-10-17',
  Statement: [
    { Effect: 'Allow', Action: 'ecr:*', Resource: '*' },
    { Effect: 'Deny', Action: 'ecr:DescribeRepositories', Resource: 'arn:aws:ecr:us-east-1:000000000000:repository/secret/*' },
  ],
};
/** Enough to log in, nothing else. */
const LOGIN_ONLY = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'ecr:GetAuthorizationToken', Resource: '*' }] };
const user = (account: string, name: string, key: string, policies: Record<string, unknown>[]) => ({
  name,
  accessKeys: [{ accessKeyId: key, secretAccessKey: `${key}-secret` }],
  policies,
  arn: `arn:aws:iam::${account}:user/${name}`,
});

/** /v2/ requires an ECR token, and every request is authorized against current IAM policies. */
describe('authentication and authorization', () => {
  let t: TestServer;
  let admin: ECRClient;
  let adminRegistry: RegistryClient;
  let image: { digest: string; layerDigest: string };

  beforeAll(async () => {
    t = await startTestServer(
      {
        identities: {
          accounts: [
            {
              id: '000000000000',
              users: [
                user('000000000000', 'admin', 'test', [ADMIN_POLICY]),
                user('000000000000', 'reader', 'READER', [LOGIN_ONLY]),
                user('000000000000', 'lister', 'LISTER', [LISTER]),
              ],
            },
            { id: '111111111111', users: [user('111111111111', 'bob', 'BOB', [ECR_ALL]), user('111111111111', 'carol', 'CAROL', [LOGIN_ONLY])] },
          ],
        },
      },
      { allowAnonymous: false },
    );
    admin = ecrClient(t.server.url, { accessKeyId: 'test', secretAccessKey: 'test-secret' });
    await admin.send(new CreateRepositoryCommand({ repositoryName: 'shared/app' }));
    adminRegistry = t.client.withToken(await loginPassword(admin));
    image = await adminRegistry.pushImage('shared/app', 'v1');
  });
  afterAll(async () => {
    admin.destroy();
    await t.stop();
  });

  const pull = (client: RegistryClient) => client.send('GET', '/v2/shared/app/manifests/v1');
  const tokenFor = async (key: string, registryIds?: string[]) => {
    const client = ecrClient(t.server.url, { accessKeyId: key, secretAccessKey: `${key}-secret` });
    try {
      return await loginPassword(client, registryIds);
    } finally {
      client.destroy();
    }
  };

  describe('/v2/ tokens', () => {
    it('challenges requests without credentials with 401 and a Basic realm', async () => {
      const res = await t.client.send('GET', '/v2/');
      expect(res.status).toBe(401);
      expect(res.headers['www-authenticate']).toMatch(/^Basic realm="http:\/\/127\.0\.0\.1:\d+\/"/);
      expect(res.json()).toMatchObject({ errors: [{ code: 'UNAUTHORIZED' }] });
      expect((await pull(t.client)).status).toBe(401);
    });

    it('accepts a token from GetAuthorizationToken', async () => {
      expect((await adminRegistry.send('GET', '/v2/')).status).toBe(200);
      expect((await pull(adminRegistry)).status).toBe(200);
    });

    it('refuses forged, expired and other-registry tokens with 401', async () => {
      const key = await readFile(join(t.dataDir, 'token.key'));
      const claims = { accountId: '000000000000', principalArn: 'arn:aws:iam::000000000000:user/admin', registry: '000000000000:us-east-1' };
      const expired = issueToken(claims, key, { now: new Date(Date.now() - 13 * 3600 * 1000) }).token;
      const forged = issueToken(claims, Buffer.alloc(32, 7), { now: new Date() }).token;
      const otherRegistry = issueToken({ ...claims, registry: '111111111111:us-east-1' }, key, { now: new Date() }).token;
      const tampered = `${(await loginPassword(admin)).slice(0, -2)}AA`;
      for (const token of [expired, forged, otherRegistry, tampered]) {
        const res = await pull(t.client.withToken(token));
        expect(res.status).toBe(401);
        expect(res.headers['www-authenticate']).toContain('Basic realm=');
      }
    });

    it('answers 403 DENIED when the principal may not perform the route action', async () => {
      const reader = t.client.withToken(await tokenFor('READER'));
      const res = await pull(reader);
      expect(res.status).toBe(403);
      expect(res.json()).toMatchObject({ errors: [{ code: 'DENIED' }] });
    });
  });

  describe('cross-account access', () => {
    it('is denied with only an identity policy, and allowed once the repository policy grants it', async () => {
      const bob = t.client.withToken(await tokenFor('BOB', ['000000000000']));
      const carol = t.client.withToken(await tokenFor('CAROL', ['000000000000']));
      expect((await pull(bob)).status).toBe(403);

      const policyText = JSON.stringify({
        Version: '2012-10-17',
        Statement: [
          {
            Sid: 'AllowPullFromAccount1',
            Effect: 'Allow',
            Principal: { AWS: 'arn:aws:iam::111111111111:root' },
            Action: ['ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer'],
          },
        ],
      });
      await admin.send(new SetRepositoryPolicyCommand({ repositoryName: 'shared/app', policyText }));
      expect((await pull(bob)).status).toBe(200);
      expect((await bob.send('GET', `/v2/shared/app/blobs/${image.layerDigest}`)).status).toBe(200);
      // Both sides must allow: carol's account is trusted, but her identity policies allow only login.
      expect((await pull(carol)).status).toBe(403);
      // Pushing was never granted.
      expect((await bob.send('POST', '/v2/shared/app/blobs/uploads/')).status).toBe(403);
    });
  });

  describe('policies on the server', () => {
    it('lets an explicit Deny in a repository policy beat the identity Allow, by condition', async () => {
      await admin.send(new CreateRepositoryCommand({ repositoryName: 'guarded/app' }));
      await adminRegistry.pushImage('guarded/app', 'v1');
      const policyText = JSON.stringify({
        Version: '2012-10-17',
        Statement: [
          { Sid: 'NoDeletes', Effect: 'Deny', Principal: '*', Action: 'ecr:BatchDeleteImage' },
          {
            Sid: 'OnlyFromOtherNetworks',
            Effect: 'Deny',
            Principal: '*',
            NotAction: ['ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer', 'ecr:BatchDeleteImage'],
            Condition: { NotIpAddress: { 'aws:SourceIp': '10.0.0.0/8' } },
          },
        ],
      });
      await admin.send(new SetRepositoryPolicyCommand({ repositoryName: 'guarded/app', policyText }));
      expect((await adminRegistry.send('DELETE', '/v2/guarded/app/manifests/v1')).status).toBe(403);
      expect((await adminRegistry.send('GET', '/v2/guarded/app/manifests/v1')).status).toBe(200);
      // NotAction: everything but reads and deletes is denied from 127.0.0.1 (not in 10.0.0.0/8).
      expect((await adminRegistry.send('POST', '/v2/guarded/app/blobs/uploads/')).status).toBe(403);
      expect((await adminRegistry.send('GET', '/v2/guarded/app/tags/list')).status).toBe(403);
    });

    it('says in a denial which kind of policy decided, as IAM does', async () => {
      await admin.send(new CreateRepositoryCommand({ repositoryName: 'worded/app' }));
      await adminRegistry.pushImage('worded/app', 'v1');
      const policyText = JSON.stringify({
        Version: '2012-10-17',
        Statement: [{ Sid: 'NoDeletes', Effect: 'Deny', Principal: '*', Action: 'ecr:BatchDeleteImage' }],
      });
      await admin.send(new SetRepositoryPolicyCommand({ repositoryName: 'worded/app', policyText }));

      const deleted = await adminRegistry.send('DELETE', '/v2/worded/app/manifests/v1');

      expect(deleted.status).toBe(403);
      expect(deleted.json<{ errors: { code: string; message: string }[] }>().errors[0]).toEqual({
        code: 'DENIED',
        message:
          'User: arn:aws:iam::000000000000:user/admin is not authorized to perform: ecr:BatchDeleteImage on resource: arn:aws:ecr:us-east-1:000000000000:repository/worded/app with an explicit deny in a resource-based policy',
      });
      const lister = ecrClient(t.server.url, { accessKeyId: 'LISTER', secretAccessKey: 'LISTER-secret' });
      try {
        await admin.send(new CreateRepositoryCommand({ repositoryName: 'secret/worded' }));
        const denied = await lister.send(new DescribeRepositoriesCommand({ repositoryNames: ['secret/worded'] })).then(
          () => undefined,
          (error: Error) => error,
        );
        expect(denied?.message).toBe(
          'User: arn:aws:iam::000000000000:user/lister is not authorized to perform: ecr:DescribeRepositories on resource: arn:aws:ecr:us-east-1:000000000000:repository/secret/worded with an explicit deny in an identity-based policy',
        );
      } finally {
        lister.destroy();
      }
    });

    it('selects the registry by <account>.dkr.ecr.<region>.<domain> host, as repositoryUri says', async () => {
      const bobApi = ecrClient(t.server.url, { accessKeyId: 'BOB', secretAccessKey: 'BOB-secret' });
      try {
        const { repository } = await bobApi.send(new CreateRepositoryCommand({ repositoryName: 'bob/app' }));
        const port = new URL(t.server.url).port;
        expect(repository?.repositoryUri).toBe(`111111111111.dkr.ecr.us-east-1.localhost:${port}/bob/app`);
        const bob = t.client.withToken(await loginPassword(bobApi));
        const host = `111111111111.dkr.ecr.us-east-1.localhost:${port}`;
        const pushed = await bob.send('POST', '/v2/bob/app/blobs/uploads/?digest=sha256:ca978112ca1bbdcafac231b39a23dc4da786eff8147c4e72b9807785afee48bb', {
          headers: { Host: host, 'Content-Length': 1 },
          body: 'a',
        });
        expect(pushed.status).toBe(201);
        // The same token on the default registry's host is for another registry.
        expect((await bob.send('GET', '/v2/bob/app/tags/list')).status).toBe(401);
      } finally {
        bobApi.destroy();
      }
    });
  });

  describe('listings', () => {
    it('hide repositories the caller may not describe, and naming one is AccessDenied', async () => {
      await admin.send(new CreateRepositoryCommand({ repositoryName: 'secret/vault' }));
      await admin.send(new CreateRepositoryCommand({ repositoryName: 'open/app' }));
      const lister = ecrClient(t.server.url, { accessKeyId: 'LISTER', secretAccessKey: 'LISTER-secret' });
      try {
        const names = ((await lister.send(new DescribeRepositoriesCommand({}))).repositories ?? []).map((r) => r.repositoryName);
        expect(names).toContain('open/app');
        expect(names).not.toContain('secret/vault');
        expect(await awsErrorName(() => lister.send(new DescribeRepositoriesCommand({ repositoryNames: ['secret/vault'] })))).toBe('AccessDeniedException');
        const catalog = (await t.client.withToken(await loginPassword(lister)).send('GET', '/v2/_catalog')).json<{ repositories: string[] }>();
        expect(catalog.repositories).toContain('open/app');
        expect(catalog.repositories).not.toContain('secret/vault');
      } finally {
        lister.destroy();
      }
    });
  });

  describe('ECR API signatures', () => {
    it('names wrong secrets and unknown keys as AWS does', async () => {
      const wrongSecret = ecrClient(t.server.url, { accessKeyId: 'test', secretAccessKey: 'nope' });
      const unknown = ecrClient(t.server.url, { accessKeyId: 'AKIDUNKNOWN', secretAccessKey: 'x' });
      expect(await awsErrorName(() => wrongSecret.send(new DescribeRepositoriesCommand({})))).toBe('InvalidSignatureException');
      expect(await awsErrorName(() => unknown.send(new DescribeRepositoriesCommand({})))).toBe('UnrecognizedClientException');
      wrongSecret.destroy();
      unknown.destroy();
    });

    it('denies an action no policy allows with AccessDeniedException', async () => {
      const reader = ecrClient(t.server.url, { accessKeyId: 'READER', secretAccessKey: 'READER-secret' });
      expect(await awsErrorName(() => reader.send(new CreateRepositoryCommand({ repositoryName: 'reader/repo' })))).toBe('AccessDeniedException');
      reader.destroy();
    });
  });
});
