// Module boundaries are the architecture: domain and core stay free of AWS, SQLite, the filesystem and
// middy; adapters implement ports; apps compose; only the host (local-server) composes apps.
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

// Apps whose plain entry points others compose: the host composes the APIs, tools drive the host.
const HOSTED_APPS = ['@cargohold/auth-token', '@cargohold/scanner', '@cargohold/distribution-api', '@cargohold/ecr-api', '@cargohold/local-server'];

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
    // The platform wires adapters for one runtime (libs/platform/aws: env schemas, SDK clients, storage).
    { sourceTag: 'type:platform', onlyDependOnLibsWithTags: ['type:domain', 'type:port', 'type:adapter', 'type:runtime'] },
    {
      sourceTag: 'type:app',
      onlyDependOnLibsWithTags: ['type:domain', 'type:port', 'type:core', 'type:adapter', 'type:runtime', 'type:platform'],
    },
    {
      sourceTag: 'type:host',
      onlyDependOnLibsWithTags: ['type:domain', 'type:port', 'type:core', 'type:adapter', 'type:runtime', 'type:platform', 'type:app'],
    },
    { sourceTag: 'type:tool', onlyDependOnLibsWithTags: ['*'] },
    { sourceTag: 'platform:any', onlyDependOnLibsWithTags: ['platform:any'] },
  ];
}

export default [
  ...nx.configs['flat/base'],
  ...nx.configs['flat/typescript'],
  { ignores: ['**/dist', '**/node_modules', '**/.nx', '**/coverage', '**/*.js', '**/*.mjs', '**/*.cjs'] },
  {
    files: ['**/*.ts'],
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@nx/enforce-module-boundaries': [
        'error',
        {
          enforceBuildableLibDependency: false,
          // The host composes apps: each app's plain entry point is its public surface.
          allow: HOSTED_APPS,
          depConstraints: constraints(false),
        },
      ],
    },
  },
  {
    // Specs may arrange the real thing: a core spec runs over the in-memory adapters and contract helpers.
    files: ['**/*.spec.ts'],
    rules: {
      '@nx/enforce-module-boundaries': [
        'error',
        { enforceBuildableLibDependency: false, allow: HOSTED_APPS, depConstraints: constraints(true) },
      ],
    },
  },
  {
    files: ['**/*.ts'],
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
    ],
    ignores: ['**/*.spec.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { paths: nodeFs, patterns: [{ group: ['@aws-sdk/*', '@middy/*'], message: 'domain and core never import AWS SDKs or middy: use a port' }, testingEntryPoints] },
      ],
    },
  },
];
