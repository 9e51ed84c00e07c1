import type Database from 'better-sqlite3';
import { DEFAULT_REGISTRY_SETTINGS } from '@cargohold/storage-ports';
import type { RegistrySettings, RegistrySettingsStore } from '@cargohold/storage-ports';
import { SqliteReadCache } from './sqlite-read-cache';

type Mutate = (current: RegistrySettings) => RegistrySettings;

/** A missing row, or a field the document lacks, reads as the default (cloned: `mutate` may edit its argument). */
const parse = (document: string | undefined): RegistrySettings => ({
  ...structuredClone(DEFAULT_REGISTRY_SETTINGS),
  ...(document === undefined ? {} : (JSON.parse(document) as Partial<RegistrySettings>)),
});

/** One JSON document per registry, stored whole so that new fields need no migration. */
export class SqliteRegistrySettingsStore implements RegistrySettingsStore {
  private readonly select: Database.Statement<[string], { document: string }>;
  private readonly updateTx: Database.Transaction<(registry: string, mutate: Mutate) => RegistrySettings>;
  /** Every manifest GET reads its registry's pull-through rules. */
  private readonly cache: SqliteReadCache<RegistrySettings>;

  constructor(db: Database.Database) {
    this.cache = new SqliteReadCache(db, 64);
    this.select = db.prepare('SELECT document FROM registries WHERE registry = ?');
    const upsert = db.prepare<[{ registry: string; document: string }]>(
      `INSERT INTO registries (registry, document) VALUES (@registry, @document)
       ON CONFLICT DO UPDATE SET document = excluded.document`,
    );
    // Run with .immediate(): the write lock is held from the read to the write (no lost update).
    this.updateTx = db.transaction((registry: string, mutate: Mutate) => {
      const document = JSON.stringify(mutate(parse(this.select.get(registry)?.document)));
      upsert.run({ registry, document });
      return parse(document);
    });
  }

  async get(registry: string): Promise<RegistrySettings> {
    return this.cache.read(registry, '', '', this.load);
  }

  private readonly load = (registry: string): RegistrySettings => parse(this.select.get(registry)?.document);

  async update(registry: string, mutate: Mutate): Promise<RegistrySettings> {
    return this.updateTx.immediate(registry, mutate);
  }
}
