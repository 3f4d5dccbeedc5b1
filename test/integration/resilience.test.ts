import { afterEach, describe, expect, it, vi } from 'vitest';
import { performance } from 'node:perf_hooks';
import OpenAI from 'openai';
import { reservePort } from '../../lib/simulator/index.js';
import { parseAttempts } from '../../lib/demo/traffic.js';
import { startHarness, type Harness } from '../helpers/harness.js';

let harness: Harness | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

const chat = (model: string, stream = false): string => JSON.stringify({ model, stream, messages: [{ role: 'user', content: 'hello' }] });

async function send(url: string, model: string, stream = false): Promise<{ status: number; text: string; headers: Headers; ms: number }> {
  const started = performance.now();
  const response = await fetch(`${url}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: chat(model, stream) });
  const text = await response.text();
  return { status: response.status, text, headers: response.headers, ms: performance.now() - started };
}

/** Runs `count` calls of `task` with at most `concurrency` at once. */
async function pool<T>(count: number, concurrency: number, task: (i: number) => Promise<T>): Promise<T[]> {
  const results: T[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count) {
        const i = next++;
        results[i] = await task(i);
      }
    }),
  );
  return results;
}

describe('resilience: failover and breakers', () => {
  it('chaos: 2,000 requests over a flaky, a down and a healthy target reach the client without one error', async () => {
    const dead = await reservePort();
    harness = await startHarness({
      mocks: {
        flaky: {
          format: 'openai',
          faults: [
            { fault: { kind: 'status', status: 500, scope: 'generate' }, probability: 0.25 },
            { fault: { kind: 'reset_before_headers', scope: 'generate' }, probability: 0.25 },
          ],
        },
        healthy: { format: 'openai' },
      },
      extraProviders: `  down:\n    kind: openai-compatible\n    base_url: http://127.0.0.1:${dead}/v1`,
      policy: `routes:
  chaos:
    strategy: round_robin
    targets:
      - { provider: flaky, model: m }
      - { provider: down, model: m }
      - { provider: healthy, model: m }
    breaker: { volume_threshold: 10, error_percentage: 50, window_ms: 10000, reset_timeout_ms: 60000 }
`,
    });
    const results = await pool(2_000, 16, (i) => send(harness!.url, 'chaos', i % 2 === 1));
    const failures = results.filter((r) => r.status !== 200 || r.text.includes('"error"') || (r.headers.get('content-type')?.includes('event-stream') && !r.text.includes('[DONE]')));
    expect(failures).toHaveLength(0);
    const attemptsOnDown = results.reduce((n, r) => n + parseAttempts(r.headers.get('x-llmux-attempts')).filter((a) => a.target === 'down/m').length, 0);
    // The breaker opens after its volume threshold of failures; the reset timeout outlasts the run, so no probes.
    // Requests already on their way to it when it opened (at most one per concurrent client) may still try it.
    expect(attemptsOnDown).toBeGreaterThanOrEqual(10);
    expect(attemptsOnDown).toBeLessThanOrEqual(10 + 16);
    expect(harness.llmux.breakers.phase('down/m').phase).toBe('open');
    expect(await harness.llmux.state.inFlight(['flaky/m', 'down/m', 'healthy/m'])).toEqual([0, 0, 0]);
  }, 120_000);

  it('all targets failing: every client gets a prompt 503 that names each target and why', async () => {
    const fail = { format: 'openai' as const, faults: [{ fault: { kind: 'status' as const, status: 503, scope: 'generate' as const }, probability: 1 }] };
    harness = await startHarness({
      mocks: { a: fail, b: fail, c: fail },
      policy: `routes:
  doomed:
    targets: [{ provider: a, model: m }, { provider: b, model: m }, { provider: c, model: m }]
    retries: { attempts: 6, deadline_ms: 1500, backoff_ms: 50 }
`,
    });
    const results = await Promise.all(Array.from({ length: 20 }, () => send(harness!.url, 'doomed')));
    for (const result of results) {
      expect(result.status).toBe(503);
      const message = (JSON.parse(result.text) as { error: { message: string; code: string } }).error;
      expect(message.code).toBe('LLMUX_ERR_NO_TARGET');
      for (const target of ['a/m', 'b/m', 'c/m']) expect(message.message).toContain(target);
      // Bounded by the deadline (1.5 s), not by attempts × timeouts.
      expect(result.ms).toBeLessThan(1_500 + 1_000);
    }
  });

  it('429 with Retry-After: 2 keeps every request off that target for 2 s, then traffic returns', async () => {
    harness = await startHarness({
      mocks: { limited: { format: 'openai', firstByteDelayMs: 5 }, other: { format: 'openai', firstByteDelayMs: 5 } },
      policy: `routes:\n  r:\n    strategy: round_robin\n    targets: [{ provider: limited, model: m }, { provider: other, model: m }]\n`,
    });
    harness.mocks.limited!.enqueue({ kind: 'rate_limit', retryAfterSeconds: 2, retryAfterMs: false, scope: 'generate' });
    const first = await send(harness.url, 'r');
    expect(first.status).toBe(200);
    expect(first.headers.get('x-llmux-attempts')).toBe('2; limited/m=rate_limited; other/m=ok');
    const limitedAt = harness.mocks.limited!.requests[0]!.time;
    const cooldown = (await harness.llmux.state.cooldowns(['limited/m']))[0];
    expect(cooldown).toBeGreaterThanOrEqual(limitedAt + 2_000);

    // Keep sending until the limited target is used again.
    let sent = 0;
    while (harness.mocks.limited!.requests.length < 2) {
      const r = await send(harness.url, 'r');
      expect(r.status).toBe(200);
      sent++;
    }
    expect(sent).toBeGreaterThan(5);
    const returnedAt = harness.mocks.limited!.requests[1]!.time;
    expect(returnedAt - limitedAt).toBeGreaterThanOrEqual(2_000);
  });

  it('does not retry a client error and relays it as the upstream sent it', async () => {
    harness = await startHarness({
      mocks: { a: { format: 'openai' }, b: { format: 'openai' } },
      policy: `routes:\n  r:\n    strategy: priority\n    targets: [{ provider: a, model: m }, { provider: b, model: m }]\n`,
    });
    harness.mocks.a!.enqueue({ kind: 'client_error', status: 400, scope: 'generate' });
    const r = await send(harness.url, 'r');
    expect(r.status).toBe(400);
    expect(r.headers.get('x-llmux-attempts')).toBe('1; a/m=client_error');
    expect(harness.mocks.b!.requests).toHaveLength(0);
    expect((JSON.parse(r.text) as { error: { type: string } }).error.type).toBe('invalid_request_error');
  });

  it('falls over to a bigger context window on a context-length error, or relays it when none is bigger', async () => {
    harness = await startHarness({
      mocks: { small: { format: 'openai', maxContextTokens: 1 }, big: { format: 'openai' } },
      policy: `routes:
  r:
    strategy: priority
    targets: [{ provider: small, model: m, context_window: 8000 }, { provider: big, model: m, context_window: 128000 }]
  only-small:
    targets: [{ provider: small, model: m, context_window: 8000 }]
`,
    });
    const ok = await send(harness.url, 'r');
    expect(ok.status).toBe(200);
    expect(ok.headers.get('x-llmux-attempts')).toBe('2; small/m=context_length; big/m=ok');
    const relayed = await send(harness.url, 'only-small');
    expect(relayed.status).toBe(400);
    expect((JSON.parse(relayed.text) as { error: { code: string } }).error.code).toBe('context_length_exceeded');
  });

  it('treats garbage from upstream as a failure: fails over, or answers 502 saying what was wrong', async () => {
    harness = await startHarness({
      mocks: { bad: { format: 'openai' }, good: { format: 'openai' } },
      policy: `routes:
  r:
    strategy: priority
    targets: [{ provider: bad, model: m }, { provider: good, model: m }]
  bad-only:
    targets: [{ provider: bad, model: m }]
    retries: { attempts: 1 }
`,
    });
    harness.mocks.bad!.enqueue({ kind: 'garbage_body', scope: 'generate' }, { kind: 'wrong_content_type', scope: 'generate' });
    const a = await send(harness.url, 'r');
    expect(a.status).toBe(200);
    expect(a.headers.get('x-llmux-attempts')).toBe('2; bad/m=malformed; good/m=ok');
    const b = await send(harness.url, 'r', true);
    expect(b.headers.get('x-llmux-attempts')).toBe('2; bad/m=malformed; good/m=ok');
    harness.mocks.bad!.enqueue({ kind: 'garbage_body', scope: 'generate' });
    const c = await send(harness.url, 'bad-only');
    expect(c.status).toBe(502);
    expect((JSON.parse(c.text) as { error: { message: string } }).error.message).toMatch(/not a complete JSON object|not valid JSON/);
  });

  it('takes a provider out while its health checks fail and puts it back when they pass', async () => {
    harness = await startHarness({
      mocks: { checked: { format: 'openai' }, spare: { format: 'openai' } },
      kind: (name, mock) =>
        `  ${name}:\n    kind: openai-compatible\n    base_url: ${mock.url}/v1\n` +
        (name === 'checked' ? '    health_check: { path: /models, interval_ms: 50, unhealthy_threshold: 2, healthy_threshold: 1 }' : ''),
      policy: `routes:\n  r:\n    strategy: round_robin\n    targets: [{ provider: checked, model: m }, { provider: spare, model: m }]\n`,
    });
    harness.mocks.checked!.setBehavior({ faults: [{ fault: { kind: 'status', status: 503 }, probability: 1 }] });
    await vi.waitFor(() => expect(harness!.llmux.health.status('checked').healthy).toBe(false), { timeout: 5_000, interval: 20 });
    harness.mocks.checked!.reset();
    for (let i = 0; i < 6; i++) expect((await send(harness.url, 'r')).headers.get('x-llmux-attempts')).toBe('1; spare/m=ok');
    expect(harness.mocks.checked!.requests.every((r) => r.method === 'GET')).toBe(true);
    harness.mocks.checked!.setBehavior({ faults: [] });
    await vi.waitFor(() => expect(harness!.llmux.health.status('checked').healthy).toBe(true), { timeout: 5_000, interval: 20 });
    const targets = new Set<string>();
    for (let i = 0; i < 4; i++) targets.add((await send(harness.url, 'r')).headers.get('x-llmux-target')!);
    expect(targets).toEqual(new Set(['checked/m', 'spare/m']));
  });
});

