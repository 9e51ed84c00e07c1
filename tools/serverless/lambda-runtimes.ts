/**
 * Lambda's Node.js runtimes and the day each is (or was) deprecated, from the runtime support policy
 * (docs.aws.amazon.com/lambda/latest/dg/lambda-runtimes.html). From its deprecation date a runtime gets
 * no security patches, and a few months later Lambda refuses to create functions on it (nodejs20.x:
 * deprecated 2026-04-30, creation blocked from 2026-08-31). The packaging spec compares every function
 * with this table and today's date, so the next deprecation fails a test instead of a user's deploy.
 * Add each new runtime here when Lambda announces it, with the date from that page.
 */
export const NODE_RUNTIME_DEPRECATIONS: Readonly<Record<string, string>> = {
  'nodejs24.x': '2028-04-30',
  'nodejs22.x': '2027-04-30',
  'nodejs20.x': '2026-04-30',
  'nodejs18.x': '2025-09-01',
  'nodejs16.x': '2024-06-12',
  'nodejs14.x': '2023-12-04',
  'nodejs12.x': '2023-03-31',
  'nodejs10.x': '2021-07-30',
};

/** Why `runtime` cannot be deployed on `today`, or undefined when Lambda still supports it. */
export function runtimeProblem(runtime: unknown, today: Date): string | undefined {
  if (typeof runtime !== 'string') return `no runtime named (${JSON.stringify(runtime)})`;
  const deprecated = NODE_RUNTIME_DEPRECATIONS[runtime];
  if (deprecated === undefined) return `${runtime} is not a Lambda Node.js runtime this table knows`;
  if (Date.parse(`${deprecated}T00:00:00Z`) <= today.getTime()) return `${runtime} was deprecated by Lambda on ${deprecated}`;
  return undefined;
}
