import { execFileSync } from 'node:child_process';
import { join, resolve } from 'node:path';

/**
 * The layering is enforced by lint, not by good intentions: each probe is a file that a careless change
 * could add, linted in place (the project's own eslint.config.mjs, the nx project graph) without being
 * written to disk. Each must fail with the rule that guards it; the control must pass, so a rule that
 * stopped running (no project graph, a renamed tag) fails this spec rather than passing it.
 */
const ROOT = resolve(__dirname, '../../..');
const BOUNDARIES = '@nx/enforce-module-boundaries';
const RESTRICTED = 'no-restricted-imports';

interface Probe {
  readonly what: string;
  readonly file: string;
  readonly code: string;
  readonly rule: string;
}

const PROBES: readonly Probe[] = [
  {
    what: 'core importing an app',
    file: 'libs/registry-core/src/lint-probe.ts',
    // Apps export nothing (no package entry, no path alias), so the only way in is a path into their sources.
    code: `import { awsDistributionDeps } from '../../../apps/distribution-api/src/deps.aws';\nexport const probe = awsDistributionDeps;\n`,
    rule: BOUNDARIES,
  },
  {
    what: 'an app importing another app',
    file: 'apps/ecr-api/src/lint-probe.ts',
    code: `import { awsScanWorker } from '../../scanner/src/deps.aws';\nexport const probe = awsScanWorker;\n`,
    rule: BOUNDARIES,
  },
  {
    what: 'the filesystem adapter importing an AWS SDK',
    file: 'libs/storage/fs/src/lint-probe.ts',
    code: `import { S3Client } from '@aws-sdk/client-s3';\nexport const probe = S3Client;\n`,
    rule: BOUNDARIES,
  },
  {
    what: 'an AWS adapter importing SQLite',
    file: 'libs/storage/s3/src/lint-probe.ts',
    code: `import Database from 'better-sqlite3';\nexport const probe = Database;\n`,
    rule: BOUNDARIES,
  },
  {
    what: 'an AWS adapter importing the filesystem storage',
    file: 'libs/storage/dynamodb/src/lint-probe.ts',
    code: `import { createFsBlobStorage } from '@cargohold/storage-fs';\nexport const probe = createFsBlobStorage;\n`,
    rule: BOUNDARIES,
  },
  {
    what: 'core touching the filesystem',
    file: 'libs/registry-core/src/lint-probe.ts',
    code: `import { readFileSync } from 'node:fs';\nexport const probe = readFileSync;\n`,
    rule: RESTRICTED,
  },
  {
    what: 'production code importing a test harness',
    file: 'apps/distribution-api/src/lint-probe.ts',
    code: `import { startS3rver } from '@cargohold/storage-s3/testing';\nexport const probe = startS3rver;\n`,
    rule: RESTRICTED,
  },
];

const ESLINT = join(ROOT, 'node_modules/eslint/bin/eslint.js');
const TYPED_RULES_OFF = JSON.stringify({
  '@typescript-eslint/no-floating-promises': 'off',
  '@typescript-eslint/no-misused-promises': 'off',
  '@typescript-eslint/await-thenable': 'off',
});

interface LintMessage {
  readonly ruleId: string | null;
  readonly message: string;
  readonly severity: number;
}

/**
 * Lints `code` as if it were `file`, in a child eslint (the config is ESM, which jest's module loader
 * cannot import). Typed rules are off because the probe exists in no tsconfig.
 */
function lint(file: string, code: string): LintMessage[] {
  const args = [
    ESLINT,
    '--stdin',
    '--stdin-filename',
    join(ROOT, file),
    '--format',
    'json',
    '--parser-options',
    'projectService:false',
    '--rule',
    TYPED_RULES_OFF,
  ];
  let out: string;
  try {
    out = execFileSync(process.execPath, args, { cwd: ROOT, input: code, encoding: 'utf8', env: { ...process.env, NX_DAEMON: 'false' } });
  } catch (error) {
    // eslint exits 1 when it found errors; its JSON report is still on stdout.
    out = (error as { stdout?: string }).stdout ?? '';
    if (!out) throw error;
  }
  const [result] = JSON.parse(out) as { messages: LintMessage[] }[];
  if (!result) throw new Error(`eslint returned nothing for ${file}`);
  return result.messages;
}

beforeAll(() => {
  // The nx rule reads the cached project graph (and skips itself, with a warning, when there is none).
  execFileSync(process.execPath, [join(ROOT, 'node_modules/nx/dist/bin/nx.js'), 'show', 'projects'], {
    cwd: ROOT,
    env: { ...process.env, NX_DAEMON: 'false' },
    stdio: 'ignore',
  });
}, 120_000);

describe('lint boundaries', () => {
  it('let an allowed import through (the control: the rules run and do not flag everything)', () => {
    const messages = lint(
      'libs/registry-core/src/lint-probe.ts',
      `import type { BlobStore } from '@cargohold/storage-ports';\nexport type Probe = BlobStore;\n`,
    );

    expect(messages.map((m) => `${m.ruleId}: ${m.message}`)).toEqual([]);
  });

  it.each(PROBES.map((probe) => [probe.what, probe] as const))('refuse %s', (_what, probe) => {
    const messages = lint(probe.file, probe.code);

    expect(messages.filter((m) => m.severity === 2).map((m) => m.ruleId)).toContain(probe.rule);
  });
});
