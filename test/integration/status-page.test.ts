/**
 * The `/admin` status page in a real headless Chromium (Debian's `chromium`, driven
 * by playwright-core; `.ci/run` installs it). A missing browser fails the test
 * loudly: the page is the part of llmux a person watches, so it must not go
 * untested silently.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { startHarness, type Harness } from '../helpers/harness.js';

const CHROMIUM = '/usr/bin/chromium';
const RESULTS = fileURLToPath(new URL('../../test-results/', import.meta.url));
const DESCRIPTION = '<img src=x onerror="document.body.dataset.pwned=1"> main <b>chat</b> route';

let harness: Harness;
let browser: Browser;

async function launch(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`${CHROMIUM} is missing: the status page test needs Debian's chromium (apt-get install -y chromium; .ci/run installs it)`);
  }
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

const send = (model: string): Promise<Response> =>
  fetch(`${harness.url}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ model, messages: [{ role: 'user', content: 'hi' }] }) });

/** Opens the page and records everything the browser complained about (CSP violations, script errors). */
async function open(width: number): Promise<{ page: Page; problems: string[] }> {
  const page = await browser.newPage({ viewport: { width, height: 900 } });
  const problems: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(message.text());
  });
  page.on('pageerror', (error) => problems.push(error.message));
  const response = await page.goto(`${harness.llmux.adminUrl}/admin`);
  expect(response?.status()).toBe(200);
  await page.waitForSelector('body[data-loaded="true"]', { timeout: 10_000 });
  return { page, problems };
}

beforeAll(async () => {
  mkdirSync(RESULTS, { recursive: true });
  browser = await launch();
  harness = await startHarness({
    mocks: { alpha: { format: 'openai' }, beta: { format: 'openai' } },
    policy: `routes:
  chat:
    description: '${DESCRIPTION}'
    strategy: round_robin
    targets:
      - { provider: alpha, model: m1 }
      - { provider: beta, model: m2, max_connections: 8, price: { input: 0.15, output: 0.6 } }
    breaker: { volume_threshold: 3, error_percentage: 50, window_ms: 30000, reset_timeout_ms: 120000 }
  cheap:
    strategy: priority
    targets:
      - { provider: beta, model: m3 }
      - { provider: alpha, model: m1 }
`,
  });
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await harness?.close();
});

