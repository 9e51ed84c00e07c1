import {
  BatchGetCommand,
  BatchWriteCommand,
  DeleteCommand,
  GetCommand,
  PutCommand,
  QueryCommand,
  TransactWriteCommand,
  type TransactWriteCommandInput,
  UpdateCommand,
  type DynamoDBDocumentClient,
  type NativeAttributeValue,
} from '@aws-sdk/lib-dynamodb';
import { isConditionFailure, MetadataThrottledError, translate } from './errors';

export type Item = Record<string, NativeAttributeValue>;
export interface Key {
  readonly PK: string;
  readonly SK: string;
}

/** One conditional single-item write: DynamoDB expressions with their placeholders. */
export interface Write {
  readonly update?: string;
  readonly condition?: string;
  readonly names?: Record<string, string>;
  readonly values?: Record<string, NativeAttributeValue>;
}

export interface Written {
  /** False when the condition did not hold; nothing was written then. */
  readonly applied: boolean;
  /** The item as it was before the write (ReturnValues ALL_OLD), when there was one. */
  readonly old?: Item;
}

export interface QuerySpec {
  readonly index?: string;
  readonly key: string;
  readonly names?: Record<string, string>;
  readonly values: Record<string, NativeAttributeValue>;
  /** Keyset pagination: the key of the item (existing or not) the results start strictly after. */
  readonly startAfter?: Item;
  readonly projection?: string;
  /** A FilterExpression: applied after the key condition and the page limit (a page may come back short). */
  readonly filter?: string;
  /** Strongly consistent (base table and LSIs); GSIs are eventually consistent and must pass false. */
  readonly consistent?: boolean;
}

/** One item of a TransactWriteItems: a condition-only check, or a (conditional) put, update or delete. */
export type TransactWrite =
  | { readonly check: Key; readonly write: Write & { readonly condition: string } }
  | { readonly put: Item; readonly write?: Write }
  | { readonly update: Key; readonly write: Write & { readonly update: string } }
  | { readonly delete: Key; readonly write?: Write };

/** DynamoDB's limit on the items of one TransactWriteItems (their total size is capped at 4 MB). */
export const TRANSACT_LIMIT = 100;

export type Transacted =
  | { readonly committed: true }
  /**
   * Nothing was written. `failed` lists the positions (in the request) whose condition did not hold;
   * `conflict` says another transaction or write held one of the items (retry after a pause).
   */
  | { readonly committed: false; readonly failed: readonly number[]; readonly conflict: boolean };

/** One request of a BatchWriteItem: unconditional, like everything BatchWriteItem does. */
export type BatchWrite = { readonly put: Item } | { readonly delete: Key };

export interface Projection {
  readonly expression: string;
  readonly names?: Record<string, string>;
}

const BATCH_WRITE_LIMIT = 25;
const BATCH_GET_LIMIT = 100;
const BATCH_ATTEMPTS = 8;
/** Batch requests in flight at once: enough to hide latency, few enough not to trip throttling. */
const BATCH_PARALLELISM = 4;

/** Tries of a transaction cancelled for throttling, as many as the SDK's standard mode gives a throttled call. */
const THROTTLED_TRANSACTION_ATTEMPTS = 3;
/** Full jitter over an exponential ceiling from 500 ms (the SDK's base delay for throttling), capped at 5 s. */
const throttledPause = (attempt: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, Math.random() * Math.min(5_000, 500 * 2 ** attempt)));

export const pause = (attempt: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, Math.random() * Math.min(250, 5 * 2 ** attempt)));

/**
 * The table as the stores use it: every call is strongly consistent where DynamoDB allows it, every
 * vendor error is translated here (ConditionalCheckFailed becomes `applied: false`), and no SDK error
 * type escapes to the stores' callers.
 */
