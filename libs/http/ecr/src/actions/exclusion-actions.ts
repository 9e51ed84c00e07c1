import * as z from 'zod';
import { defineAction, epochSeconds } from '../action';
import { MaxResults, NextToken } from '../shapes';

/**
 * Pull-time update exclusions (https://docs.aws.amazon.com/AmazonECR/latest/APIReference/API_RegisterPullTimeUpdateExclusion.html):
 * registry-wide, for the caller's registry; principals are IAM users and roles.
 */
const PrincipalArn = z
  .string()
  .max(200)
  .regex(
    /^arn:aws(-[a-z]+)*:iam::[0-9]{12}:(role|user)\/[\w+=,.@-]+(\/[\w+=,.@-]+)*$/,
    "must satisfy regular expression '^arn:aws(-[a-z]+)*:iam::[0-9]{12}:(role|user)/[\\w+=,.@-]+(/[\\w+=,.@-]+)*$'",
  );

export const registerPullTimeUpdateExclusion = defineAction({
  name: 'RegisterPullTimeUpdateExclusion',
  input: z.object({ principalArn: PrincipalArn }),
  async handle(input, context) {
    const { principalArn, createdAt } = await context.registry.pullTimeExclusions.register(context.registryKey(), input.principalArn);
    return { principalArn, createdAt: epochSeconds(createdAt) };
  },
});

export const deregisterPullTimeUpdateExclusion = defineAction({
  name: 'DeregisterPullTimeUpdateExclusion',
  input: z.object({ principalArn: PrincipalArn }),
  async handle(input, context) {
    return { principalArn: await context.registry.pullTimeExclusions.deregister(context.registryKey(), input.principalArn) };
  },
});

export const listPullTimeUpdateExclusions = defineAction({
  name: 'ListPullTimeUpdateExclusions',
  input: z.object({ maxResults: MaxResults(1000).optional(), nextToken: NextToken.optional() }),
  async handle(input, context) {
    const key = context.registryKey();
    const page = await context.registry.pullTimeExclusions.list(key, input.maxResults ?? 100, context.pageToken.open(key, input.nextToken));
    return { pullTimeUpdateExclusions: page.principalArns, nextToken: context.pageToken.seal(key, page.next) };
  },
});
