import { accountOf } from '@cargohold/registry-core';
import type { Repository, RepositorySettings } from '@cargohold/storage-ports';
import * as z from 'zod';
import { defineAction, epochSeconds, NO_VERDICT, type ActionContext } from '../action';
import { accessDenied, invalidParameter } from '../aws-errors';
import { MaxResults, MutabilityFilters, NextToken, PolicyText, RegistryId, RepositoryName, TagList, TagMutability } from '../shapes';
import { checkRepositoryPolicy } from './repository-policy';
import { checkTags } from './tag-actions';

/** The Repository shape ECR returns. */
export function repositoryShape(context: ActionContext, repository: Repository) {
  const { settings } = repository;
  return {
    repositoryArn: context.repositoryArn(repository.registry, repository.name),
    registryId: accountOf(repository.registry),
    repositoryName: repository.name,
    repositoryUri: context.repositoryUri(repository.registry, repository.name),
    createdAt: epochSeconds(repository.createdAt),
    imageTagMutability: settings.imageTagMutability,
    ...(settings.imageTagMutabilityExclusionFilters.length > 0 ? { imageTagMutabilityExclusionFilters: settings.imageTagMutabilityExclusionFilters } : {}),
    imageScanningConfiguration: { scanOnPush: settings.scanOnPush },
    encryptionConfiguration: settings.encryption,
  };
}

/** Exclusion filters go with the *_WITH_EXCLUSION modes and only with them (ECR's rule). */
export function mutability(mode: RepositorySettings['imageTagMutability'], filters: RepositorySettings['imageTagMutabilityExclusionFilters'] | undefined) {
  const withExclusion = mode.endsWith('_WITH_EXCLUSION');
  if (withExclusion && !filters?.length) throw invalidParameter(`imageTagMutabilityExclusionFilters are required when imageTagMutability is ${mode}`);
  if (!withExclusion && filters?.length) throw invalidParameter(`imageTagMutabilityExclusionFilters are only allowed with the *_WITH_EXCLUSION modes`);
  return { imageTagMutability: mode, imageTagMutabilityExclusionFilters: filters ?? [] };
}

const repo = (input: { repositoryName: string; registryId?: string | undefined }) => input;

export const createRepository = defineAction({
  name: 'CreateRepository',
  input: z.object({
    registryId: RegistryId.optional(),
    repositoryName: RepositoryName,
    tags: TagList.optional(),
    imageTagMutability: TagMutability.optional(),
    imageTagMutabilityExclusionFilters: MutabilityFilters.optional(),
    imageScanningConfiguration: z.object({ scanOnPush: z.boolean().optional() }).optional(),
    encryptionConfiguration: z.object({ encryptionType: z.enum(['AES256', 'KMS', 'KMS_DSSE']), kmsKey: z.string().min(1).max(2048).optional() }).optional(),
  }),
  resource: repo,
  async handle(input, context) {
    const encryption = input.encryptionConfiguration ?? { encryptionType: 'AES256' as const };
    if (encryption.encryptionType === 'AES256' && encryption.kmsKey) throw invalidParameter('kmsKey can only be specified with KMS encryption');
    checkTags(input.tags ?? []);
    const repository = await context.registry.repositoryAdmin.create(context.repo(input.repositoryName, input.registryId), {
      ...mutability(input.imageTagMutability ?? 'MUTABLE', input.imageTagMutabilityExclusionFilters),
      scanOnPush: input.imageScanningConfiguration?.scanOnPush ?? false,
      encryption,
      tags: input.tags ?? [],
    });
    return { repository: repositoryShape(context, repository) };
  },
});

