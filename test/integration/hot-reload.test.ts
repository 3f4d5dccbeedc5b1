import { afterEach, describe, expect, it, vi } from 'vitest';
import { mkdirSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { pino } from 'pino';
import { Llmux } from '../../lib/server/llmux.js';
import { startMockProvider, type MockProvider } from '../../lib/simulator/index.js';
import { CLI } from '../helpers/cli.js';
import { configDir, type ConfigDir } from '../helpers/config-dir.js';
import { startHarness, type Harness } from '../helpers/harness.js';

let harness: Harness | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

const weights = (a: number, b: number): string =>
  `routes:\n  r:\n    strategy: weighted\n    targets:\n      - { provider: a, model: m, weight: ${a} }\n      - { provider: b, model: m, weight: ${b} }\n`;

interface Sample {
  readonly startedAt: number;
  readonly target: string | null;
  readonly ok: boolean;
}

/** Sends requests from `clients` loops (every `streamEvery`-th one streamed) until `stop()`; returns what happened. */
function load(url: string, clients: number, streamEvery = 5): { stop: () => Promise<Sample[]> } {
  const samples: Sample[] = [];
  let running = true;
  let n = 0;
  const loops = Array.from({ length: clients }, async () => {
    while (running) {
      const stream = n++ % streamEvery === 0;
      const startedAt = performance.now();
      try {
        const response = await fetch(`${url}/v1/chat/completions`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ model: 'r', stream, messages: [{ role: 'user', content: 'hi' }] }),
        });
        const text = await response.text();
        const ok = response.status === 200 && (!stream || (text.includes('[DONE]') && !text.includes('"error"')));
        samples.push({ startedAt, target: response.headers.get('x-llmux-target'), ok });
      } catch {
        samples.push({ startedAt, target: null, ok: false });
      }
    }
  });
  return {
    async stop() {
      running = false;
      await Promise.all(loops);
      return samples;
    },
  };
}

const admin = async (h: Harness): Promise<{ last_reload: { ok: boolean; error?: string; problems?: string[]; version: number }; version: number; reloads: { ok: number; failed: number } }> =>
  (await (await fetch(`${h.llmux.adminUrl}/admin/state`)).json()) as never;

