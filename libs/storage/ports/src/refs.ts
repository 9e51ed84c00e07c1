import type { Digest } from '@cargohold/oci';

/**
 * A registry is (account id, region); storage sees it as an opaque key such as `000000000000:us-east-1`.
 * Repository names are validated by the edge before they reach a store.
 */
export interface RepoRef {
  readonly registry: string;
  readonly name: string;
}

/** Keyset pagination: results strictly after `last` in lexical (byte) order, at most `limit` of them. */
export interface Page {
  readonly last?: string;
  readonly limit: number;
}

export type Found<T> = ({ found: true } & T) | { found: false };

export type { Digest };
