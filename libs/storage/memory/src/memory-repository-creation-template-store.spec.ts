import { describeRepositoryCreationTemplateStoreContract } from '@cargohold/storage-testing';
import { MemoryRepositoryCreationTemplateStore } from './memory-repository-creation-template-store';

describeRepositoryCreationTemplateStoreContract('memory', async () => ({
  templates: new MemoryRepositoryCreationTemplateStore(),
  cleanup: async () => undefined,
}));
