import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreatePullThroughCacheRuleCommand, CreateRepositoryCommand, PutLifecyclePolicyCommand } from '@aws-sdk/client-ecr';
import { importVulnerabilities } from '@cargohold/scanning-service';
import { openSqliteMetadata } from '@cargohold/storage-sqlite';
import { chromium, type Browser, type Page } from 'playwright-core';
import { buildConsole, chromiumAvailable, CHROMIUM, focusOutline, SCREENSHOTS, seriousAxeViolations, storedState } from './testing/chromium';
import { pushFilesImage } from './testing/image-builder';
import { OCI_CONFIG, OCI_INDEX, OCI_LAYER, OCI_MANIFEST, type RegistryClient } from './testing/registry-client';
import { findingsWhenDone } from './testing/scan-polling';
import { startEcrTestServer, type EcrTestServer } from './testing/test-server';
import { DPKG_STATUS, OPENSSL_ADVISORY, OS_RELEASE } from './testing/vulnerability-fixtures';

const MANY = 1000;

/** Pushes `count` tiny images sharing one config and one layer: each manifest differs by an annotation. */
async function pushMany(v2: RegistryClient, repo: string, count: number): Promise<void> {
  const config = Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux' }));
  const layer = Buffer.from('one shared layer');
  const base = {
    schemaVersion: 2,
    mediaType: OCI_MANIFEST,
    config: { mediaType: OCI_CONFIG, digest: await v2.pushBlob(repo, config), size: config.length },
    layers: [{ mediaType: OCI_LAYER, digest: await v2.pushBlob(repo, layer), size: layer.length }],
  };
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < count; i = next++) {
      const { res } = await v2.putManifest(repo, `build-${String(i).padStart(4, '0')}`, { ...base, annotations: { 'build.number': String(i) } }, OCI_MANIFEST);
      if (res.status !== 201) throw new Error(`push ${i} failed: ${res.status} ${res.body}`);
    }
  };
  await Promise.all(Array.from({ length: 8 }, worker));
}

/** The debian image the scanner finds CVE-2023-5678 in, a multi-arch index over it, and a referrer of it. */
async function arrangeApp(s: EcrTestServer): Promise<string> {
  await s.ecr.send(new CreateRepositoryCommand({ repositoryName: 'console/app', imageScanningConfiguration: { scanOnPush: true } }));
  const digest = await pushFilesImage(s.v2, 'console/app', 'v1', [{ 'etc/os-release': OS_RELEASE, 'var/lib/dpkg/status': DPKG_STATUS }]);
  const manifest = await s.v2.send('GET', `/v2/console/app/manifests/${digest}`, { headers: { Accept: OCI_MANIFEST } });
  const arm = await s.v2.pushImage('console/app', 'arm64-only', 'arm64');
  const index = {
    schemaVersion: 2,
    mediaType: OCI_INDEX,
    manifests: [
      { mediaType: OCI_MANIFEST, digest, size: manifest.body.length, platform: { os: 'linux', architecture: 'amd64' } },
      { mediaType: OCI_MANIFEST, digest: arm.digest, size: arm.size, platform: { os: 'linux', architecture: 'arm64', variant: 'v8' } },
    ],
  };
  expect((await s.v2.putManifest('console/app', 'multi', index, OCI_INDEX)).res.status).toBe(201);
  const subject = { mediaType: OCI_MANIFEST, digest, size: manifest.body.length };
  await s.v2.pushImage('console/app', 'v1-sbom', 'sbom', { artifactType: 'application/spdx+json', subject });
  await findingsWhenDone(s.ecr, 'console/app', 'v1');
  await s.v2.pushImage('console/app', 'old-1', 'old-1');
  await s.v2.pushImage('console/app', 'old-2', 'old-2');
  const rule = {
    rulePriority: 1,
    selection: { tagStatus: 'tagged', tagPrefixList: ['old-'], countType: 'imageCountMoreThan', countNumber: 1 },
    action: { type: 'expire' },
  };
  await s.ecr.send(new PutLifecyclePolicyCommand({ repositoryName: 'console/app', lifecyclePolicyText: JSON.stringify({ rules: [rule] }) }));
  return digest;
}

const withChromium = chromiumAvailable() ? describe : describe.skip;

