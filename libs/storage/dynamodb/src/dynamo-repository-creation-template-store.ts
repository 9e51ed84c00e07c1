import type { Page, RepositoryCreationTemplate, RepositoryCreationTemplateStore } from '@cargohold/storage-ports';
import { retryOnConflict } from './optimistic';
import type { Item, Key, Table } from './table';
import { keys } from './table-design';

/**
 * Item: { PK: REG#<registry>, SK: TEMPLATE#<prefix>, document: JSON text, version }. A registry's templates
 * share its partition with its repositories (SK REPO#…) and settings; a template holds policies of up to
 * 40 KB, far under the item limit.
 */
const PREFIX = 'TEMPLATE#';
const keyOf = (registry: string, prefix: string): Key => ({ PK: keys.registry(registry), SK: `${PREFIX}${prefix}` });
const parse = (item: Item): RepositoryCreationTemplate => JSON.parse(item['document'] as string) as RepositoryCreationTemplate;

export class DynamoRepositoryCreationTemplateStore implements RepositoryCreationTemplateStore {
  constructor(private readonly table: Table) {}

  async create(registry: string, template: RepositoryCreationTemplate): Promise<boolean> {
    const item = { ...keyOf(registry, template.prefix), document: JSON.stringify(template), version: 1 };
    return (await this.table.put(item, { condition: 'attribute_not_exists(PK)' })).applied;
  }

  async get(registry: string, prefix: string): Promise<RepositoryCreationTemplate | undefined> {
    const item = await this.table.get(keyOf(registry, prefix));
    return item && parse(item);
  }

  async update(
    registry: string,
    prefix: string,
    mutate: (current: RepositoryCreationTemplate) => RepositoryCreationTemplate,
  ): Promise<RepositoryCreationTemplate | undefined> {
    return retryOnConflict<RepositoryCreationTemplate | undefined>(`template ${prefix} of registry ${registry}`, async () => {
      const item = await this.table.get(keyOf(registry, prefix));
      if (!item) return { done: true, value: undefined };
      const version = item['version'] as number;
      const next = { ...mutate(parse(item)), prefix };
      const { applied } = await this.table.put(
        { ...keyOf(registry, prefix), document: JSON.stringify(next), version: version + 1 },
        { condition: '#version = :expected', names: { '#version': 'version' }, values: { ':expected': version } },
      );
      return applied ? { done: true, value: next } : { done: false };
    });
  }

  async delete(registry: string, prefix: string): Promise<RepositoryCreationTemplate | undefined> {
    const { old } = await this.table.delete(keyOf(registry, prefix));
    return old && parse(old);
  }

  async list(registry: string, page: Page): Promise<RepositoryCreationTemplate[]> {
    const pk = keys.registry(registry);
    const items = await this.table.collect(
      {
        key: 'PK = :pk AND begins_with(SK, :prefix)',
        values: { ':pk': pk, ':prefix': PREFIX },
        ...(page.last === undefined ? {} : { startAfter: { ...keyOf(registry, page.last) } }),
        consistent: true,
      },
      page.limit,
    );
    return items.map(parse);
  }
}
