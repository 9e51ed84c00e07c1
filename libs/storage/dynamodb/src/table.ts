import {
  BatchWriteCommand,
  DeleteCommand,
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
  type DynamoDBDocumentClient,
  type NativeAttributeValue,
} from '@aws-sdk/lib-dynamodb';
import { isConditionFailure, MetadataStoreError, translate } from './errors';

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
  /** Strongly consistent (base table and LSIs); GSIs are eventually consistent and must pass false. */
  readonly consistent?: boolean;
}

const BATCH_WRITE_LIMIT = 25;
const BATCH_ATTEMPTS = 8;

export const pause = (attempt: number): Promise<void> =>
  new Promise((resolve) => setTimeout(resolve, Math.random() * Math.min(250, 5 * 2 ** attempt)));

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
    for (let i = 0; i < keys.length; i += BATCH_WRITE_LIMIT) {
      let requests = keys.slice(i, i + BATCH_WRITE_LIMIT).map((key) => ({ DeleteRequest: { Key: { PK: key.PK, SK: key.SK } } }));
      for (let attempt = 0; requests.length > 0; attempt++) {
        if (attempt === BATCH_ATTEMPTS) {
          throw new MetadataStoreError('BatchWriteItem', new Error(`${requests.length} deletes stayed unprocessed`));
        }
        if (attempt > 0) await pause(attempt);
        const input = { RequestItems: { [this.name]: requests } };
        const out = await this.call('BatchWriteItem', () => this.doc.send(new BatchWriteCommand(input)));
        requests = (out.UnprocessedItems?.[this.name] ?? []) as typeof requests;
      }
    }
  }

  private async queryOnce(spec: QuerySpec, start: Item | undefined, limit?: number): Promise<{ items: Item[]; next?: Item }> {
    const input = {
      TableName: this.name,
      IndexName: spec.index,
      KeyConditionExpression: spec.key,
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
