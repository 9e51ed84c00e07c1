// One function's "container": a process that requires the handler bundle once (the cold start) and runs
// the invocations its parent (lambda-host.ts) sends over IPC, with a context object shaped like the
// Node.js runtime's. Bundled on its own by bundles.ts; it imports nothing but Node.
import { randomUUID } from 'node:crypto';

interface InvokeMessage {
  readonly id: number;
  readonly event: unknown;
  readonly timeoutMs: number;
}

type Handler = (event: unknown, context: unknown) => Promise<unknown>;

const [file, exportName = 'handler'] = process.argv.slice(2);
const functionName = process.env['AWS_LAMBDA_FUNCTION_NAME'] ?? 'function';
const region = process.env['AWS_REGION'] ?? 'us-east-1';
const send = (message: unknown) => process.send?.(message);

let handler: Handler | undefined;
try {
  const loaded = require(file ?? '') as Record<string, unknown>;
  if (typeof loaded[exportName] !== 'function') throw new Error(`${file} exports no function "${exportName}"`);
  handler = loaded[exportName] as Handler;
  send({ type: 'ready' });
} catch (error) {
  send({ type: 'init-error', message: String((error as Error)?.stack ?? error) });
}

// The parent is the whole topology: when it is gone (killed without its clean-up), so is this function.
process.on('disconnect', () => process.exit(0));

process.on('message', (message: InvokeMessage) => {
  void invoke(message).then(send);
});

async function invoke({ id, event, timeoutMs }: InvokeMessage) {
  if (!handler) return { type: 'result', id, error: { errorType: 'Runtime.ImportModuleError', errorMessage: `${functionName} failed to initialize` } };
  const deadline = Date.now() + timeoutMs;
  const requestId = randomUUID();
  const context = {
    callbackWaitsForEmptyEventLoop: true,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:${region}:${process.env['REGISTRY_ACCOUNT_ID'] ?? '000000000000'}:function:${functionName}`,
    memoryLimitInMB: process.env['AWS_LAMBDA_FUNCTION_MEMORY_SIZE'] ?? '1024',
    awsRequestId: requestId,
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: `${new Date().toISOString().slice(0, 10).replaceAll('-', '/')}/[$LATEST]${process.pid}`,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
  try {
    const result = await handler(event, context);
    return { type: 'result', id, result: result ?? null };
  } catch (error) {
    const err = error as Error;
    console.error(`${requestId} invocation failed`, err);
    return { type: 'result', id, error: { errorType: err?.name ?? 'Error', errorMessage: String(err?.message ?? err) } };
  }
}
