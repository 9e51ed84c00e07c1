// Module boundaries are the architecture: domain and core stay free of AWS, SQLite, the filesystem and
// middy; adapters implement ports; apps compose; only the host (local-server) composes apps.
import nx from '@nx/eslint-plugin';

const infrastructure = ['@aws-sdk/*', '@smithy/*', 'better-sqlite3', '@middy/*', 'fs', 'fs/promises'];
const nodeFs = [
  { name: 'node:fs', message: 'domain and core never touch the filesystem: use a port' },
  { name: 'node:fs/promises', message: 'domain and core never touch the filesystem: use a port' },
  { name: 'fs', message: 'domain and core never touch the filesystem: use a port' },
  { name: 'fs/promises', message: 'domain and core never touch the filesystem: use a port' },
  { name: 'better-sqlite3', message: 'SQLite belongs in libs/storage/sqlite' },
];

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
          allow: [],
          depConstraints: [
            { sourceTag: 'type:domain', onlyDependOnLibsWithTags: ['type:domain'], bannedExternalImports: infrastructure },
            { sourceTag: 'type:port', onlyDependOnLibsWithTags: ['type:domain'], bannedExternalImports: infrastructure },
            {
              sourceTag: 'type:core',
              onlyDependOnLibsWithTags: ['type:domain', 'type:port'],
              bannedExternalImports: infrastructure,
            },
            { sourceTag: 'type:adapter', onlyDependOnLibsWithTags: ['type:domain', 'type:port', 'type:testing'] },
            { sourceTag: 'type:testing', onlyDependOnLibsWithTags: ['type:domain', 'type:port'] },
            {
              sourceTag: 'type:app',
              onlyDependOnLibsWithTags: ['type:domain', 'type:port', 'type:core', 'type:adapter', 'type:runtime'],
            },
            {
              sourceTag: 'type:host',
              onlyDependOnLibsWithTags: ['type:domain', 'type:port', 'type:core', 'type:adapter', 'type:runtime', 'type:app'],
            },
            { sourceTag: 'type:tool', onlyDependOnLibsWithTags: ['*'] },
            { sourceTag: 'platform:any', onlyDependOnLibsWithTags: ['platform:any'] },
          ],
        },
      ],
    },
  },
  {
    // Built-in modules are not npm packages, so the nx rule cannot ban them: say it again here.
    files: ['libs/oci/**/*.ts', 'libs/manifests/**/*.ts', 'libs/registry-core/**/*.ts', 'libs/storage/ports/**/*.ts'],
    ignores: ['**/*.spec.ts'],
    rules: { 'no-restricted-imports': ['error', { paths: nodeFs, patterns: ['@aws-sdk/*', '@middy/*'] }] },
  },
];