export class Table {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    readonly name: string,
  ) {}

  async get(key: Key): Promise<Item | undefined> {
    const input = { TableName: this.name, Key: key, ConsistentRead: true };
    return (await this.call('GetItem', () => this.doc.send(new GetCommand(input)))).Item;
  }

  async put(item: Item, write: Write = {}): Promise<Written> {
    const input = { TableName: this.name, Item: item, ...expressions(write), ReturnValues: 'ALL_OLD' as const };
    return this.conditional('PutItem', async () => (await this.doc.send(new PutCommand(input))).Attributes);
  }

  async update(key: Key, write: Write): Promise<Written> {
    const input = { TableName: this.name, Key: key, UpdateExpression: write.update, ...expressions(write), ReturnValues: 'ALL_OLD' as const };
    return this.conditional('UpdateItem', async () => (await this.doc.send(new UpdateCommand(input))).Attributes);
  }

  async delete(key: Key, write: Write = {}): Promise<Written> {
    const input = { TableName: this.name, Key: key, ...expressions(write), ReturnValues: 'ALL_OLD' as const };
    return this.conditional('DeleteItem', async () => (await this.doc.send(new DeleteCommand(input))).Attributes);
  }

  /**
   * All or nothing: TransactWriteItems. A cancelled transaction is an answer, not an error: its
   * CancellationReasons become positions (`failed`) the caller maps to its own domain errors. A
   * cancellation for throttling is retried here, a few times with jittered backoff, because the SDK's
   * retry strategy does not know a TransactionCanceledException can mean "slow down"; after that it is a
   * MetadataThrottledError (429).
   */
  async transact(writes: readonly TransactWrite[]): Promise<Transacted> {
    const TableName = this.name;
    const TransactItems = writes.map((w) => {
      if ('check' in w) return { ConditionCheck: { TableName, Key: w.check, ...expressions(w.write) } };
      if ('put' in w) return { Put: { TableName, Item: w.put, ...expressions(w.write ?? {}) } };
      if ('update' in w) return { Update: { TableName, Key: w.update, UpdateExpression: w.write.update, ...expressions(w.write) } };
      return { Delete: { TableName, Key: w.delete, ...expressions(w.write ?? {}) } };
    });
    for (let attempt = 1; ; attempt++) {
      const result = await this.transactOnce(TransactItems);
      if (!('throttled' in result)) return result;
      if (attempt >= THROTTLED_TRANSACTION_ATTEMPTS) throw new MetadataThrottledError('TransactWriteItems', result.throttled);
      await throttledPause(attempt);
    }
  }

  private async transactOnce(TransactItems: NonNullable<TransactWriteCommandInput['TransactItems']>): Promise<Transacted | { throttled: unknown }> {
    try {
      await this.doc.send(new TransactWriteCommand({ TransactItems }));
      return { committed: true };
    } catch (error) {
      const name = (error as { name?: unknown }).name;
      if (name === 'TransactionConflictException') return { committed: false, failed: [], conflict: true };
      if (name !== 'TransactionCanceledException') throw translate('TransactWriteItems', error);
      const reasons = (error as { CancellationReasons?: { Code?: string }[] }).CancellationReasons ?? [];
      const codes = reasons.map((reason) => reason.Code ?? 'None');
      if (codes.some((code) => code === 'ThrottlingError' || code === 'ProvisionedThroughputExceeded')) return { throttled: error };
      const unexpected = codes.find((code) => !['None', 'ConditionalCheckFailed', 'TransactionConflict'].includes(code));
      if (unexpected !== undefined) throw translate('TransactWriteItems', error);
      const failed = codes.flatMap((code, i) => (code === 'ConditionalCheckFailed' ? [i] : []));
      return { committed: false, failed, conflict: codes.includes('TransactionConflict') || failed.length === 0 };
    }
  }

  /** Every page of a Query; a page is what one request returned (DynamoDB caps a response at 1 MB). */
  async *pages(spec: QuerySpec): AsyncGenerator<Item[]> {
    let start = spec.startAfter;
    do {
      const out = await this.queryOnce(spec, start);
      yield out.items;
      start = out.next;
    } while (start);
  }

  /** At most `limit` items of a Query, looping while DynamoDB returns short pages. */
  async collect(spec: QuerySpec, limit = Number.POSITIVE_INFINITY): Promise<Item[]> {
    const items: Item[] = [];
    let start = spec.startAfter;
    while (items.length < limit) {
      const remaining = limit - items.length;
      const out = await this.queryOnce(spec, start, Number.isFinite(remaining) ? remaining : undefined);
      items.push(...out.items);
      if (!out.next) break;
      start = out.next;
    }
    return items;
  }

  /** Deletes every key, 25 per BatchWriteItem, retrying UnprocessedItems with backoff. */
  async deleteAll(keys: readonly Key[]): Promise<void> {
    await this.writeAll(keys.map((key) => ({ delete: key })));
  }

  /**
   * Unconditional puts and deletes, 25 per BatchWriteItem and a few batches at a time, retrying
   * UnprocessedItems with backoff. One call must not name a key twice (DynamoDB refuses such a batch).
   */
  async writeAll(writes: readonly BatchWrite[]): Promise<void> {
    const requests = writes.map((write) =>
      'put' in write ? { PutRequest: { Item: write.put } } : { DeleteRequest: { Key: { PK: write.delete.PK, SK: write.delete.SK } } },
    );
    await inParallel(chunks(requests, BATCH_WRITE_LIMIT), BATCH_PARALLELISM, async (batch) => {
      let pending = batch;
      for (let attempt = 0; pending.length > 0; attempt++) {
        if (attempt === BATCH_ATTEMPTS) {
          throw new MetadataThrottledError('BatchWriteItem', new Error(`${pending.length} writes stayed unprocessed`));
        }
        if (attempt > 0) await pause(attempt);
        const input = { RequestItems: { [this.name]: pending } };
        const out = await this.call('BatchWriteItem', () => this.doc.send(new BatchWriteCommand(input)));
        pending = (out.UnprocessedItems?.[this.name] ?? []) as typeof pending;
      }
    });
  }

  /**
   * Strongly consistent GetItem for many keys, 100 per BatchGetItem, retrying UnprocessedKeys with
   * backoff. Answers the items that exist, in no particular order; keys must be distinct.
   */
  async getAll(keys: readonly Key[], projection?: Projection): Promise<Item[]> {
    const found: Item[] = [];
    await inParallel(
      chunks(
        keys.map((key) => ({ PK: key.PK, SK: key.SK })),
        BATCH_GET_LIMIT,
      ),
      BATCH_PARALLELISM,
      async (batch) => {
        let pending: Key[] = batch;
        for (let attempt = 0; pending.length > 0; attempt++) {
          if (attempt === BATCH_ATTEMPTS) {
            throw new MetadataThrottledError('BatchGetItem', new Error(`${pending.length} reads stayed unprocessed`));
          }
          if (attempt > 0) await pause(attempt);
          const request = {
            Keys: pending,
            ConsistentRead: true,
            ...(projection && { ProjectionExpression: projection.expression, ExpressionAttributeNames: projection.names }),
          };
          const out = await this.call('BatchGetItem', () => this.doc.send(new BatchGetCommand({ RequestItems: { [this.name]: request } })));
          found.push(...(out.Responses?.[this.name] ?? []));
          pending = (out.UnprocessedKeys?.[this.name]?.Keys ?? []) as Key[];
        }
      },
    );
    return found;
  }

  private async queryOnce(spec: QuerySpec, start: Item | undefined, limit?: number): Promise<{ items: Item[]; next?: Item }> {
    const input = {
      TableName: this.name,
      IndexName: spec.index,
      KeyConditionExpression: spec.key,
      FilterExpression: spec.filter,
      ExpressionAttributeNames: spec.names,
      ExpressionAttributeValues: spec.values,
      ExclusiveStartKey: start,
      ProjectionExpression: spec.projection,
      ConsistentRead: spec.consistent ?? true,
      Limit: limit,
    };
    const out = await this.call('Query', () => this.doc.send(new QueryCommand(input)));
    return { items: out.Items ?? [], next: out.LastEvaluatedKey };
  }

  private async call<T>(operation: string, send: () => Promise<T>): Promise<T> {
    try {
      return await send();
    } catch (error) {
      throw translate(operation, error);
    }
  }

  private async conditional(operation: string, send: () => Promise<Item | undefined>): Promise<Written> {
    try {
      const old = await send();
      return old ? { applied: true, old } : { applied: true };
    } catch (error) {
      if (isConditionFailure(error)) return { applied: false };
      throw translate(operation, error);
    }
  }
}

function expressions(write: Write) {
  return {
    ConditionExpression: write.condition,
    ExpressionAttributeNames: write.names,
    ExpressionAttributeValues: write.values,
  };
}

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** Runs `fn` over every item with at most `limit` calls in flight; the first failure rejects. */
async function inParallel<T>(items: readonly T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) await fn(items[next++] as T);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}
