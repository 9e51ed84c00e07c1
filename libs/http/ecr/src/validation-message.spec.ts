import * as z from 'zod';
import { MaxResults, RepositoryName } from './shapes';
import { validationMessage } from './validation-message';

const messageOf = (schema: z.ZodType, input: unknown) => {
  const parsed = schema.safeParse(input);
  if (parsed.success) throw new Error('expected a failure');
  return validationMessage(parsed.error.issues[0] as z.core.$ZodIssue);
};

describe('validationMessage', () => {
  it.each([
    [
      z.object({ maxResults: MaxResults(1000) }),
      { maxResults: 1001 },
      "Invalid parameter at 'maxResults' failed to satisfy constraint: 'Member must have value less than or equal to 1000'",
    ],
    [
      z.object({ maxResults: MaxResults(1000) }),
      { maxResults: 0 },
      "Invalid parameter at 'maxResults' failed to satisfy constraint: 'Member must have value greater than or equal to 1'",
    ],
    [
      z.object({ ids: z.array(z.string()).max(2) }),
      { ids: ['a', 'b', 'c'] },
      "Invalid parameter at 'ids' failed to satisfy constraint: 'Member must have length less than or equal to 2'",
    ],
    [
      z.object({ ids: z.array(z.object({ tag: z.string().max(3) })) }),
      { ids: [{ tag: 'ok' }, { tag: 'long' }] },
      "Invalid parameter at 'ids.2.member.tag' failed to satisfy constraint: 'Member must have length less than or equal to 3'",
    ],
    [
      z.object({ mode: z.enum(['A', 'B']) }),
      { mode: 'C' },
      "Invalid parameter at 'mode' failed to satisfy constraint: 'Member must satisfy enum value set: [A, B]'",
    ],
    [z.object({ name: z.string() }), {}, "Invalid parameter at 'name' failed to satisfy constraint: 'Member must not be null'"],
    [
      z.object({ repositoryName: RepositoryName }),
      { repositoryName: 'a' },
      "Invalid parameter at 'repositoryName' failed to satisfy constraint: 'must have length greater than or equal to 2'",
    ],
    [
      z.object({ repositoryName: RepositoryName }),
      { repositoryName: 'Upper' },
      "Invalid parameter at 'repositoryName' failed to satisfy constraint: 'must satisfy regular expression '(?:[a-z0-9]+(?:[._-][a-z0-9]+)*/)*[a-z0-9]+(?:[._-][a-z0-9]+)*''",
    ],
  ])('words case %# as ECR does', (schema, input, message) => {
    expect(messageOf(schema, input)).toBe(message);
  });
});
