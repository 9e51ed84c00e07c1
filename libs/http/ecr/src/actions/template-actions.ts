import { accountOf, checkLifecyclePolicy, type TemplateFields } from '@cargohold/registry-core';
import type { RepositoryCreationTemplate } from '@cargohold/storage-ports';
import * as z from 'zod';
import { defineAction, type ActionContext } from '../action';
import { invalidParameter } from '../aws-errors';
import { MaxResults, MutabilityFilters, NextToken, PolicyText, TagList, TagMutability } from '../shapes';
import { mutability } from './repository-actions';
import { checkRepositoryPolicy } from './repository-policy';
import { checkTags } from './tag-actions';

/*
 * Repository creation templates, with the fields and constraints of ECR's API reference
 * (https://docs.aws.amazon.com/AmazonECR/latest/APIReference/API_CreateRepositoryCreationTemplate.html).
 */
const Prefix = z
  .string()
  .min(1)
  .max(256)
  .regex(
    /^((?:[a-z0-9]+(?:[._-][a-z0-9]+)*\/)*[a-z0-9]+(?:[._-][a-z0-9]+)*\/?|ROOT)$/,
    "must satisfy regular expression '^((?:[a-z0-9]+(?:[._-][a-z0-9]+)*/)*[a-z0-9]+(?:[._-][a-z0-9]+)*/?|ROOT)$'",
  );
const AppliedFor = z.array(z.enum(['REPLICATION', 'PULL_THROUGH_CACHE', 'CREATE_ON_PUSH'])).min(1);
const Encryption = z.object({ encryptionType: z.enum(['AES256', 'KMS', 'KMS_DSSE']), kmsKey: z.string().min(1).max(2048).optional() });
const LifecyclePolicy = z.string().min(100).max(30720);
const CustomRoleArn = z
  .string()
  .max(2048)
  .regex(
    /^arn:aws[-a-z0-9]*:iam::[0-9]{12}:role\/[A-Za-z0-9+=,\-.@_]*$/,
    "must satisfy regular expression '^arn:aws[-a-z0-9]*:iam::[0-9]{12}:role/[A-Za-z0-9+=,-.@_]*$'",
  );

const Fields = {
  description: z.string().max(256).optional(),
  encryptionConfiguration: Encryption.optional(),
  resourceTags: TagList.optional(),
  imageTagMutability: TagMutability.optional(),
  imageTagMutabilityExclusionFilters: MutabilityFilters.optional(),
  repositoryPolicy: PolicyText.optional(),
  lifecyclePolicy: LifecyclePolicy.optional(),
  customRoleArn: CustomRoleArn.optional(),
};

type Input = { [K in keyof typeof Fields]?: z.infer<(typeof Fields)[K]> } & { appliedFor?: TemplateFields['appliedFor'] };

/** The checks CreateRepository and SetRepositoryPolicy apply to the same fields, so a template never makes a repository they would refuse. */
function check(input: Input, context: ActionContext): void {
  if (input.encryptionConfiguration?.encryptionType === 'AES256' && input.encryptionConfiguration.kmsKey) {
    throw invalidParameter('kmsKey can only be specified with KMS encryption');
  }
  if (input.resourceTags) checkTags(input.resourceTags);
  if (input.repositoryPolicy !== undefined) {
    checkRepositoryPolicy(input.repositoryPolicy);
    context.services.validatePolicy(input.repositoryPolicy, 'repository');
  }
  // Validated as PutLifecyclePolicy validates it: the repositories the template creates get it as their policy.
  if (input.lifecyclePolicy !== undefined) checkLifecyclePolicy(input.lifecyclePolicy);
}

