import type * as z from 'zod';

/**
 * An input schema's failure in ECR's words. Observed on ECR (the documentation shows no text), quoted in
 * public reports: InvalidParameterException with
 *   "Invalid parameter at 'maxResults' failed to satisfy constraint: 'Member must have value less than or equal to 1000'"
 *   (andrey-pohilko/registry-cli#79), "… at 'imageIds' … 'Member must have length less than or equal to 100'"
 *   (trek10inc/ecr-cleaner#8), and for repositoryName, which ECR checks itself, without "Member":
 *   "… at 'repositoryName' … 'must satisfy regular expression '(?:[a-z0-9]+…)*''" (jenkins-x/jx#1344),
 *   "'must have length greater than or equal to 2'" (aws/aws-dotnet-deploy#549).
 * Issue 12 quotes the generic AWS frame ("1 validation error detected: Value 'x' at …"); the observed
 * ECR frame above wins, as the issue asks when documentation and observation differ.
 */
export function validationMessage(issue: z.core.$ZodIssue): string {
  const at = pathOf(issue.path);
  const words = at === 'repositoryName' ? repositoryNameConstraint(issue) : constraint(issue);
  return `Invalid parameter at '${at}' failed to satisfy constraint: '${words}'`;
}

function repositoryNameConstraint(issue: z.core.$ZodIssue): string {
  return issue.code === 'invalid_format' ? issue.message : constraint(issue).replace(/^Member /, '');
}

/** `imageIds.1.member.imageTag`: list members are counted from 1 and named `member`, as AWS names them. */
function pathOf(path: readonly PropertyKey[]): string {
  return path.map((part) => (typeof part === 'number' ? `${part + 1}.member` : String(part))).join('.');
}

function constraint(issue: z.core.$ZodIssue): string {
  switch (issue.code) {
    case 'too_big':
      return `Member must have ${issue.origin === 'number' || issue.origin === 'int' ? 'value' : 'length'} less than or equal to ${String(issue.maximum)}`;
    case 'too_small':
      return `Member must have ${issue.origin === 'number' || issue.origin === 'int' ? 'value' : 'length'} greater than or equal to ${String(issue.minimum)}`;
    case 'invalid_format':
      return issue.format === 'regex' && 'pattern' in issue ? `Member must satisfy regular expression pattern: ${patternOf(issue)}` : `Member ${issue.message}`;
    case 'invalid_value':
      return `Member must satisfy enum value set: [${issue.values.map(String).join(', ')}]`;
    case 'invalid_type':
      return issue.input === undefined || issue.input === null ? 'Member must not be null' : `Member must be of type ${issue.expected}`;
    default:
      return `Member ${issue.message}`;
  }
}

/** The pattern as ECR's model writes it: our schemas anchor theirs with ^…$, ECR's constraint text does not. */
function patternOf(issue: { pattern?: unknown; message: string }): string {
  const quoted = /regular expression '(.*)'$/.exec(issue.message);
  if (quoted?.[1]) return quoted[1];
  return String(issue.pattern)
    .replace(/^\/\^?/, '')
    .replace(/\$?\/[a-z]*$/, '');
}
