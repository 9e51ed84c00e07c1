import { AsyncLocalStorage } from 'node:async_hooks';
import type { RegistrySettingsStore, RepoRef, RepositoryStore } from '@cargohold/storage-ports';

/**
 * Reads one request repeats, made once per request. A `/v2/` request asks for the registry's settings
 * item up to three times (its resource policies for the authorization, its pull-through rules, its
 * pull-time exclusions) and for the repository item twice (its policy, then the repository itself):
 * on DynamoDB each is a billed GetItem and a round trip. Inside `scoped(handler)` the stores below
 * answer a repeated read from the first one; outside a request (or in another request) they read
 * through. A write through them forgets what it changes, so a request reads its own writes; a write by
 * another request may be missed until this one ends, as it could be between two reads anyway.
 *
 * Each caller gets its own copy of a cached record, as each read of the store would give it.
 */
export class RequestReads {
  readonly #scope = new AsyncLocalStorage<Map<string, Promise<unknown>>>();

  /** `handler` with a fresh read cache for each call. */
  scoped<A extends unknown[], R>(handler: (...args: A) => Promise<R>): (...args: A) => Promise<R> {
    return (...args) => this.#scope.run(new Map(), () => handler(...args));
  }

  registries(store: RegistrySettingsStore): RegistrySettingsStore {
    const key = (registry: string) => `registry:${registry}`;
    return {
      get: (registry) => this.#once(key(registry), () => store.get(registry)),
      update: (registry, mutate) => this.#writing(key(registry), () => store.update(registry, mutate)),
    };
  }

  repositories(store: RepositoryStore): RepositoryStore {
    const key = (ref: RepoRef) => `repository:${ref.registry}/${ref.name}`;
    return {
      create: (ref, at, settings) => this.#writing(key(ref), () => store.create(ref, at, settings)),
      get: (ref) => this.#once(key(ref), () => store.get(ref)),
      update: (ref, mutate) => this.#writing(key(ref), () => store.update(ref, mutate)),
      list: (registry, page) => store.list(registry, page),
      listRecords: (registry, page) => store.listRecords(registry, page),
      delete: (ref) => this.#writing(key(ref), () => store.delete(ref)),
    };
  }

  #once<T>(key: string, read: () => Promise<T>): Promise<T> {
    const cache = this.#scope.getStore();
    if (!cache) return read();
    let reading = cache.get(key) as Promise<T> | undefined;
    if (!reading) {
      reading = read();
      cache.set(key, reading);
      // A failed read is not remembered: the next asks again.
      const failed = reading;
      failed.catch(() => cache.get(key) === failed && cache.delete(key));
    }
    return reading.then((value) => structuredClone(value));
  }

  async #writing<T>(key: string, write: () => Promise<T>): Promise<T> {
    const cache = this.#scope.getStore();
    cache?.delete(key);
    try {
      return await write();
    } finally {
      cache?.delete(key);
    }
  }
}
