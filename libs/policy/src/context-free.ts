import type { PatternSet, PolicyDocument } from './types';

const hasVariable = (set: PatternSet | undefined): boolean => set?.patterns.some((pattern) => pattern.includes('${')) ?? false;

/**
 * Whether a policy's verdicts depend on nothing but the principal, the action and the resource: no
 * statement has a Condition, and no Resource names a policy variable. Such a policy answers the same for
 * the same (principal, action, resource) at any time and from any address, so a verdict may be reused.
 */
export function isContextFree(document: PolicyDocument): boolean {
  return document.statements.every((statement) => statement.conditions.length === 0 && !hasVariable(statement.resource));
}