withChromium('the web console in headless Chromium', () => {
  let s: EcrTestServer;
  let work: string;
  let browser: Browser;
  let page: Page;
  let appDigest: string;
  const calls: { action: string; input: Record<string, unknown> }[] = [];

  const imageRow = (tag: string) => page.locator('tbody tr', { has: page.getByText(tag, { exact: true }) });
  const shot = (name: string) => page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });
  const expectAccessible = async () => expect(await seriousAxeViolations(page)).toEqual([]);

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'cargohold-console-e2e-'));
    const [, launched] = await Promise.all([
      buildConsole(join(work, 'console')),
      chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] }),
      mkdir(SCREENSHOTS, { recursive: true }),
    ]);
    browser = launched;
    s = await startEcrTestServer({}, { consoleDir: join(work, 'console') });
    const osv = join(work, 'osv');
    await mkdir(osv);
    await writeFile(join(osv, 'DEBIAN-CVE-2023-5678.json'), JSON.stringify(OPENSSL_ADVISORY));
    const metadata = openSqliteMetadata(join(s.t.dataDir, 'metadata.db'));
    try {
      await importVulnerabilities(osv, metadata.vulnerabilities);
    } finally {
      await metadata.close();
    }
    await s.ecr.send(new CreateRepositoryCommand({ repositoryName: 'console/many' }));
    await s.ecr.send(new CreatePullThroughCacheRuleCommand({ ecrRepositoryPrefix: 'mirror', upstreamRegistryUrl: 'registry.example.com' }));
    [appDigest] = await Promise.all([arrangeApp(s), pushMany(s.v2, 'console/many', MANY)]);
    // The CSP allows the origin's own scripts only; axe is injected from npm, so the test page bypasses it.
    const context = await browser.newContext({ bypassCSP: true, viewport: { width: 1280, height: 900 } });
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: s.t.server.url });
    page = await context.newPage();
    page.on('request', (request) => {
      const target = request.headers()['x-amz-target'];
      if (target) calls.push({ action: target.split('.')[1] ?? '', input: JSON.parse(request.postData() ?? '{}') as Record<string, unknown> });
    });
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await s?.stop();
    await rm(work, { recursive: true, force: true });
  });

  it('signs in from the keyboard: labelled fields, Enter submits, and the secret is stored nowhere', async () => {
    await page.goto(`${s.t.server.url}/console`);
    expect(page.url()).toBe(`${s.t.server.url}/console/`);
    await page.getByLabel('Access key ID').focus();
    await page.keyboard.type('test');
    await page.keyboard.press('Tab');
    await page.keyboard.type('test');
    await expectAccessible();
    await shot('1-sign-in');
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Repositories' }).waitFor();
    expect(await storedState(page)).toEqual({ localStorage: 0, sessionStorage: 0, cookies: '' });
  });

  it('lists the repositories, filters them by name, and shows focus on keyboard navigation', async () => {
    await page.getByRole('link', { name: 'console/app' }).waitFor();
    await page.getByLabel('Repository name').fill('many');
    await expect(page.getByRole('link', { name: 'console/app' }).count()).resolves.toBe(0);
    await page.getByLabel('Repository name').fill('console/none');
    await page.getByRole('button', { name: 'Search' }).click();
    await page.getByText('No repositories named “console/none”.').waitFor();
    await page.getByLabel('Repository name').fill('console/many');
    await page.getByRole('button', { name: 'Search' }).click();
    await page.getByRole('link', { name: 'console/many' }).waitFor();
    await page.getByRole('button', { name: 'Show all' }).click();
    await page.getByRole('link', { name: 'console/app' }).focus();
    await page.keyboard.press('Shift+Tab');
    await page.keyboard.press('Tab');
    expect(await focusOutline(page)).toBe('solid');
    await expectAccessible();
    await shot('2-repositories');
  });

  it('opens a repository and shows the pushed image with its tags and a pull line that copies', async () => {
    await page.getByRole('link', { name: 'console/app' }).click();
    const row = imageRow('v1');
    await row.waitFor();
    await row.getByRole('button', { name: 'Copy the pull command for v1' }).click();
    await row.getByText('Copied').waitFor();
    expect(await page.evaluate('navigator.clipboard.readText()')).toBe(`docker pull ${new URL(s.t.server.url).host}/console/app:v1`);
    await expect(page.getByText('multi', { exact: true }).count()).resolves.toBe(1);
    await expectAccessible();
    await shot('3-images');
  });

  it('opens the image: its layers, its referrer, its findings with severity counts', async () => {
    await imageRow('v1').getByRole('link').click();
    await page.getByRole('heading', { name: 'Layers' }).waitFor();
    await expect(page.getByRole('cell', { name: 'layer 1' }).count()).resolves.toBe(1);
    await expect(page.getByText(`docker pull ${new URL(s.t.server.url).host}/console/app@${appDigest}`).count()).resolves.toBe(1);
    await page.getByText(/^Manifest \(/).click();
    await expect(page.getByLabel('Manifest JSON').innerText()).resolves.toContain('"application/vnd.oci.image.layer.v1.tar+gzip"');
    await page.getByText('application/spdx+json').waitFor();
    await page.getByRole('cell', { name: 'CVE-2023-5678' }).waitFor();
    await expect(page.locator('table.counts tr', { hasText: 'MEDIUM' }).innerText()).resolves.toMatch(/MEDIUM\s+1/);
    await expect(page.getByRole('img', { name: /Bar chart of 1 findings/ }).count()).resolves.toBe(1);
    await page.getByText('Not replicated: no replication rule sends this repository anywhere.').waitFor();
    await expectAccessible();
    await shot('4-image');
  });

  it("previews the repository's lifecycle policy: the image it would expire", async () => {
    await page.goto(`${s.t.server.url}/console/#/repositories/console/app`);
    await page.getByText('No preview has been run for this repository.').waitFor();
    await page.getByRole('button', { name: 'Run a preview' }).click();
    // The preview runs in the background: refresh, once each answer is in, until it is complete.
    const section = page.locator('section[aria-labelledby="lifecycle-heading"]');
    let text = '';
    for (let attempt = 0; attempt < 20; attempt++) {
      await section.getByText('Loading…').waitFor({ state: 'detached' });
      text = await section.innerText();
      if (/Preview COMPLETE/.test(text)) break;
      await page.waitForTimeout(200);
      await page.getByRole('button', { name: 'Refresh' }).click();
    }
    expect(text).toMatch(/Preview COMPLETE: 1 image\(s\) would expire\./);
    // old-1 and old-2 match the rule's prefix; keeping one expires the older, old-1.
    const row = page.getByRole('table', { name: 'Images the lifecycle policy would act on' }).locator('tbody tr');
    await expect(row.count()).resolves.toBe(1);
    await expect(row.innerText()).resolves.toMatch(/^\S+\s+old-1\s.*EXPIRE/is);
    await expectAccessible();
    await shot('5-lifecycle-preview');
  });

  it('shows a multi-arch index as its platforms', async () => {
    await page.goto(`${s.t.server.url}/console/#/repositories/console/app`);
    await imageRow('multi').getByRole('link').click();
    await page.getByRole('heading', { name: 'Platforms' }).waitFor();
    await expect(page.getByRole('cell', { name: 'linux/arm64/v8' }).count()).resolves.toBe(1);
    await expect(page.getByRole('cell', { name: 'linux/amd64' }).count()).resolves.toBe(1);
    await shot('6-index');
  });

  it(`pages through ${MANY} images a page at a time, never asking for more than 100`, async () => {
    await page.goto(`${s.t.server.url}/console/#/repositories/console/many`);
    const seen = new Set<string>();
    const next = page.getByRole('button', { name: 'Next' });
    for (let n = 1; ; n++) {
      await page.getByText(`Page ${n}`, { exact: true }).waitFor();
      await page.locator('tbody tr').first().waitFor();
      for (const href of await page.locator('tbody a[href*="/images/"]').evaluateAll((links) => links.map((a) => a.getAttribute('href'))))
        seen.add(String(href));
      if (await next.isDisabled()) break;
      await next.click();
    }
    expect(seen.size).toBe(MANY);
    const pages = calls.filter((call) => call.action === 'DescribeImages' && call.input['repositoryName'] === 'console/many' && !call.input['imageIds']);
    expect(pages).toHaveLength(MANY / 50);
    expect(pages.every((call) => Number(call.input['maxResults']) <= 100)).toBe(true);
    await page.getByRole('button', { name: 'Previous' }).click();
    await page.getByText(`Page ${MANY / 50 - 1}`, { exact: true }).waitFor();
    await shot('7-many');
  });

  it('lists the pull-through cache rules', async () => {
    await page.getByRole('link', { name: 'Pull-through cache' }).click();
    const row = page.locator('tbody tr', { hasText: 'mirror' });
    await row.waitFor();
    await expect(row.innerText()).resolves.toContain('registry.example.com');
    await expectAccessible();
    await shot('8-pull-through');
  });

  it('signs out: the keys are gone and the sign-in form is back', async () => {
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    expect(await storedState(page)).toEqual({ localStorage: 0, sessionStorage: 0, cookies: '' });
  });
});
