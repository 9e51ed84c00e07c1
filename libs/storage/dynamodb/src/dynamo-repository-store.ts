import { DEFAULT_REPOSITORY_SETTINGS } from '@cargohold/storage-ports';
import type { Page, RepoRef, Repository, RepositorySettings, RepositoryStore } from '@cargohold/storage-ports';
import { retryOnConflict } from './optimistic';
import type { Item, Key, Table } from './table';
import { INDEX, keys, PREFIX } from './table-design';

/** Item: { PK: REG#<registry>, SK: REPO#<name>, createdAt: epoch ms, settings: JSON document, version }. */
const keyOf = (ref: RepoRef): Key => ({ PK: keys.registry(ref.registry), SK: keys.repositorySk(ref.name) });

/**
 * The settings document is stored as JSON text: it is read and written whole, never queried, and JSON keeps
 * the policy text byte-for-byte (lone surrogates included) and any field a later feature adds. Missing
 * fields read as the defaults, which are cloned: `mutate` may edit its argument.
 */
const parseSettings = (document: string): RepositorySettings => ({
  ...structuredClone(DEFAULT_REPOSITORY_SETTINGS),
  ...(JSON.parse(document) as Partial<RepositorySettings>),
});

const toRepository = (ref: RepoRef, item: Item): Repository => ({
  registry: ref.registry,
  name: ref.name,
  createdAt: new Date(item['createdAt'] as number),
  settings: parseSettings(item['settings'] as string),
});

const nameOf = (item: Item): string => (item['SK'] as string).slice(PREFIX.repository.length);

const NAMES = { '#settings': 'settings', '#version': 'version' };

/** GSI1 keys while the settings hold a lifecycle policy (the sweep lists that partition), none otherwise. */
const lifecycleKeys = (ref: RepoRef, settings: RepositorySettings) =>
  settings.lifecyclePolicyText === undefined ? undefined : { GSI1PK: keys.lifecyclePartition, GSI1SK: `${ref.registry}#${ref.name}` };

export class DynamoRepositoryStore implements RepositoryStore {
  constructor(private readonly table: Table) {}

  async create(ref: RepoRef, at: Date, settings: RepositorySettings = DEFAULT_REPOSITORY_SETTINGS): Promise<{ created: boolean; repository: Repository }> {
    const item = { ...keyOf(ref), createdAt: at.getTime(), settings: JSON.stringify(settings), version: 1, ...lifecycleKeys(ref, settings) };
    // Retried only if the existing repository vanishes (a concurrent delete) between the put and the read.
    return retryOnConflict<{ created: boolean; repository: Repository }>(`repository ${ref.name}`, async () => {
      const { applied } = await this.table.put(item, { condition: 'attribute_not_exists(PK)' });
      if (applied) return { done: true, value: { created: true, repository: toRepository(ref, item) } };
      const existing = await this.get(ref);
      return existing ? { done: true, value: { created: false, repository: existing } } : { done: false };
    });
  }

  async get(ref: RepoRef): Promise<Repository | undefined> {
    const item = await this.table.get(keyOf(ref));
    return item && toRepository(ref, item);
  }

  async update(ref: RepoRef, mutate: (current: RepositorySettings) => RepositorySettings): Promise<Repository | undefined> {
    return retryOnConflict<Repository | undefined>(`repository ${ref.name}`, async () => {
      const item = await this.table.get(keyOf(ref));
      if (!item) return { done: true, value: undefined };
      const next = mutate(parseSettings(item['settings'] as string));
      const settings = JSON.stringify(next);
      const version = item['version'] as number;
      const lifecycle = lifecycleKeys(ref, next);
      const { applied } = await this.table.update(keyOf(ref), {
        update: `SET #settings = :settings, #version = :next${lifecycle ? ', GSI1PK = :lc, GSI1SK = :lcsk' : ' REMOVE GSI1PK, GSI1SK'}`,
        condition: '#version = :expected',
        names: NAMES,
        values: {
          ':settings': settings,
          ':next': version + 1,
          ':expected': version,
          ...(lifecycle ? { ':lc': lifecycle.GSI1PK, ':lcsk': lifecycle.GSI1SK } : {}),
        },
      });
      return applied ? { done: true, value: toRepository(ref, { ...item, settings }) } : { done: false };
    });
  }

  async list(registry: string, page: Page): Promise<string[]> {
    return (await this.page(registry, page, 'SK')).map((item) => nameOf(item));
  }

  /** The same Query as `list`, whole items: the page's settings come with it (no GetItem per repository). */
  async listRecords(registry: string, page: Page): Promise<Repository[]> {
    return (await this.page(registry, page)).map((item) => toRepository({ registry, name: nameOf(item) }, item));
  }

  private page(registry: string, page: Page, projection?: string): Promise<Item[]> {
    const pk = keys.registry(registry);
    return this.table.collect(
      {
        key: 'PK = :pk AND begins_with(SK, :prefix)',
        values: { ':pk': pk, ':prefix': PREFIX.repository },
        startAfter: page.last === undefined ? undefined : { PK: pk, SK: keys.repositorySk(page.last) },
        projection,
      },
      page.limit,
    );
  }

  /**
   * The repository item goes first, so the repository disappears at once; then everything recorded in its
   * partition (manifests, tags, links) and its upload sessions, in batches. Not atomic: a repository
   * re-created while the cascade still runs may lose what is pushed to it in that window. On AWS the
   * cure is a per-incarnation partition (REPO#<registry>#<name>#<createdAt>), left for later. The cascade
   * runs even when the repository item is already gone, so repeating a delete finishes one that crashed.
   */
  async delete(ref: RepoRef): Promise<boolean> {
    const { old } = await this.table.delete(keyOf(ref));
    const partition = keys.repository(ref);
    for await (const page of this.table.pages({ key: 'PK = :pk', values: { ':pk': partition }, projection: 'PK, SK' })) {
      await this.table.deleteAll(page as Key[]);
    }
    const sessions = { index: INDEX.sessionsByRepository, key: 'GSI2PK = :pk', values: { ':pk': partition }, consistent: false };
    for await (const page of this.table.pages(sessions)) await this.table.deleteAll(page as Key[]);
    return old !== undefined;
  }
}
