import type { AttributeValue, DynamoDBClient } from '@aws-sdk/client-dynamodb';

/** What a spec sees of one request: the DynamoDB operation and its input (marshalled at the `build` step). */
export interface Request {
  readonly operation: string;
  readonly input: Record<string, unknown> & { Item?: Record<string, AttributeValue>; Key?: Record<string, unknown> };
}

/**
 * Runs `around` for every request the client sends; it decides when (and whether) to call `send`. At the
 * `initialize` step inputs are as the store built them; at `build` lib-dynamodb has marshalled them.
 */
export function intercept(
  client: DynamoDBClient,
  around: (request: Request, send: () => Promise<unknown>) => Promise<unknown>,
  step: 'initialize' | 'build' = 'initialize',
): void {
  type Next = (args: { input: object }) => Promise<unknown>;
  const middleware = (next: Next, context: { commandName?: string }) => async (args: { input: object }) => {
    const request = { operation: (context.commandName ?? '').replace(/Command$/, ''), input: args.input as Request['input'] };
    return around(request, () => next(args));
  };
  // The stack's overloads tie each step to its own handler type; this helper serves two steps alike.
  client.middlewareStack.add(middleware as never, { step, name: `spec-intercept-${Math.random()}` } as never);
}