/** The fields of `input` over `base`, with ECR's rule for mutability and its exclusion filters. */
function merge(base: TemplateFields, input: Input): TemplateFields {
  const mode = input.imageTagMutability ?? base.imageTagMutability;
  const filters = input.imageTagMutabilityExclusionFilters ?? (input.imageTagMutability ? undefined : base.imageTagMutabilityExclusionFilters);
  const next: TemplateFields = {
    ...base,
    ...mutability(mode, filters),
    ...(input.appliedFor ? { appliedFor: [...new Set(input.appliedFor)] } : {}),
    ...(input.resourceTags ? { resourceTags: input.resourceTags } : {}),
  };
  const optional = ['description', 'encryptionConfiguration', 'repositoryPolicy', 'lifecyclePolicy', 'customRoleArn'] as const;
  return Object.assign(next, Object.fromEntries(optional.filter((key) => input[key] !== undefined).map((key) => [key, input[key]])));
}

/** ECR's RepositoryCreationTemplate shape. */
function templateShape(template: RepositoryCreationTemplate) {
  return {
    prefix: template.prefix,
    ...(template.description !== undefined ? { description: template.description } : {}),
    encryptionConfiguration: template.encryptionConfiguration ?? { encryptionType: 'AES256' },
    resourceTags: template.resourceTags,
    imageTagMutability: template.imageTagMutability,
    ...(template.imageTagMutabilityExclusionFilters.length > 0 ? { imageTagMutabilityExclusionFilters: template.imageTagMutabilityExclusionFilters } : {}),
    ...(template.repositoryPolicy !== undefined ? { repositoryPolicy: template.repositoryPolicy } : {}),
    ...(template.lifecyclePolicy !== undefined ? { lifecyclePolicy: template.lifecyclePolicy } : {}),
    appliedFor: template.appliedFor,
    ...(template.customRoleArn !== undefined ? { customRoleArn: template.customRoleArn } : {}),
    createdAt: new Date(template.createdAt).getTime() / 1000,
    updatedAt: new Date(template.updatedAt).getTime() / 1000,
  };
}

const EMPTY: TemplateFields = { prefix: '', resourceTags: [], imageTagMutability: 'MUTABLE', imageTagMutabilityExclusionFilters: [], appliedFor: [] };

export const createRepositoryCreationTemplate = defineAction({
  name: 'CreateRepositoryCreationTemplate',
  input: z.object({ prefix: Prefix, appliedFor: AppliedFor, ...Fields }),
  async handle(input, context) {
    check(input, context);
    const key = context.registryKey();
    const template = await context.registry.templates.create(key, merge({ ...EMPTY, prefix: input.prefix }, input));
    return { registryId: accountOf(key), repositoryCreationTemplate: templateShape(template) };
  },
});

export const describeRepositoryCreationTemplates = defineAction({
  name: 'DescribeRepositoryCreationTemplates',
  input: z.object({ prefixes: z.array(Prefix).min(1).max(100).optional(), nextToken: NextToken.optional(), maxResults: MaxResults(1000).optional() }),
  async handle(input, context) {
    if (input.prefixes && (input.nextToken || input.maxResults)) throw invalidParameter('maxResults and nextToken cannot be used with prefixes');
    const key = context.registryKey();
    const page = await context.registry.templates.describe(key, input.prefixes, input.maxResults ?? 100, context.pageToken.open(key, input.nextToken));
    return {
      registryId: accountOf(key),
      repositoryCreationTemplates: page.templates.map(templateShape),
      nextToken: context.pageToken.seal(key, 'next' in page ? page.next : undefined),
    };
  },
});

export const updateRepositoryCreationTemplate = defineAction({
  name: 'UpdateRepositoryCreationTemplate',
  input: z.object({ prefix: Prefix, appliedFor: AppliedFor.optional(), ...Fields }),
  async handle(input, context) {
    check(input, context);
    const key = context.registryKey();
    const template = await context.registry.templates.update(key, input.prefix, (current) => merge(current, input));
    return { registryId: accountOf(key), repositoryCreationTemplate: templateShape(template) };
  },
});

export const deleteRepositoryCreationTemplate = defineAction({
  name: 'DeleteRepositoryCreationTemplate',
  input: z.object({ prefix: Prefix }),
  async handle(input, context) {
    const key = context.registryKey();
    const template = await context.registry.templates.delete(key, input.prefix);
    return { registryId: accountOf(key), repositoryCreationTemplate: templateShape(template) };
  },
});