describe('resilience: streams and timeouts', () => {
  it('mid-stream reset: the openai SDK raises a clean error, nothing hangs, the slot is released', async () => {
    harness = await startHarness({
      mocks: { a: { format: 'openai', text: 'one two three four five six', chunks: 6, chunkDelayMs: 20 } },
      policy: `routes:\n  r:\n    targets: [{ provider: a, model: m }]\n`,
    });
    harness.mocks.a!.enqueue({ kind: 'reset_mid_stream', afterChunks: 2, scope: 'generate' });
    const client = new OpenAI({ baseURL: `${harness.url}/v1`, apiKey: 'x', maxRetries: 0 });
    const stream = await client.chat.completions.create({ model: 'r', stream: true, messages: [{ role: 'user', content: 'hi' }] });
    let text = '';
    const consume = async (): Promise<void> => {
      for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
    };
    await expect(consume()).rejects.toThrow(/broke off/);
    expect(text.length).toBeGreaterThan(0);
    await vi.waitFor(async () => expect(await harness!.llmux.state.inFlight(['a/m'])).toEqual([0]), { timeout: 2_000, interval: 10 });
  });

  it('first-byte timeout: a hung upstream is cut and reported as timeout_first_byte', async () => {
    harness = await startHarness({
      mocks: { hung: { format: 'openai' }, ok: { format: 'openai' } },
      policy: `routes:
  r:
    strategy: priority
    targets: [{ provider: hung, model: m }, { provider: ok, model: m }]
    timeouts: { first_byte_ms: 200 }
  hung-only:
    targets: [{ provider: hung, model: m }]
    timeouts: { first_byte_ms: 200 }
    retries: { attempts: 1 }
`,
    });
    harness.mocks.hung!.enqueue({ kind: 'hang_before_headers', scope: 'generate' }, { kind: 'hang_before_headers', scope: 'generate' });
    const r = await send(harness.url, 'r');
    expect(r.status).toBe(200);
    expect(r.headers.get('x-llmux-attempts')).toBe('2; hung/m=timeout_first_byte; ok/m=ok');
    const alone = await send(harness.url, 'hung-only');
    expect(alone.status).toBe(504);
    expect((JSON.parse(alone.text) as { error: { message: string } }).error.message).toContain('no first byte within 200 ms');
  });

  it('idle timeout: a stream that stalls ends with a terminal error event naming the timeout', async () => {
    harness = await startHarness({
      mocks: { a: { format: 'openai', text: 'one two three four', chunks: 4 } },
      policy: `routes:\n  r:\n    targets: [{ provider: a, model: m }]\n    timeouts: { idle_ms: 200 }\n`,
    });
    harness.mocks.a!.enqueue({ kind: 'hang_mid_stream', afterChunks: 2, scope: 'generate' });
    const r = await send(harness.url, 'r', true);
    expect(r.status).toBe(200);
    expect(r.text).toMatch(/data: \{"error":\{[^\n]*no chunk within 200 ms/);
    expect(r.text).not.toContain('[DONE]');
    expect(await harness.llmux.state.inFlight(['a/m'])).toEqual([0]);
  });

  it('total timeout: a stream that outlasts timeouts.total_ms is cut with a terminal error event', async () => {
    harness = await startHarness({
      mocks: { a: { format: 'openai', text: 'a b c d e f g h i j', chunks: 10 } },
      policy: `routes:\n  r:\n    targets: [{ provider: a, model: m }]\n    timeouts: { total_ms: 400, idle_ms: 5000 }\n`,
    });
    harness.mocks.a!.enqueue({ kind: 'slow_drip', intervalMs: 100, scope: 'generate' });
    const r = await send(harness.url, 'r', true);
    expect(r.text).toMatch(/no completion within \d+ ms/);
    expect(r.text).not.toContain('[DONE]');
  });

  it('hedging: with one target slow, the hedged route answers at about the fast target\'s speed', async () => {
    harness = await startHarness({
      mocks: { slow: { format: 'openai', firstByteDelayMs: 3_000 }, fast: { format: 'openai', firstByteDelayMs: 10 } },
      policy: `routes:\n  hedged:\n    strategy: round_robin\n    hedge: { delay_ms: 50 }\n    targets: [{ provider: slow, model: m }, { provider: fast, model: m }]\n`,
    });
    const results = await pool(40, 4, () => send(harness!.url, 'hedged'));
    expect(results.every((r) => r.status === 200)).toBe(true);
    const sorted = results.map((r) => r.ms).sort((a, b) => a - b);
    const p99 = sorted[Math.ceil(0.99 * sorted.length) - 1]!;
    // Half the requests start on the slow target; the hedge answers them from the fast one.
    expect(p99).toBeLessThan(1_500);
    expect(results.filter((r) => r.headers.get('x-llmux-attempts')?.includes('slow/m=hedge_lost')).length).toBeGreaterThan(10);
    await vi.waitFor(async () => expect(await harness!.llmux.state.inFlight(['slow/m', 'fast/m'])).toEqual([0, 0]), { timeout: 3_000, interval: 20 });
  });
});
