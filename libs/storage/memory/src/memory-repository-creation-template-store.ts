import type { Page, RepositoryCreationTemplate, RepositoryCreationTemplateStore } from '@cargohold/storage-ports';

/** Templates in a Map per registry; copies in and out, so callers never share state with the store. */
export class MemoryRepositoryCreationTemplateStore implements RepositoryCreationTemplateStore {
  private readonly byRegistry = new Map<string, Map<string, RepositoryCreationTemplate>>();

  async create(registry: string, template: RepositoryCreationTemplate): Promise<boolean> {
    const templates = this.of(registry);
    if (templates.has(template.prefix)) return false;
    templates.set(template.prefix, structuredClone(template));
    return true;
  }

  async get(registry: string, prefix: string): Promise<RepositoryCreationTemplate | undefined> {
    const template = this.of(registry).get(prefix);
    return template && structuredClone(template);
  }

  async update(
    registry: string,
    prefix: string,
    mutate: (current: RepositoryCreationTemplate) => RepositoryCreationTemplate,
  ): Promise<RepositoryCreationTemplate | undefined> {
    const current = this.of(registry).get(prefix);
    if (!current) return undefined;
    const next = { ...mutate(structuredClone(current)), prefix };
    this.of(registry).set(prefix, structuredClone(next));
    return structuredClone(next);
  }

  async delete(registry: string, prefix: string): Promise<RepositoryCreationTemplate | undefined> {
    const template = this.of(registry).get(prefix);
    this.of(registry).delete(prefix);
    return template;
  }

  async list(registry: string, page: Page): Promise<RepositoryCreationTemplate[]> {
    return [...this.of(registry).values()]
      .filter((t) => page.last === undefined || Buffer.compare(Buffer.from(t.prefix), Buffer.from(page.last)) > 0)
      .sort((a, b) => Buffer.compare(Buffer.from(a.prefix), Buffer.from(b.prefix)))
      .slice(0, page.limit)
      .map((t) => structuredClone(t));
  }

  private of(registry: string): Map<string, RepositoryCreationTemplate> {
    let templates = this.byRegistry.get(registry);
    if (!templates) this.byRegistry.set(registry, (templates = new Map()));
    return templates;
  }
}
