import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Page } from 'playwright-core';

/** Debian's `chromium` package; playwright-core drives it (it ships no browser of its own). */
export const CHROMIUM = '/usr/bin/chromium';

/** Chromium is part of the toolchain: missing in CI is a failure, locally the spec is skipped, loudly. */
export function chromiumAvailable(): boolean {
  if (existsSync(CHROMIUM)) return true;
  if (process.env['CI']) throw new Error(`${CHROMIUM} is required in CI (apt-get install chromium)`);
  console.warn(`SKIPPED: the console's browser spec needs ${CHROMIUM} (apt-get install chromium)`);
  return false;
}

const WORKSPACE = join(__dirname, '../../../..');

/** Builds the console with its own build script into `outdir`, as `nx run console-web:build` does. */
export async function buildConsole(outdir: string): Promise<void> {
  await promisify(execFile)(process.execPath, [join(WORKSPACE, 'libs/console-web/build.mjs'), outdir], { cwd: WORKSPACE, timeout: 60_000 });
}

/** Where screenshots go: under the workspace's git-ignored tmp/. */
export const SCREENSHOTS = join(WORKSPACE, 'tmp', 'console-e2e');

interface AxeViolation {
  readonly id: string;
  readonly impact?: string | null;
  readonly help: string;
  readonly nodes: readonly { readonly target: unknown }[];
}

// The page-side code below is passed as source text: this project compiles without the DOM's types.

/** Runs axe-core (injected from npm) on the page as it is; answers the serious and critical violations. */
export async function seriousAxeViolations(page: Page): Promise<{ id: string; help: string; targets: unknown[] }[]> {
  await page.addScriptTag({ path: require.resolve('axe-core/axe.min.js') });
  const violations = (await page.evaluate("axe.run(document, { resultTypes: ['violations'] }).then((result) => result.violations)")) as AxeViolation[];
  return violations
    .filter((violation) => violation.impact === 'serious' || violation.impact === 'critical')
    .map((violation) => ({ id: violation.id, help: violation.help, targets: violation.nodes.map((node) => node.target) }));
}

/** What the page keeps beyond its memory: local and session storage entries, and cookies. */
export async function storedState(page: Page): Promise<unknown> {
  return page.evaluate('({ localStorage: localStorage.length, sessionStorage: sessionStorage.length, cookies: document.cookie })');
}

/** The outline style of the focused element: `none` would mean focus is invisible. */
export async function focusOutline(page: Page): Promise<unknown> {
  return page.evaluate('getComputedStyle(document.activeElement).outlineStyle');
}