export const describeRepositories = defineAction({
  name: 'DescribeRepositories',
  input: z.object({
    registryId: RegistryId.optional(),
    repositoryNames: z.array(RepositoryName).min(1).max(100).optional(),
    nextToken: NextToken.optional(),
    maxResults: MaxResults(1000).optional(),
  }),
  async handle(input, context) {
    const admin = context.registry.repositoryAdmin;
    const key = context.registryKey(input.registryId);
    const visible = (repositories: readonly (string | Repository)[]) => context.decideEach('ecr:DescribeRepositories', key, repositories);
    if (input.repositoryNames) {
      if (input.nextToken || input.maxResults) throw invalidParameter('maxResults and nextToken cannot be used with repositoryNames');
      const verdicts = await visible(input.repositoryNames);
      const repositories = [];
      for (const [index, name] of input.repositoryNames.entries()) {
        const verdict = verdicts[index] ?? NO_VERDICT;
        if (verdict.decision !== 'Allow') throw accessDenied(context.principal.arn, 'ecr:DescribeRepositories', context.repositoryArn(key, name), verdict);
        repositories.push(repositoryShape(context, await admin.get(context.repo(name, input.registryId))));
      }
      return { repositories };
    }
    // A listing shows the repositories the caller may describe: a Deny on one repository hides it.
    const page = await admin.list(key, input.maxResults ?? 100, context.pageToken.open(key, input.nextToken));
    const verdicts = page.repositories.length === 0 ? [] : await visible(page.repositories);
    const repositories = page.repositories
      .filter((_, index) => verdicts[index]?.decision === 'Allow')
      .map((repository) => repositoryShape(context, repository));
    return { repositories, nextToken: context.pageToken.seal(key, page.next) };
  },
});

export const deleteRepository = defineAction({
  name: 'DeleteRepository',
  input: z.object({ registryId: RegistryId.optional(), repositoryName: RepositoryName, force: z.boolean().optional() }),
  resource: repo,
  async handle(input, context) {
    const repository = await context.registry.repositoryAdmin.delete(context.repo(input.repositoryName, input.registryId), input.force ?? false);
    return { repository: repositoryShape(context, repository) };
  },
});

export const putImageTagMutability = defineAction({
  name: 'PutImageTagMutability',
  input: z.object({
    registryId: RegistryId.optional(),
    repositoryName: RepositoryName,
    imageTagMutability: TagMutability,
    imageTagMutabilityExclusionFilters: MutabilityFilters.optional(),
  }),
  resource: repo,
  async handle(input, context) {
    const next = mutability(input.imageTagMutability, input.imageTagMutabilityExclusionFilters);
    const repository = await context.registry.repositoryAdmin.update(context.repo(input.repositoryName, input.registryId), (current) => ({
      ...current,
      ...next,
    }));
    return {
      registryId: accountOf(repository.registry),
      repositoryName: repository.name,
      imageTagMutability: repository.settings.imageTagMutability,
      ...(next.imageTagMutabilityExclusionFilters.length > 0 ? { imageTagMutabilityExclusionFilters: next.imageTagMutabilityExclusionFilters } : {}),
    };
  },
});

export const setRepositoryPolicy = defineAction({
  name: 'SetRepositoryPolicy',
  input: z.object({ registryId: RegistryId.optional(), repositoryName: RepositoryName, policyText: PolicyText, force: z.boolean().optional() }),
  resource: repo,
  async handle(input, context) {
    const ref = context.repo(input.repositoryName, input.registryId);
    await context.registry.repositoryAdmin.setPolicy(ref, input.policyText, (text) => {
      checkRepositoryPolicy(text);
      context.services.validatePolicy(text, 'repository');
    });
    return { registryId: accountOf(ref.registry), repositoryName: ref.name, policyText: input.policyText };
  },
});

export const getRepositoryPolicy = defineAction({
  name: 'GetRepositoryPolicy',
  input: z.object({ registryId: RegistryId.optional(), repositoryName: RepositoryName }),
  resource: repo,
  async handle(input, context) {
    const ref = context.repo(input.repositoryName, input.registryId);
    const policyText = await context.registry.repositoryAdmin.getPolicy(ref);
    return { registryId: accountOf(ref.registry), repositoryName: ref.name, policyText };
  },
});

export const deleteRepositoryPolicy = defineAction({
  name: 'DeleteRepositoryPolicy',
  input: z.object({ registryId: RegistryId.optional(), repositoryName: RepositoryName }),
  resource: repo,
  async handle(input, context) {
    const ref = context.repo(input.repositoryName, input.registryId);
    const policyText = await context.registry.repositoryAdmin.deletePolicy(ref);
    return { registryId: accountOf(ref.registry), repositoryName: ref.name, policyText };
  },
});
