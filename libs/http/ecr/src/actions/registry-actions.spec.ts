import { createMemoryStorage } from '@cargohold/storage-memory';
import {
  deleteRegistryPolicy,
  describeRegistry,
  getAccountSetting,
  getAuthorizationToken,
  getRegistryPolicy,
  putAccountSetting,
  putRegistryPolicy,
} from './registry-actions';
import { actionHarness as harnessOver, CALLER, type HarnessOptions, NOW, OTHER, OWNER } from './spec-helpers';

/** Each spec's own registry over memory storage. */
const actionHarness = (options: HarnessOptions = {}) => harnessOver(createMemoryStorage(), options);

const POLICY = JSON.stringify({
  Version: '2012-10-17',
  Statement: [{ Sid: 'replicate', Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${OTHER}:root` }, Action: 'ecr:CreateRepository', Resource: '*' }],
});
const decode = (token: string) => Buffer.from(token, 'base64').toString('utf8');

describe('GetAuthorizationToken', () => {
  it('issues a token for the caller’s own registry as base64 of AWS:<token>, with its expiry and endpoint', async () => {
    const { run } = actionHarness();

    const { authorizationData } = await run(getAuthorizationToken, {});

    expect(authorizationData).toEqual([
      {
        authorizationToken: expect.any(String),
        expiresAt: NOW.getTime() / 1000 + 12 * 3600,
        proxyEndpoint: 'http://localhost:5000',
      },
    ]);
    expect(decode(authorizationData[0].authorizationToken)).toBe(`AWS:token-for-${OWNER}-${OWNER}:us-east-1`);
  });

  it('issues one token per registry asked for, each with that registry’s endpoint', async () => {
    const issued: string[] = [];
    const { run } = actionHarness({
      services: {
        issueToken: (principal, key) => {
          issued.push(`${principal.arn} ${key}`);
          return { token: key, expiresAt: NOW };
        },
      },
    });

    const { authorizationData } = await run(getAuthorizationToken, { registryIds: [OWNER, OTHER] });

    expect(authorizationData.map((d: { proxyEndpoint: string }) => d.proxyEndpoint)).toEqual([
      'http://localhost:5000',
      `http://${OTHER}.dkr.ecr.us-east-1.localhost:5000`,
    ]);
    expect(issued).toEqual([`${CALLER.arn} ${OWNER}:us-east-1`, `${CALLER.arn} ${OTHER}:us-east-1`]);
  });

  it('accepts 1 to 10 twelve-digit registry ids', () => {
    expect(getAuthorizationToken.input.safeParse({ registryIds: Array(10).fill(OWNER) }).success).toBe(true);
    expect(getAuthorizationToken.input.safeParse({ registryIds: Array(11).fill(OWNER) }).success).toBe(false);
    expect(getAuthorizationToken.input.safeParse({ registryIds: [] }).success).toBe(false);
    expect(getAuthorizationToken.input.safeParse({ registryIds: ['12345'] }).success).toBe(false);
  });

  it('is registry-wide: it names no repository to authorize against', () => {
    expect(getAuthorizationToken.resource).toBeUndefined();
  });
});

describe('registry policy actions', () => {
  it('put, get and delete the registry policy, keeping its text exactly', async () => {
    const { run } = actionHarness();
    const expected = { registryId: OWNER, policyText: POLICY };

    await expect(run(putRegistryPolicy, { policyText: POLICY })).resolves.toEqual(expected);
    await expect(run(getRegistryPolicy, {})).resolves.toEqual(expected);
    await expect(run(deleteRegistryPolicy, {})).resolves.toEqual(expected);
  });

  it('answer RegistryPolicyNotFoundException with ECR’s message when there is none', async () => {
    const { run } = actionHarness();
    const notFound = { name: 'RegistryPolicyNotFoundException', message: `Registry policy does not exist in the registry with id '${OWNER}'` };

    await expect(run(getRegistryPolicy, {})).rejects.toMatchObject(notFound);
    await expect(run(deleteRegistryPolicy, {})).rejects.toMatchObject(notFound);
  });

  it('answer InvalidParameterException for an invalid policy, and store nothing', async () => {
    const { run } = actionHarness();

    await expect(run(putRegistryPolicy, { policyText: '{"Statement":[{"Effect":"Maybe"}]}' })).rejects.toMatchObject({ name: 'InvalidParameterException' });
    await expect(run(getRegistryPolicy, {})).rejects.toMatchObject({ name: 'RegistryPolicyNotFoundException' });
  });

  it('refuse an empty policy text', () => {
    expect(putRegistryPolicy.input.safeParse({ policyText: '' }).success).toBe(false);
  });
});

describe('DescribeRegistry', () => {
  it('describes the caller’s registry with no replication rules', async () => {
    const { run } = actionHarness();

    await expect(run(describeRegistry, {})).resolves.toEqual({ registryId: OWNER, replicationConfiguration: { rules: [] } });
  });
});

describe('account setting actions', () => {
  it('answer a setting’s default until it is put, then the value put', async () => {
    const { run } = actionHarness();

    await expect(run(getAccountSetting, { name: 'BLOB_MOUNTING' })).resolves.toEqual({ name: 'BLOB_MOUNTING', value: 'DISABLED' });
    await expect(run(putAccountSetting, { name: 'BLOB_MOUNTING', value: 'ENABLED' })).resolves.toEqual({ name: 'BLOB_MOUNTING', value: 'ENABLED' });
    await expect(run(getAccountSetting, { name: 'BLOB_MOUNTING' })).resolves.toEqual({ name: 'BLOB_MOUNTING', value: 'ENABLED' });
  });

  it('answer InvalidParameterException for an unknown setting or a value it does not allow', async () => {
    const { run } = actionHarness();

    await expect(run(getAccountSetting, { name: 'NOPE' })).rejects.toMatchObject({
      name: 'InvalidParameterException',
      message: "Invalid parameter at 'name' failed to satisfy constraint: 'NOPE' is not a valid account setting",
    });
    await expect(run(putAccountSetting, { name: 'REGISTRY_POLICY_SCOPE', value: 'V3' })).rejects.toMatchObject({
      name: 'InvalidParameterException',
      message: "Invalid parameter at 'value' failed to satisfy constraint: must be one of V1, V2",
    });
  });
});
