import { randomUUID } from 'node:crypto';
import { appendFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { ACCOUNT_ID, ECR_EVENTS_RULE, REGION } from './topology';

/**
 * The one stand-in of aws:local: no EventBridge emulator exists, so the stream forwarder's
 * AWS_ENDPOINT_URL_EVENTBRIDGE points here. It answers PutEvents (AWS JSON 1.1) as EventBridge does,
 * appends every entry to `eventsFile` (one JSON line each) and applies the deployment's only rule
 * (events.yml EcrEventsRule): ECR-shaped events go, in EventBridge's envelope, to the subscriber queue.
 */
export async function startEventBridgeSink(options: { eventsFile: string; sqs: SQSClient; ecrEventsQueueUrl: string }) {
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const answer = (status: number, body: unknown) => {
        response.writeHead(status, { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-requestid': randomUUID() });
        response.end(JSON.stringify(body));
      };
      if (request.headers['x-amz-target'] !== 'AWSEvents.PutEvents') {
        return answer(400, { __type: 'UnknownOperationException', message: `aws:local only emulates PutEvents, not ${request.headers['x-amz-target']}` });
      }
      putEvents(JSON.parse(Buffer.concat(chunks).toString('utf8')) as PutEventsRequest, options).then(
        (ids) => answer(200, { FailedEntryCount: 0, Entries: ids.map((EventId) => ({ EventId })) }),
        (error: unknown) => answer(500, { __type: 'InternalException', message: String(error) }),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

interface PutEventsRequest {
  readonly Entries?: readonly { Source?: string; DetailType?: string; Detail?: string; EventBusName?: string; Resources?: string[]; Time?: string }[];
}

async function putEvents(request: PutEventsRequest, options: { eventsFile: string; sqs: SQSClient; ecrEventsQueueUrl: string }): Promise<string[]> {
  const ids: string[] = [];
  for (const entry of request.Entries ?? []) {
    const id = randomUUID();
    ids.push(id);
    const event = {
      version: '0',
      id,
      'detail-type': entry.DetailType,
      source: entry.Source,
      account: ACCOUNT_ID,
      time: entry.Time ?? new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
      region: REGION,
      resources: entry.Resources ?? [],
      detail: JSON.parse(entry.Detail ?? '{}') as unknown,
    };
    await appendFile(options.eventsFile, `${JSON.stringify({ eventBusName: entry.EventBusName, ...event })}\n`);
    if (entry.Source === ECR_EVENTS_RULE.source && (ECR_EVENTS_RULE.detailTypes as readonly (string | undefined)[]).includes(entry.DetailType)) {
      await options.sqs.send(new SendMessageCommand({ QueueUrl: options.ecrEventsQueueUrl, MessageBody: JSON.stringify(event) }));
    }
  }
  return ids;
}
