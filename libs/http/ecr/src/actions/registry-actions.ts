import { accountOf } from '@cargohold/registry-core';
import * as z from 'zod';
import { defineAction, epochSeconds } from '../action';
import { PolicyText, RegistryId } from '../shapes';

export const getAuthorizationToken = defineAction({
  name: 'GetAuthorizationToken',
  input: z.object({ registryIds: z.array(RegistryId).min(1).max(10).optional() }),
  async handle(input, context) {
    const registryIds = input.registryIds ?? [context.principal.accountId];
    return {
      authorizationData: registryIds.map((registryId) => {
        const key = context.registryKey(registryId);
        const { token, expiresAt } = context.services.issueToken(context.principal, key);
        return {
          authorizationToken: Buffer.from(`AWS:${token}`).toString('base64'),
          expiresAt: epochSeconds(expiresAt),
          proxyEndpoint: `http://${context.registryHost(key)}`,
        };
      }),
    };
  },
});

export const getRegistryPolicy = defineAction({
  name: 'GetRegistryPolicy',
  input: z.object({}),
  async handle(_input, context) {
    const key = context.registryKey();
    return { registryId: accountOf(key), policyText: await context.registry.registryAdmin.getPolicy(key) };
  },
});

export const putRegistryPolicy = defineAction({
  name: 'PutRegistryPolicy',
  input: z.object({ policyText: PolicyText.min(1) }),
  async handle(input, context) {
    const key = context.registryKey();
    const policyText = await context.registry.registryAdmin.putPolicy(key, input.policyText, (text) => context.services.validatePolicy(text, 'registry'));
    return { registryId: accountOf(key), policyText };
  },
});

export const deleteRegistryPolicy = defineAction({
  name: 'DeleteRegistryPolicy',
  input: z.object({}),
  async handle(_input, context) {
    const key = context.registryKey();
    return { registryId: accountOf(key), policyText: await context.registry.registryAdmin.deletePolicy(key) };
  },
});

export const describeRegistry = defineAction({
  name: 'DescribeRegistry',
  input: z.object({}),
  async handle(_input, context) {
    const key = context.registryKey();
    return { registryId: accountOf(key), replicationConfiguration: await context.registry.replication.configuration(key) };
  },
});

const SettingName = z.string().min(1).max(64);

export const getAccountSetting = defineAction({
  name: 'GetAccountSetting',
  input: z.object({ name: SettingName }),
  async handle(input, context) {
    return { name: input.name, value: await context.registry.registryAdmin.getAccountSetting(context.registryKey(), input.name) };
  },
});

export const putAccountSetting = defineAction({
  name: 'PutAccountSetting',
  input: z.object({ name: SettingName, value: z.string().min(1).max(64) }),
  async handle(input, context) {
    return { name: input.name, value: await context.registry.registryAdmin.putAccountSetting(context.registryKey(), input.name, input.value) };
  },
});