describe('status page at /admin', () => {
  it('is served as one self-contained HTML document with a strict CSP', async () => {
    const response = await fetch(`${harness.llmux.adminUrl}/admin`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
    const csp = response.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("connect-src 'self'");
    expect(csp).not.toContain('unsafe-inline');
    const html = await response.text();
    // No external resources: nothing to load but the page itself and /admin/state.
    expect(html).not.toMatch(/<(script|link|img)[^>]+(src|href)="(?!data:)/i);
    expect(html).not.toMatch(/https?:\/\//);
  });

  it('shows every target of every route, then shows a breaker opening', async () => {
    for (let i = 0; i < 6; i++) expect((await send(i % 2 ? 'cheap' : 'chat')).status).toBe(200);
    const { page, problems } = await open(1280);

    for (const [route, targets] of [['chat', ['alpha/m1', 'beta/m2']], ['cheap', ['beta/m3', 'alpha/m1']]] as const) {
      const section = page.locator(`section[data-route="${route}"]`);
      await expect.poll(() => section.locator('[data-target]').count()).toBe(targets.length);
      for (const target of targets) {
        const row = section.locator(`[data-target="${target}"]`);
        expect(await row.getAttribute('data-state')).toBe('closed');
        expect(await row.textContent()).toContain(target);
      }
    }
    // Header: config version, a good reload and the memory backend.
    expect(await page.locator('#meta').textContent()).toMatch(/config v1.*last reload ok.*state memory connected/s);
    // Served counts and price are drawn from the state.
    const beta = page.locator('section[data-route="chat"] [data-target="beta/m2"]');
    expect(await beta.textContent()).toContain('$0.15 · $0.6');
    expect(await beta.locator('[data-label="In flight"]').textContent()).toBe('0 / 8');
    expect(await beta.locator('[data-label="Served / failed"]').textContent()).toBe('1 / 0');
    expect(await beta.locator('[data-label="Share"]').textContent()).toBe('33.3%');

    // Data is text, never markup: the description shows literally and its "image" never ran.
    const description = page.locator('section[data-route="chat"] .desc');
    expect(await description.textContent()).toBe(DESCRIPTION);
    expect(await description.locator('img, b').count()).toBe(0);
    // (Strings, not functions: the test compiles without the DOM lib.)
    expect(await page.evaluate('document.body.dataset.pwned === undefined')).toBe(true);

    // beta fails every request until its breaker opens; alpha answers the failovers.
    harness.mocks.beta?.setBehavior({ faults: [{ fault: { kind: 'status', status: 500, scope: 'generate' }, probability: 1 }] });
    for (let i = 0; i < 40 && harness.llmux.breakers.phase('beta/m2').phase !== 'open'; i++) expect((await send('chat')).status).toBe(200);
    expect(harness.llmux.breakers.phase('beta/m2').phase).toBe('open');

    // The page picks it up on its own refresh: wait for the DOM, not for a fixed time.
    const opened = page.locator('section[data-route="chat"] [data-target="beta/m2"][data-state="open"]');
    await opened.waitFor({ timeout: 15_000 });
    expect(await opened.locator('.badge').textContent()).toBe('breaker open');
    expect(await opened.locator('.detail').textContent()).toMatch(/^probe at \d\d?:\d\d:\d\d( [AP]M)? \(in \d+ (s|min)\)$/);
    expect(await opened.locator('.chip').first().textContent()).toMatch(/^overloaded/);
    expect(await page.locator('section[data-route="chat"]').getAttribute('class')).toContain('degraded');
    expect(await page.title()).toMatch(/1 target not healthy/);
    await page.screenshot({ path: `${RESULTS}status-page.png`, fullPage: true });
    expect(problems).toEqual([]);
    await page.close();
  });

  it('fits a narrow window without sideways scrolling', async () => {
    const { page, problems } = await open(380);
    expect(await page.locator('[data-target]').count()).toBe(4);
    const overflow = await page.evaluate<number>('document.documentElement.scrollWidth - document.documentElement.clientWidth');
    expect(overflow).toBeLessThanOrEqual(0);
    await page.screenshot({ path: `${RESULTS}status-page-narrow.png`, fullPage: true });
    expect(problems).toEqual([]);
    await page.close();
  });

  it('shows a failed reload with its message while the old config keeps serving', async () => {
    const { page, problems } = await open(1280);
    harness.config.write('policies/routes.yaml', 'routes:\n  chat:\n    strategy: fastest\n    targets: []\n');
    const reload = await fetch(`${harness.llmux.adminUrl}/admin/reload`, { method: 'POST' });
    expect(reload.status).toBe(422);
    const banner = page.locator('#reload-error');
    await banner.waitFor({ timeout: 15_000 });
    expect(await banner.textContent()).toMatch(/The last reload failed .*the running config v1 stays\..*routes\.yaml:\d+:\d+/s);
    expect(await page.locator('#reload .badge').textContent()).toBe('failed');
    expect(await page.locator('[data-target]').count()).toBe(4);
    await page.screenshot({ path: `${RESULTS}status-page-reload-error.png` });
    expect(problems).toEqual([]);
    await page.close();
  });

  it('says so when llmux stops answering, and keeps the last picture', async () => {
    const { page } = await open(1024);
    // Swap the page's fetch for a failing one: the listener stays up for the other tests.
    await page.evaluate("window.fetch = () => Promise.reject(new Error('connection refused'))");
    await page.locator('#offline:not([hidden])').waitFor({ timeout: 10_000 });
    expect(await page.locator('#offline').textContent()).toContain('Cannot reach llmux: connection refused');
    expect(await page.locator('[data-target]').count()).toBe(4);
    expect(await page.locator('body').getAttribute('class')).toContain('stale');
    await page.close();
  });
});
