// Module boundaries are the architecture: domain and core stay free of AWS, SQLite, the filesystem and
// middy; adapters implement ports; services (HTTP surfaces, workers) compose the core; apps only wire
// them up, and no app imports another.
import nx from '@nx/eslint-plugin';

const infrastructure = ['@aws-sdk/*', 'better-sqlite3', '@middy/*', 'fs', 'fs/promises'];
const nodeFs = [
  { name: 'node:fs', message: 'domain and core never touch the filesystem: use a port' },
  { name: 'node:fs/promises', message: 'domain and core never touch the filesystem: use a port' },
  { name: 'fs', message: 'domain and core never touch the filesystem: use a port' },
  { name: 'fs/promises', message: 'domain and core never touch the filesystem: use a port' },
  { name: 'better-sqlite3', message: 'SQLite belongs in libs/storage/sqlite' },
];

// Test harnesses (emulators, event fixtures) live behind each library's `/testing` entry point: specs,
// other harnesses and tools may import them, production code never does (nor may a bundle contain them).
const testingEntryPoints = {
  group: ['@cargohold/*/testing', '@cargohold/*/testing/*', './testing', './testing/*', '../testing', '../testing/*'],
  message: 'test harnesses are for specs and tools only: production code never imports a /testing entry point',
};

/** Who may import whom. Specs additionally may use adapters and contract suites to arrange scenarios. */
function constraints(specs) {
  const extra = specs ? ['type:adapter', 'type:testing'] : [];
  // A spec may drive the code with the real AWS SDK as a client; the code itself never imports it.
  const banned = specs ? infrastructure.filter((name) => name !== '@aws-sdk/*') : infrastructure;
  return [
    { sourceTag: 'type:domain', onlyDependOnLibsWithTags: ['type:domain'], bannedExternalImports: banned },
    { sourceTag: 'type:port', onlyDependOnLibsWithTags: ['type:domain'], bannedExternalImports: banned },
    {
      sourceTag: 'type:core',
      onlyDependOnLibsWithTags: ['type:domain', 'type:port', ...extra],
      bannedExternalImports: banned,
    },
    { sourceTag: 'type:adapter', onlyDependOnLibsWithTags: ['type:domain', 'type:port', ...extra] },
    { sourceTag: 'type:testing', onlyDependOnLibsWithTags: ['type:domain', 'type:port'] },
    { sourceTag: 'type:runtime', onlyDependOnLibsWithTags: ['type:domain'] },
    // A service's transport-neutral surface (the /v2/ and ECR APIs, token issuance, the scanner): it
    // composes the core and is wired by apps, never wiring storage or SDK clients itself.
    {
      sourceTag: 'type:service',
      onlyDependOnLibsWithTags: ['type:domain', 'type:port', 'type:core', 'type:runtime', ...extra],
      bannedExternalImports: banned.filter((name) => !name.startsWith('fs')),
    },
    // The platform wires adapters for one runtime (libs/platform/aws: env schemas, SDK clients, storage).
    { sourceTag: 'type:platform', onlyDependOnLibsWithTags: ['type:domain', 'type:port', 'type:adapter', 'type:runtime'] },
    // Apps are composition roots: libraries only, never another app. An app's specs may drive the web
    // console's request signer against the real server; the app itself only serves the console's built files.
    {
      sourceTag: 'type:app',
      onlyDependOnLibsWithTags: [
        'type:domain',
        'type:port',
        'type:core',
        'type:adapter',
        'type:runtime',
        'type:service',
        'type:platform',
        ...(specs ? ['type:ui'] : []),
      ],
    },
    // The web console runs in a browser and talks to the product over HTTP only: it imports no library.
    { sourceTag: 'type:ui', onlyDependOnLibsWithTags: [], bannedExternalImports: [...infrastructure, 'node:*'] },
    // Tools drive the product from outside (its built CLI, its libraries), never through an app's sources.
    {
      sourceTag: 'type:tool',
      onlyDependOnLibsWithTags: [
        'type:domain',
        'type:port',
        'type:core',
        'type:adapter',
        'type:runtime',
        'type:service',
        'type:platform',
        'type:testing',
        'type:tool',
      ],
    },
    { sourceTag: 'platform:any', onlyDependOnLibsWithTags: ['platform:any'] },
    // Embedded adapters (filesystem, SQLite) never reach for AWS; AWS code never reaches for the embedded
    // storage: each backend stands alone, and a Lambda bundle never drags in a native module.
    { allSourceTags: ['type:adapter', 'platform:node'], notDependOnLibsWithTags: ['platform:aws'], bannedExternalImports: ['@aws-sdk/*', '@smithy/*'] },
    { sourceTag: 'platform:aws', notDependOnLibsWithTags: ['storage:embedded'], bannedExternalImports: ['better-sqlite3'] },
  ];
}

export default [
  ...nx.configs['flat/base'],
  ...nx.configs['flat/typescript'],
  { ignores: ['**/dist', '**/node_modules', '**/.nx', '**/coverage', '**/*.js', '**/*.mjs', '**/*.cjs'] },
  {
    files: ['**/*.ts', '**/*.tsx'],
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@nx/enforce-module-boundaries': ['error', { enforceBuildableLibDependency: false, depConstraints: constraints(false) }],
    },
  },
  {
    // Type-aware rules: a promise nobody awaits loses its rejection (in stream code, the error itself), and a
    // promise where a callback's result is ignored (an event listener, a condition) is never waited for.
    // projectService reads each file's own tsconfig.json, the one `tsc -b` checks it with.
    files: ['**/*.ts', '**/*.tsx'],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/await-thenable': 'error',
    },
  },
  {
    // Specs may arrange the real thing: a core spec runs over the in-memory adapters and contract helpers.
    files: ['**/*.spec.ts'],
    rules: {
      '@nx/enforce-module-boundaries': ['error', { enforceBuildableLibDependency: false, depConstraints: constraints(true) }],
    },
  },
  {
    files: ['**/*.ts', '**/*.tsx'],
    ignores: ['**/*.spec.ts', '**/testing/**', 'tools/**'],
    rules: { 'no-restricted-imports': ['error', { patterns: [testingEntryPoints] }] },
  },
  {
    // Built-in modules are not npm packages, so the nx rule cannot ban them: say it again here.
    files: [
      'libs/oci/**/*.ts',
      'libs/manifests/**/*.ts',
      'libs/policy/**/*.ts',
      'libs/events/**/*.ts',
      'libs/scanning/**/*.ts',
      'libs/auth/**/*.ts',
      'libs/registry-core/**/*.ts',
      'libs/storage/ports/**/*.ts',
      'libs/http/**/*.ts',
    ],
    ignores: ['**/*.spec.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: nodeFs,
          patterns: [{ group: ['@aws-sdk/*', '@middy/*'], message: 'domain and core never import AWS SDKs or middy: use a port' }, testingEntryPoints],
        },
      ],
    },
  },
  {
    // esbuild keeps every zod module (40 locales included) when handed the `z` namespace object by name:
    // ~640 KiB of each Lambda bundle (tools/bench README, "Lambda cold start"). The namespace import
    // with member accesses is tree-shaken.
    files: ['**/*.ts'],
    rules: {
      'no-restricted-syntax': [
        'error',
        {
          selector: "ImportDeclaration[source.value='zod'] > ImportSpecifier[imported.name='z']",
          message: "import * as z from 'zod' (a named `z` import keeps all of zod in every bundle)",
        },
      ],
    },
  },
];
