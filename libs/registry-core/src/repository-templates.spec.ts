import type { RepositoryCreationTemplate } from '@cargohold/storage-ports';
import { createMemoryStorage, MemoryRepositoryCreationTemplateStore } from '@cargohold/storage-memory';
import { TemplateAlreadyExistsError, TemplateNotFoundError } from './ecr-errors';
import { createRegistry } from './registry';
import { matchTemplate } from './repository-templates';

const REGISTRY = '111122223333:us-east-1';
const template = (prefix: string, appliedFor: RepositoryCreationTemplate['appliedFor'] = ['CREATE_ON_PUSH']): RepositoryCreationTemplate => ({
  prefix,
  resourceTags: [],
  imageTagMutability: 'IMMUTABLE',
  imageTagMutabilityExclusionFilters: [],
  appliedFor,
  createdAt: '2026-01-01T00:00:00.000Z',
  updatedAt: '2026-01-01T00:00:00.000Z',
});

describe('matchTemplate', () => {
  it('reads a prefix as a namespace: team and team/ cover team/app, not team itself nor teams/app', () => {
    for (const prefix of ['team', 'team/']) {
      expect(matchTemplate([template(prefix)], 'team/app', 'CREATE_ON_PUSH')?.prefix).toBe(prefix);
      expect(matchTemplate([template(prefix)], 'team', 'CREATE_ON_PUSH')).toBeUndefined();
      expect(matchTemplate([template(prefix)], 'teams/app', 'CREATE_ON_PUSH')).toBeUndefined();
    }
  });

  it('prefers the longest matching prefix, falls back to ROOT, and skips templates not applied for the case', () => {
    const templates = [template('ROOT'), template('team'), template('team/web'), template('team/web/api', ['REPLICATION'])];

    expect(matchTemplate(templates, 'team/web/api/v2', 'CREATE_ON_PUSH')?.prefix).toBe('team/web');
    expect(matchTemplate(templates, 'team/db', 'CREATE_ON_PUSH')?.prefix).toBe('team');
    expect(matchTemplate(templates, 'solo', 'CREATE_ON_PUSH')?.prefix).toBe('ROOT');
    expect(matchTemplate(templates, 'team/web/api/v2', 'REPLICATION')?.prefix).toBe('team/web/api');
  });
});

describe('RepositoryTemplates', () => {
  const setup = () =>
    createRegistry({
      storage: createMemoryStorage(),
      templates: new MemoryRepositoryCreationTemplateStore(),
      clock: { now: () => new Date('2026-01-01T00:00:00Z') },
    });

  it('refuses a second template with the same prefix and an update or delete of one that does not exist', async () => {
    const { templates } = setup();
    const { createdAt: _c, updatedAt: _u, ...fields } = template('team');
    await templates.create(REGISTRY, fields);

    await expect(templates.create(REGISTRY, fields)).rejects.toBeInstanceOf(TemplateAlreadyExistsError);
    await expect(templates.update(REGISTRY, 'absent', (current) => current)).rejects.toBeInstanceOf(TemplateNotFoundError);
    await expect(templates.delete(REGISTRY, 'absent')).rejects.toBeInstanceOf(TemplateNotFoundError);
  });

  it('gives a repository created on push its template’s settings', async () => {
    const registry = setup();
    const { createdAt: _c, updatedAt: _u, ...fields } = template('team');
    await registry.templates.create(REGISTRY, { ...fields, resourceTags: [{ Key: 'owner', Value: 'team' }] });

    await registry.uploads.start({ registry: REGISTRY, name: 'team/app' });
    await registry.uploads.start({ registry: REGISTRY, name: 'solo' });

    expect((await registry.repositoryAdmin.get({ registry: REGISTRY, name: 'team/app' })).settings).toMatchObject({
      imageTagMutability: 'IMMUTABLE',
      tags: [{ Key: 'owner', Value: 'team' }],
    });
    expect((await registry.repositoryAdmin.get({ registry: REGISTRY, name: 'solo' })).settings.imageTagMutability).toBe('MUTABLE');
  });
});

describe('a template’s lifecycle policy', () => {
  it('becomes the policy of the repositories the template creates, byte-for-byte', async () => {
    const registry = createRegistry({ storage: createMemoryStorage(), templates: new MemoryRepositoryCreationTemplateStore() });
    const { createdAt: _c, updatedAt: _u, ...fields } = template('team');
    const lifecyclePolicy =
      '{"rules":[{"rulePriority":1,"selection":{"tagStatus":"untagged","countType":"imageCountMoreThan","countNumber":1},"action":{"type":"expire"}}]}';
    await registry.templates.create(REGISTRY, { ...fields, lifecyclePolicy });

    await registry.uploads.start({ registry: REGISTRY, name: 'team/app' });

    expect(await registry.lifecycle.get({ registry: REGISTRY, name: 'team/app' })).toEqual({ policyText: lifecyclePolicy });
  });
});
