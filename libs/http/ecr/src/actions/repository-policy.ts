import { invalidParameter } from '../aws-errors';

/**
 * What ECR refuses in a repository policy beyond IAM's grammar: a repository policy is a resource policy
 * attached to the repository, so a statement naming a `Resource` (or `NotResource`) is refused, and so is
 * an action outside `ecr:` (observed on ECR: both answer InvalidParameterException "Invalid repository
 * policy provided", issue 12). The full grammar is checked afterwards by the policy parser.
 */
export function checkRepositoryPolicy(text: string): void {
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch {
    return; // not JSON: the policy parser names that failure
  }
  const statements = (document as { Statement?: unknown } | null)?.Statement;
  for (const statement of Array.isArray(statements) ? statements : [statements]) {
    if (typeof statement !== 'object' || statement === null) continue;
    const s = statement as Record<string, unknown>;
    const actions = [s['Action'], s['NotAction']].flat().filter((a): a is string => typeof a === 'string');
    if ('Resource' in s || 'NotResource' in s || actions.some((a) => a !== '*' && !a.toLowerCase().startsWith('ecr:'))) {
      throw invalidParameter("Invalid parameter at 'PolicyText' failed to satisfy constraint: 'Invalid repository policy provided'");
    }
  }
}
