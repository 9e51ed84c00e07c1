import { DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';
import type { DynamoMetadataOptions } from './index';
import { referenceHintOf } from './dynamo-blob-reclaim-store';
import { translate } from './errors';
import { Table } from './table';

/**
 * One-time migration before the first garbage collection of a table written by a version without
 * reference hints (dynamo-blob-reclaim-store.ts): puts the REF hint of every link (L#) and manifest (M#)
 * item. Idempotent (hints are plain puts), safe beside live traffic (writers add their own hints), and a
 * full-table Scan: an operator's step, never part of a collection pass. Answers how many hints it put.
 */
export async function backfillReferenceHints({ client, table }: DynamoMetadataOptions): Promise<number> {
  const doc = DynamoDBDocumentClient.from(client);
  const writer = new Table(doc, table);
  let written = 0;
  let start: Record<string, unknown> | undefined;
  do {
    const input = {
      TableName: table,
      ProjectionExpression: 'PK, SK',
      FilterExpression: 'begins_with(PK, :repo) AND (begins_with(SK, :link) OR begins_with(SK, :manifest))',
      ExpressionAttributeValues: { ':repo': 'REPO#', ':link': 'L#', ':manifest': 'M#' },
      ExclusiveStartKey: start,
    };
    let page;
    try {
      page = await doc.send(new ScanCommand(input));
    } catch (error) {
      throw translate('Scan', error);
    }
    const hints = (page.Items ?? []).map((item) => referenceHintOf(item['PK'] as string, item['SK'] as string));
    // One batch must not name a key twice (a link and a manifest of one digest in one repository).
    const unique = [...new Map(hints.map((hint) => [`${hint.PK}\u0000${hint.SK}`, hint])).values()];
    await writer.writeAll(unique.map((put) => ({ put })));
    written += unique.length;
    start = page.LastEvaluatedKey;
  } while (start);
  return written;
}
