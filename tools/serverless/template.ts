/** Reading the CloudFormation template `serverless package` writes (only what the spec needs). */
export interface CfnResource {
  readonly Type: string;
  readonly Properties: Record<string, unknown>;
  readonly DeletionPolicy?: string;
  readonly DependsOn?: string | string[];
  readonly Metadata?: Record<string, unknown>;
}

export interface Template {
  readonly Resources: Record<string, CfnResource>;
  readonly Outputs?: Record<string, unknown>;
}

export function resourcesOfType(template: Template, type: string): [string, CfnResource][] {
  return Object.entries(template.Resources).filter(([, resource]) => resource.Type === type);
}

/** The Lambda function whose Handler is `handler` (e.g. `apps/ecr-api/src/main.lambda.handler`). */
export function functionByHandler(template: Template, handler: string): [string, CfnResource] {
  const found = resourcesOfType(template, 'AWS::Lambda::Function').filter(([, fn]) => fn.Properties['Handler'] === handler);
  const [only, ...more] = found;
  if (!only || more.length > 0) throw new Error(`expected one function with handler ${handler}, found ${found.length}`);
  return only;
}

export interface AllowStatement {
  readonly sid?: string;
  readonly actions: string[];
  /** Strings, or intrinsic functions (Ref, Fn::GetAtt, Fn::Join) naming the stack's own resources. */
  readonly resources: unknown[];
}

/** The Allow statements of an AWS::IAM::Role's inline policies, with Action/Resource as arrays. */
export function allowStatements(role: CfnResource): AllowStatement[] {
  const policies = (role.Properties['Policies'] ?? []) as { PolicyDocument: { Statement: Record<string, unknown>[] } }[];
  const list = (value: unknown): unknown[] => (Array.isArray(value) ? value : value === undefined ? [] : [value]);
  return policies
    .flatMap((policy) => policy.PolicyDocument.Statement)
    .filter((statement) => statement['Effect'] === 'Allow')
    .map((statement) => ({
      ...(typeof statement['Sid'] === 'string' ? { sid: statement['Sid'] } : {}),
      actions: list(statement['Action']).map(String),
      resources: list(statement['Resource']),
    }));
}

/** The event source mappings that invoke the function `functionId`. */
export function mappingsOf(template: Template, functionId: string): Record<string, unknown>[] {
  return resourcesOfType(template, 'AWS::Lambda::EventSourceMapping')
    .map(([, mapping]) => mapping.Properties)
    .filter((properties) => JSON.stringify(properties['FunctionName']) === JSON.stringify({ 'Fn::GetAtt': [functionId, 'Arn'] }));
}