describe('hot reload', () => {
  it('moves new traffic within 1 s of a weight change under load, with zero failed requests and every stream complete', async () => {
    harness = await startHarness({
      mocks: { a: { format: 'openai', chunks: 20, chunkDelayMs: 40 }, b: { format: 'openai', chunks: 20, chunkDelayMs: 40 } },
      policy: weights(1, 0),
    });
    const traffic = load(harness.url, 24);
    await vi.waitFor(() => expect(harness!.mocks.a!.requests.length).toBeGreaterThan(200), { timeout: 10_000, interval: 20 });
    const written = performance.now();
    const writtenAt = Date.now();
    harness.config.write('policies/routes.yaml', weights(0, 1));
    await vi.waitFor(() => expect(harness!.llmux.snapshot.version).toBe(2), { timeout: 5_000, interval: 10 });
    // Keep the load on until plenty of requests started more than a second after the write.
    await vi.waitFor(() => expect(harness!.mocks.b!.requests.filter((r) => r.time > writtenAt + 1_200).length).toBeGreaterThan(150), { timeout: 15_000, interval: 20 });
    const samples = await traffic.stop();
    expect(samples.filter((s) => !s.ok)).toEqual([]);
    const late = samples.filter((s) => s.startedAt > written + 1_000);
    expect(late.length).toBeGreaterThan(100);
    expect(late.every((s) => s.target === 'b/m')).toBe(true);
    expect(samples.filter((s) => s.startedAt < written).every((s) => s.target === 'a/m')).toBe(true);
  }, 60_000);

  it('keeps serving through invalid YAML and a schema error, reports them with their position, then applies a fixed file', async () => {
    harness = await startHarness({ mocks: { a: { format: 'openai' }, b: { format: 'openai' } }, policy: weights(1, 0) });
    const traffic = load(harness.url, 8);
    harness.config.write('policies/routes.yaml', 'routes:\n  r: [unclosed\n');
    await vi.waitFor(async () => expect((await admin(harness!)).reloads.failed).toBe(1), { timeout: 5_000, interval: 20 });
    const syntax = await admin(harness);
    expect(syntax.last_reload.ok).toBe(false);
    expect(syntax.last_reload.error).toMatch(/policies\/routes\.yaml:\d+:\d+: /);
    expect(syntax.version).toBe(1);

    harness.config.write('policies/routes.yaml', weights(1, 0).replace('weight: 0', 'weight: -3'));
    await vi.waitFor(async () => expect((await admin(harness!)).reloads.failed).toBe(2), { timeout: 5_000, interval: 20 });
    expect((await admin(harness)).last_reload.error).toMatch(/policies\/routes\.yaml:6:42: routes\.r\.targets\[1\]\.weight: /);

    harness.config.write('policies/routes.yaml', weights(0, 1));
    await vi.waitFor(async () => expect((await admin(harness!)).version).toBe(2), { timeout: 5_000, interval: 20 });
    const samples = await traffic.stop();
    expect(samples.filter((s) => !s.ok)).toEqual([]);
    expect(samples.length).toBeGreaterThan(20);
    const afterFix = await fetch(`${harness.url}/v1/chat/completions`, { method: 'POST', body: JSON.stringify({ model: 'r', messages: [{ role: 'user', content: 'x' }] }) });
    expect(afterFix.headers.get('x-llmux-target')).toBe('b/m');
  });

  it('creates the routes of a new policy file and removes them when the file is deleted', async () => {
    harness = await startHarness({ mocks: { a: { format: 'openai' }, b: { format: 'openai' } }, policy: weights(1, 1) });
    const file = harness.config.write('policies/extra.yaml', 'routes:\n  extra:\n    targets: [{ provider: b, model: x }]\n');
    await vi.waitFor(() => expect(harness!.llmux.snapshot.routeNames).toContain('extra'), { timeout: 5_000, interval: 20 });
    const served = await fetch(`${harness.url}/v1/chat/completions`, { method: 'POST', body: JSON.stringify({ model: 'extra', messages: [{ role: 'user', content: 'x' }] }) });
    expect(served.status).toBe(200);
    rmSync(file);
    await vi.waitFor(() => expect(harness!.llmux.snapshot.routeNames).not.toContain('extra'), { timeout: 5_000, interval: 20 });
    const gone = await fetch(`${harness.url}/v1/chat/completions`, { method: 'POST', body: JSON.stringify({ model: 'extra', messages: [{ role: 'user', content: 'x' }] }) });
    expect(gone.status).toBe(404);
  });

  it('reloads on an atomic rename-over, and on POST /admin/reload', async () => {
    harness = await startHarness({ mocks: { a: { format: 'openai' }, b: { format: 'openai' } }, policy: weights(1, 0), proxyYaml: 'reload:\n  watch: true' });
    const tmp = join(harness.config.dir, 'policies', '.routes.yaml.tmp');
    writeFileSync(tmp, weights(0, 1));
    renameSync(tmp, join(harness.config.dir, 'policies', 'routes.yaml'));
    await vi.waitFor(() => expect(harness!.llmux.snapshot.version).toBe(2), { timeout: 5_000, interval: 20 });
    const response = await fetch(`${harness.llmux.adminUrl}/admin/reload`, { method: 'POST' });
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ ok: true, trigger: 'admin', version: 3 });
  });

  it('ignores other files in the config directory (a log file written next to proxy.yaml)', async () => {
    harness = await startHarness({ mocks: { a: { format: 'openai' }, b: { format: 'openai' } }, policy: weights(1, 0) });
    for (let i = 0; i < 5; i++) {
      harness.config.write('llmux.log', `line ${i}\n`);
      harness.config.write('policies/notes.txt', `note ${i}`);
      // Waiting out the debounce is the point: an absence of reloads cannot be awaited.
      await new Promise((resolve) => setTimeout(resolve, 150));
    }
    expect(harness.llmux.snapshot.version).toBe(1);
    harness.config.write('policies/routes.yaml', weights(0, 1));
    await vi.waitFor(() => expect(harness!.llmux.snapshot.version).toBe(2), { timeout: 5_000, interval: 20 });
  });

  it('keeps the breaker state of an unchanged target across a reload', async () => {
    harness = await startHarness({
      mocks: { a: { format: 'openai' }, b: { format: 'openai' } },
      policy: weights(1, 1).replace('    strategy: weighted\n', '    strategy: weighted\n    breaker: { volume_threshold: 3, reset_timeout_ms: 60000 }\n'),
    });
    harness.mocks.a!.setBehavior({ faults: [{ fault: { kind: 'status', status: 500, scope: 'generate' }, probability: 1 }] });
    for (let i = 0; i < 8; i++) await fetch(`${harness.url}/v1/chat/completions`, { method: 'POST', body: JSON.stringify({ model: 'r', messages: [{ role: 'user', content: 'x' }] }) });
    expect(harness.llmux.breakers.phase('a/m').phase).toBe('open');
    harness.config.write('policies/routes.yaml', weights(1, 1).replace('    strategy: weighted\n', '    strategy: weighted\n    breaker: { volume_threshold: 3, reset_timeout_ms: 60000 }\n') + '  other:\n    targets: [{ provider: b, model: other }]\n');
    await vi.waitFor(() => expect(harness!.llmux.snapshot.version).toBe(2), { timeout: 5_000, interval: 20 });
    expect(harness.llmux.breakers.phase('a/m').phase).toBe('open');
    const state = (await (await fetch(`${harness.llmux.adminUrl}/admin/state`)).json()) as { routes: { name: string; targets: { id: string; breaker: { phase: string } }[] }[] };
    expect(state.routes.find((r) => r.name === 'r')?.targets.find((t) => t.id === 'a/m')?.breaker.phase).toBe('open');
  });

  it('reports settings that need a restart instead of ignoring them', async () => {
    harness = await startHarness({ mocks: { a: { format: 'openai' }, b: { format: 'openai' } }, policy: weights(1, 0) });
    const proxy = `listen:\n  port: 0\nadmin:\n  port: 0\nproviders:\n  a:\n    kind: openai-compatible\n    base_url: ${harness.mocks.a!.url}/v1\n  b:\n    kind: openai-compatible\n    base_url: ${harness.mocks.b!.url}/v1\nlimits:\n  max_body_bytes: 2048\n`;
    harness.config.write('proxy.yaml', proxy.replace('listen:\n  port: 0', 'listen:\n  port: 4999'));
    await vi.waitFor(() => expect(harness!.llmux.snapshot.version).toBe(2), { timeout: 5_000, interval: 20 });
    expect(harness.llmux.lastReload).toMatchObject({ ok: true, restartRequired: ['listen'] });
    // The rest applied: the new body limit is in force, the listener did not move.
    expect(harness.llmux.snapshot.proxy.limits.max_body_bytes).toBe(2048);
    expect(harness.llmux.snapshot.proxy.listen.port).toBe(0);
  });
});

