import type Database from 'better-sqlite3';
import type { Page, RepositoryCreationTemplate, RepositoryCreationTemplateStore } from '@cargohold/storage-ports';

type Mutate = (current: RepositoryCreationTemplate) => RepositoryCreationTemplate;
const parse = (document: string): RepositoryCreationTemplate => JSON.parse(document) as RepositoryCreationTemplate;

/** One JSON document per (registry, prefix), stored whole. */
export class SqliteRepositoryCreationTemplateStore implements RepositoryCreationTemplateStore {
  private readonly select: Database.Statement<[string, string], { document: string }>;
  private readonly insert: Database.Statement<[string, string, string]>;
  private readonly replace: Database.Statement<[string, string, string]>;
  private readonly remove: Database.Statement<[string, string]>;
  private readonly page: Database.Statement<[string, string, number], { document: string }>;
  private readonly updateTx: Database.Transaction<(registry: string, prefix: string, mutate: Mutate) => RepositoryCreationTemplate | undefined>;
  private readonly deleteTx: Database.Transaction<(registry: string, prefix: string) => RepositoryCreationTemplate | undefined>;

  constructor(db: Database.Database) {
    this.select = db.prepare('SELECT document FROM repository_creation_templates WHERE registry = ? AND prefix = ?');
    this.insert = db.prepare('INSERT INTO repository_creation_templates (registry, prefix, document) VALUES (?, ?, ?) ON CONFLICT DO NOTHING');
    this.replace = db.prepare('UPDATE repository_creation_templates SET document = ? WHERE registry = ? AND prefix = ?');
    this.remove = db.prepare('DELETE FROM repository_creation_templates WHERE registry = ? AND prefix = ?');
    this.page = db.prepare('SELECT document FROM repository_creation_templates WHERE registry = ? AND prefix > ? ORDER BY prefix LIMIT ?');
    // Run with .immediate(): the write lock is held from the read to the write (no lost update).
    this.updateTx = db.transaction((registry: string, prefix: string, mutate: Mutate) => {
      const row = this.select.get(registry, prefix);
      if (!row) return undefined;
      const next = { ...mutate(parse(row.document)), prefix };
      this.replace.run(JSON.stringify(next), registry, prefix);
      return next;
    });
    this.deleteTx = db.transaction((registry: string, prefix: string) => {
      const row = this.select.get(registry, prefix);
      if (!row) return undefined;
      this.remove.run(registry, prefix);
      return parse(row.document);
    });
  }

  async create(registry: string, template: RepositoryCreationTemplate): Promise<boolean> {
    return this.insert.run(registry, template.prefix, JSON.stringify(template)).changes === 1;
  }

  async get(registry: string, prefix: string): Promise<RepositoryCreationTemplate | undefined> {
    const row = this.select.get(registry, prefix);
    return row && parse(row.document);
  }

  async update(registry: string, prefix: string, mutate: Mutate): Promise<RepositoryCreationTemplate | undefined> {
    return this.updateTx.immediate(registry, prefix, mutate);
  }

  async delete(registry: string, prefix: string): Promise<RepositoryCreationTemplate | undefined> {
    return this.deleteTx.immediate(registry, prefix);
  }

  async list(registry: string, page: Page): Promise<RepositoryCreationTemplate[]> {
    // '' sorts before every prefix (prefixes are never empty), so it stands for "from the start".
    return this.page.all(registry, page.last ?? '', page.limit).map((row) => parse(row.document));
  }
}
