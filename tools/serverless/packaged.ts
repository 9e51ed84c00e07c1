import { existsSync, readdirSync } from 'node:fs';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { packageService, ROOT } from './bundles';
import { type CfnResource, type Template } from './template';

/**
 * `serverless package` for both stages (and the local stage with its upload gateway turned on), once per
 * jest run, shared by the package-*.int.spec.ts files.
 *
 * Packaging takes seconds per stage, and osls stages every package in <root>/.serverless before moving
 * it to --package, so two runs at once in this service directory would delete each other's files. The
 * first spec file to ask packages both stages, one after the other, under a lock in the run's directory
 * (created by jest-global-setup.js, removed by jest-global-teardown.js); the others wait for its result,
 * whether they run in the same jest worker or another.
 */

export const STAGES = ['dev', 'local'] as const;
export type Stage = (typeof STAGES)[number];

/**
 * Packaged besides the stages: `local` with `--param uploadGateway=true`. The local stage turns the upload
 * gateway off (LocalStack's free edition has no ECS); this shows its template would hold the gateway too,
 * with the stage's literal token key as plain environment. (`local` itself is the gateway-off template.)
 */
export const LOCAL_WITH_GATEWAY = 'local-with-gateway';
export type PackageName = Stage | typeof LOCAL_WITH_GATEWAY;

const PACKAGES: { name: PackageName; stage: Stage; params?: Record<string, string> }[] = [
  { name: 'dev', stage: 'dev' },
  { name: 'local', stage: 'local' },
  { name: LOCAL_WITH_GATEWAY, stage: 'local', params: { uploadGateway: 'true' } },
];

/** Every Lambda entry in apps/: a new `*.lambda.ts` must get its function in serverless.yml. */
export const HANDLERS = readdirSync(join(ROOT, 'apps'))
  .flatMap((app) => {
    try {
      return readdirSync(join(ROOT, 'apps', app, 'src')).map((file) => `apps/${app}/src/${file}`);
    } catch {
      return [];
    }
  })
  .filter((file) => file.endsWith('.lambda.ts'))
  .map((file) => `${file.slice(0, -'.ts'.length)}.handler`);

export interface Packaged {
  /** The run's directory: `<work>/<name>/` holds what `serverless package` wrote for each of PACKAGES. */
  work: string;
  templates: Record<PackageName, Template>;
}

/** How long a spec file waits for another one's packaging: all three, with room for a loaded machine. */
const WAIT_MS = 170_000;

export async function packagedStages(): Promise<Packaged> {
  const work = process.env['CARGOHOLD_SLS_PACKAGES'];
  if (!work) throw new Error('CARGOHOLD_SLS_PACKAGES is not set: run with tools/serverless/jest.config.js (its globalSetup creates it)');
  const result = join(work, 'packaged.json');
  const deadline = Date.now() + WAIT_MS;
  for (;;) {
    if (existsSync(result)) return readResult(work, result);
    if (await acquire(join(work, 'packaging.lock'))) {
      await packageAll(work, result);
      return readResult(work, result);
    }
    if (Date.now() > deadline) throw new Error(`no serverless package result in ${work} after ${WAIT_MS} ms`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/** mkdir is atomic: exactly one caller creates the lock directory. */
async function acquire(lock: string): Promise<boolean> {
  try {
    await mkdir(lock);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  }
}

/** Packages each of PACKAGES in turn; records success or the failure, so that waiting spec files fail with it too. */
async function packageAll(work: string, result: string): Promise<void> {
  let outcome: { ok: true } | { ok: false; error: string };
  try {
    const ms: string[] = [];
    for (const { name, stage, params } of PACKAGES) {
      const packaged = await packageService({ stage, params, outDir: join(work, name) });
      ms.push(`${name} ${(packaged.ms / 1000).toFixed(1)} s`);
    }
    process.stderr.write(`serverless package: ${ms.join(', ')}\n`);
    outcome = { ok: true };
  } catch (error) {
    outcome = { ok: false, error: error instanceof Error ? error.message : String(error) };
  }
  await writeFile(`${result}.tmp`, JSON.stringify(outcome));
  await rename(`${result}.tmp`, result);
}

async function readResult(work: string, result: string): Promise<Packaged> {
  const outcome = JSON.parse(await readFile(result, 'utf8')) as { ok: boolean; error?: string };
  if (!outcome.ok) throw new Error(outcome.error);
  const templates = {} as Record<PackageName, Template>;
  for (const { name } of PACKAGES) {
    templates[name] = JSON.parse(await readFile(join(work, name, 'cloudformation-template-update-stack.json'), 'utf8'));
  }
  return { work, templates };
}

/** A resource of the template by logical id; fails naming the ids there are. */
export function resourceOf(template: Template, id: string): CfnResource {
  const found = template.Resources[id];
  if (!found) throw new Error(`no resource ${id}; have ${Object.keys(template.Resources).join(', ')}`);
  return found;
}