describe('hot reload: Kubernetes ConfigMap symlink swap and SIGHUP', () => {
  let dir: ConfigDir | undefined;
  let mock: MockProvider | undefined;
  afterEach(async () => {
    await mock?.close();
    dir?.remove();
    dir = undefined;
  });

  /** Lays out a directory the way the kubelet mounts a ConfigMap: files are symlinks into ..data → a timestamped folder. */
  function configMap(root: string, files: Record<string, string>, generation: number): void {
    const folder = join(root, `..2026_11_22_00_00_0${generation}.000000000`);
    mkdirSync(folder);
    for (const [name, text] of Object.entries(files)) writeFileSync(join(folder, name), text);
    const tmpLink = join(root, '..data_tmp');
    symlinkSync(folder.split('/').pop()!, tmpLink);
    renameSync(tmpLink, join(root, '..data'));
    for (const name of Object.keys(files)) {
      try {
        symlinkSync(join('..data', name), join(root, name));
      } catch {
        // already linked from an earlier generation
      }
    }
  }

  it('detects the ..data symlink swap', async () => {
    mock = await startMockProvider({ format: 'openai', name: 'up' });
    dir = configDir({});
    const proxy = `listen:\n  port: 0\nadmin:\n  port: 0\nproviders:\n  up:\n    kind: openai-compatible\n    base_url: ${mock.url}/v1\npolicies: routes.yaml\n`;
    configMap(dir.dir, { 'proxy.yaml': proxy, 'routes.yaml': 'routes:\n  one:\n    targets: [{ provider: up, model: m }]\n' }, 1);
    const llmux = await Llmux.start({ configFile: join(dir.dir, 'proxy.yaml'), logger: pino({ level: 'silent' }) });
    try {
      configMap(dir.dir, { 'proxy.yaml': proxy, 'routes.yaml': 'routes:\n  two:\n    targets: [{ provider: up, model: m }]\n' }, 2);
      await vi.waitFor(() => expect(llmux.snapshot.routeNames).toEqual(['two']), { timeout: 5_000, interval: 20 });
    } finally {
      await llmux.close();
    }
  });

  it('reloads on SIGHUP (the CLI daemon)', async () => {
    mock = await startMockProvider({ format: 'openai', name: 'up' });
    dir = configDir({
      'proxy.yaml': `listen:\n  port: 0\nadmin:\n  port: 0\nreload:\n  watch: false\nproviders:\n  up:\n    kind: openai-compatible\n    base_url: ${mock.url}/v1\n`,
      'policies/r.yaml': 'routes:\n  one:\n    targets: [{ provider: up, model: m }]\n',
    });
    const child = spawn(process.execPath, [CLI, 'start', '-c', dir.proxyFile], { stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      let out = '';
      const seen = (pattern: RegExp): Promise<RegExpExecArray> =>
        new Promise((resolve, reject) => {
          const check = (): void => {
            const match = pattern.exec(out);
            if (match) {
              child.stdout.off('data', onData);
              resolve(match);
            }
          };
          const onData = (d: Buffer): void => {
            out += d.toString();
            check();
          };
          child.stdout.on('data', onData);
          child.once('exit', (code) => reject(new Error(`exited ${code}: ${out}`)));
          check();
        });
      const [, url] = await seen(/"url":"(http:\/\/[^"]+)"/);
      dir.write('policies/r.yaml', 'routes:\n  two:\n    targets: [{ provider: up, model: m }]\n');
      child.kill('SIGHUP');
      await seen(/"msg":"config reloaded"/);
      const models = (await (await fetch(`${url}/v1/models`)).json()) as { data: { id: string }[] };
      expect(models.data.map((m) => m.id)).toEqual(['two']);
    } finally {
      child.kill('SIGKILL');
    }
  });
});
