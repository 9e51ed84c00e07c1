/**
 * The region every SDK client of the process uses, resolved as the AWS CLI does and the README's quick
 * start expects: `AWS_REGION` (what Lambda sets), then `AWS_DEFAULT_REGION` (what the CLI reads and the
 * SDK v3 ignores), then the region configured for the registry. Undefined leaves the choice to the SDK's
 * own chain (a shared-config profile's `region`); if that finds none either, the start-up check says so.
 */
export function resolveRegion(env: NodeJS.ProcessEnv, configured?: string): string | undefined {
  return nonEmpty(env['AWS_REGION']) ?? nonEmpty(env['AWS_DEFAULT_REGION']) ?? nonEmpty(configured);
}

const nonEmpty = (value: string | undefined): string | undefined => (value ? value : undefined);
