import type { RepositoryCreationTemplate, RepositoryCreationTemplateStore, RepositorySettings, TemplateAppliedFor } from '@cargohold/storage-ports';
import type { Clock } from './config';
import { InvalidParameterError, TemplateAlreadyExistsError, TemplateNotFoundError } from './ecr-errors';
import { effectiveEncryption } from './repository-admin';

export type TemplateFields = Omit<RepositoryCreationTemplate, 'createdAt' | 'updatedAt'>;

/** `ROOT`: the template for every repository no other template's prefix covers. */
export const ROOT_PREFIX = 'ROOT';

/**
 * Repository creation templates: the settings ECR gives a repository it creates for the user. The
 * template whose prefix is the longest namespace of the new repository's name wins; `ROOT` matches every
 * name (https://docs.aws.amazon.com/AmazonECR/latest/userguide/repository-creation-templates.html).
 */
export class RepositoryTemplates {
  constructor(
    private readonly store: RepositoryCreationTemplateStore,
    private readonly clock: Clock,
  ) {}

  async create(registry: string, fields: TemplateFields): Promise<RepositoryCreationTemplate> {
    const now = this.clock.now().toISOString();
    const template = { ...fields, createdAt: now, updatedAt: now };
    if (!(await this.store.create(registry, template))) throw new TemplateAlreadyExistsError(fields.prefix);
    return template;
  }

  /** Named templates (those that exist, in the order asked), or one page of all in prefix order. */
  async describe(registry: string, prefixes: readonly string[] | undefined, limit: number, after?: string) {
    if (prefixes) {
      const found = await Promise.all(prefixes.map((prefix) => this.store.get(registry, prefix)));
      return { templates: found.filter((t): t is RepositoryCreationTemplate => t !== undefined) };
    }
    const page = await this.store.list(registry, after === undefined ? { limit: limit + 1 } : { last: after, limit: limit + 1 });
    const templates = page.slice(0, limit);
    return page.length > limit ? { templates, next: templates[templates.length - 1]?.prefix as string } : { templates };
  }

  async update(registry: string, prefix: string, change: (current: TemplateFields) => TemplateFields): Promise<RepositoryCreationTemplate> {
    const updatedAt = this.clock.now().toISOString();
    const updated = await this.store.update(registry, prefix, (current) => ({ ...change(current), prefix, createdAt: current.createdAt, updatedAt }));
    if (!updated) throw new TemplateNotFoundError(prefix);
    return updated;
  }

  async delete(registry: string, prefix: string): Promise<RepositoryCreationTemplate> {
    const deleted = await this.store.delete(registry, prefix);
    if (!deleted) throw new TemplateNotFoundError(prefix);
    return deleted;
  }

  /** The settings a repository created as `appliedFor` gets: those of the best template, if any applies. */
  async settingsFor(registry: string, name: string, appliedFor: TemplateAppliedFor): Promise<Partial<RepositorySettings>> {
    const template = matchTemplate(await this.all(registry), name, appliedFor);
    return template ? settingsOf(registry, template) : {};
  }

  private async all(registry: string): Promise<RepositoryCreationTemplate[]> {
    const all: RepositoryCreationTemplate[] = [];
    for (;;) {
      const last = all[all.length - 1]?.prefix;
      const page = await this.store.list(registry, last === undefined ? { limit: 100 } : { last, limit: 100 });
      all.push(...page);
      if (page.length < 100) return all;
    }
  }
}

/** A prefix names a namespace: `team` and `team/` both cover `team/app`, neither covers `team` or `teams/x`. */
export function matchTemplate(
  templates: readonly RepositoryCreationTemplate[],
  name: string,
  appliedFor: TemplateAppliedFor,
): RepositoryCreationTemplate | undefined {
  let best: { template: RepositoryCreationTemplate; length: number } | undefined;
  for (const template of templates) {
    if (!template.appliedFor.includes(appliedFor)) continue;
    const namespace = template.prefix.replace(/\/$/, '');
    const length = template.prefix === ROOT_PREFIX ? 0 : name.startsWith(`${namespace}/`) ? namespace.length : -1;
    if (length >= 0 && (!best || length > best.length)) best = { template, length };
  }
  return best?.template;
}

function settingsOf(registry: string, template: RepositoryCreationTemplate): Partial<RepositorySettings> {
  return {
    imageTagMutability: template.imageTagMutability,
    imageTagMutabilityExclusionFilters: template.imageTagMutabilityExclusionFilters,
    encryption: effectiveEncryption(registry, template.encryptionConfiguration ?? { encryptionType: 'AES256' }),
    tags: template.resourceTags,
    ...(template.repositoryPolicy === undefined ? {} : { policyText: template.repositoryPolicy }),
    ...(template.lifecyclePolicy === undefined ? {} : { lifecyclePolicyText: template.lifecyclePolicy }),
  };
}

/** Without a template store (a deployment that has none yet): no template applies, and none can be written. */
export const NO_TEMPLATE_STORE: RepositoryCreationTemplateStore = {
  create: async () => {
    throw new InvalidParameterError('Repository creation templates are not available in this deployment');
  },
  get: async () => undefined,
  update: async () => undefined,
  delete: async () => undefined,
  list: async () => [],
};
