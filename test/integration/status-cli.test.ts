/** `llmux status` (the built CLI) against a running llmux, and against nothing. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { reservePort } from '../../lib/simulator/index.js';
import { runCli } from '../helpers/cli.js';
import { configDir } from '../helpers/config-dir.js';
import { startHarness, type Harness } from '../helpers/harness.js';

let harness: Harness;

const send = (model: string): Promise<Response> =>
  fetch(`${harness.url}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ model, messages: [{ role: 'user', content: 'hi' }] }) });

beforeAll(async () => {
  harness = await startHarness({
    mocks: { alpha: { format: 'openai' }, beta: { format: 'openai' } },
    policy: `routes:
  chat:
    strategy: round_robin
    targets:
      - { provider: alpha, model: m1 }
      - { provider: beta, model: m2, max_connections: 8 }
    breaker: { volume_threshold: 3, error_percentage: 50, window_ms: 30000, reset_timeout_ms: 120000 }
  cheap:
    targets:
      - { provider: beta, model: m3 }
`,
  });
  for (let i = 0; i < 4; i++) expect((await send(i < 3 ? 'chat' : 'cheap')).status).toBe(200);
}, 60_000);

afterAll(() => harness?.close());

/** The table rows (after the header line), split into columns. */
function rows(stdout: string): string[][] {
  const lines = stdout.split('\n');
  const header = lines.findIndex((line) => line.startsWith('ROUTE'));
  expect(header).toBeGreaterThan(0);
  expect(lines[header]).toMatch(/^ROUTE +TARGET +STATE +SHARE +SERVED\/FAILED +IN-FLIGHT +LATENCY +RECENT ERRORS$/);
  const body: string[][] = [];
  for (const line of lines.slice(header + 1)) {
    if (line.trim() === '') break;
    body.push(line.split(/ {2,}/).map((c) => c.trim()));
  }
  return body;
}

describe('llmux status', () => {
  it('prints every target of every route as a table, with version, reload and backend lines', async () => {
    const admin = harness.llmux.adminUrl ?? '';
    const result = await runCli(['status', '--url', admin]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).not.toContain('\x1b['); // not a TTY: no colours
    expect(result.stdout).toContain(`llmux at ${admin}: config v1`);
    expect(result.stdout).toMatch(/^last reload: ok \(start, \d+ s ago\); reloads: 0 ok, 0 failed$/m);
    expect(result.stdout).toMatch(/^state backend: memory, connected/m);
    const table = rows(result.stdout);
    expect(table.map((r) => [r[0], r[1], r[2]])).toEqual([
      ['chat', 'alpha/m1', 'closed'],
      ['chat', 'beta/m2', 'closed'],
      ['cheap', 'beta/m3', 'closed'],
    ]);
    const beta = table[1] ?? [];
    expect(beta[3]).toMatch(/^\d+\.\d%$/);
    expect(beta[4]).toMatch(/^\d+\/0$/);
    expect(beta[5]).toBe('0/8');
    expect(beta[6]).toMatch(/^\d+ ms$/);
  });

  it('shows an open breaker and the errors behind it', async () => {
    harness.mocks.beta?.setBehavior({ faults: [{ fault: { kind: 'status', status: 500, scope: 'generate' }, probability: 1 }] });
    for (let i = 0; i < 40 && harness.llmux.breakers.phase('beta/m2').phase !== 'open'; i++) await send('chat');
    expect(harness.llmux.breakers.phase('beta/m2').phase).toBe('open');
    const result = await runCli(['status', '--url', `${harness.llmux.adminUrl}/admin/`]);
    expect(result.code).toBe(0);
    const beta = rows(result.stdout).find((r) => r[1] === 'beta/m2') ?? [];
    expect(beta[2]).toMatch(/^open, probe in \d+ (s|min)$/);
    expect(beta[7]).toMatch(/^overloaded( x\d+)?$/);
  });

  it('finds the admin listener through -c proxy.yaml, reading only its admin block', async () => {
    const port = new URL(harness.llmux.adminUrl ?? '').port;
    // The provider key is unset here: status must not need it.
    const dir = configDir({ 'proxy.yaml': `admin:\n  host: \${ADMIN_HOST:-0.0.0.0}\n  port: ${port}\nproviders:\n  p:\n    kind: openai\n    api_key: \${UNSET_PROVIDER_KEY}\n` });
    try {
      const result = await runCli(['status', '-c', dir.proxyFile]);
      expect(result.stderr).toBe('');
      expect(result.code).toBe(0);
      expect(result.stdout).toContain(`llmux at http://127.0.0.1:${port}: config v1`);
      expect(result.stdout).toContain('beta/m3');
    } finally {
      dir.remove();
    }
  });

  it('--json prints the raw state', async () => {
    const result = await runCli(['status', '--json', '--url', harness.llmux.adminUrl ?? '']);
    expect(result.code).toBe(0);
    const state = JSON.parse(result.stdout) as { routes: { name: string }[] };
    expect(state.routes.map((r) => r.name)).toEqual(['chat', 'cheap']);
  });

  it('exits non-zero with a clear message when nothing answers', async () => {
    const port = await reservePort();
    const result = await runCli(['status', '--url', `http://127.0.0.1:${port}`]);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain(`llmux status: cannot connect to llmux at http://127.0.0.1:${port}/admin/state (ECONNREFUSED`);
    expect(result.stderr).toContain('Is llmux running');
  });

  it('exits non-zero when the URL is not an llmux admin listener', async () => {
    const wrong = await runCli(['status', '--url', harness.url]);
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toMatch(/^llmux status: .*\/admin\/state answered HTTP 404/);
    const invalid = await runCli(['status', '--url', 'not a url']);
    expect(invalid.code).toBe(1);
    expect(invalid.stderr).toContain('llmux status: --url not a url is not a URL');
  });
});
