/**
 * Three llmux processes sharing one real redis-server: connection caps, least
 * connections, breakers, cooldowns and quotas hold across replicas; a crashed
 * replica leaks no slots; a Redis outage costs no request.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startMockProvider, type MockProvider, type MockProviderOptions } from '../../lib/simulator/index.js';
import { configDir, type ConfigDir } from '../helpers/config-dir.js';
import { startRedisServer, type RedisServer } from '../helpers/redis-server.js';
import { readiness, startReplica, targetState, type Replica } from '../helpers/replicas.js';

const mockSpecs: Record<string, MockProviderOptions> = {
  capSlow: { format: 'openai', firstByteDelayMs: 300 },
  capSpare: { format: 'openai' },
  lcBusy: { format: 'openai', firstByteDelayMs: 1_500 },
  lcIdle: { format: 'openai', firstByteDelayMs: 5 },
  brFailing: { format: 'openai', faults: [{ fault: { kind: 'status', status: 500, scope: 'generate' }, probability: 1 }] },
  brHealthy: { format: 'openai' },
  rlLimited: { format: 'openai' },
  rlOther: { format: 'openai' },
  quota: { format: 'openai' },
  quotaSpare: { format: 'openai' },
  crash: { format: 'openai', text: 'a b c d e f g h i j k l m n o p q r s t', chunks: 20, chunkDelayMs: 500 },
  steady: { format: 'openai', firstByteDelayMs: 2 },
  held: { format: 'openai', firstByteDelayMs: 2_000 },
};

const policy = `routes:
  cap:
    strategy: priority
    targets: [{ provider: capSlow, model: m, max_connections: 4 }, { provider: capSpare, model: m }]
  pin:
    targets: [{ provider: lcBusy, model: m }]
  lc:
    strategy: least_connections
    targets: [{ provider: lcBusy, model: m }, { provider: lcIdle, model: m }]
  br:
    strategy: priority
    breaker: { volume_threshold: 5, error_percentage: 50, reset_timeout_ms: 60000 }
    targets: [{ provider: brFailing, model: m }, { provider: brHealthy, model: m }]
  rl:
    strategy: priority
    targets: [{ provider: rlLimited, model: m }, { provider: rlOther, model: m }]
  quota:
    strategy: priority
    targets: [{ provider: quota, model: m, rpm: 60 }, { provider: quotaSpare, model: m }]
  crash:
    targets: [{ provider: crash, model: m }]
  steady:
    targets: [{ provider: steady, model: m }]
  held:
    targets: [{ provider: held, model: m }]
`;

let redis: RedisServer;
let dir: ConfigDir;
let replicas: Replica[] = [];
const mocks: Record<string, MockProvider> = {};

const ask = (replica: Replica, model: string, stream = false): Promise<Response> =>
  fetch(`${replica.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ model, stream, messages: [{ role: 'user', content: 'hi' }] }),
  });

beforeAll(async () => {
  redis = await startRedisServer();
  for (const [name, spec] of Object.entries(mockSpecs)) mocks[name] = await startMockProvider({ name, ...spec });
  const providers = Object.entries(mocks)
    .map(([name, mock]) => `  ${name}:\n    kind: openai-compatible\n    base_url: ${mock.url}/v1`)
    .join('\n');
  dir = configDir({
    // A generous command timeout: on a loaded CI machine a Redis answer can take 250 ms (the
    // default), and a replica that times out serves on local state for a while, counting quotas
    // alone. The outage test does not need a short one: a stopped Redis drops the connection.
    'proxy.yaml': `admin:\n  port: 0\nstate:\n  backend: redis\n  url: ${redis.url}\n  lease_ttl_ms: 1000\n  command_timeout_ms: 3000\nlog:\n  level: info\n  access_log: false\nproviders:\n${providers}\n`,
    'policies/routes.yaml': policy,
  });
  replicas = await Promise.all([0, 1, 2].map((i) => startReplica(dir.proxyFile, `replica-${i}`)));
}, 60_000);

afterAll(async () => {
  await Promise.all(replicas.map((r) => r.kill()));
  await Promise.all(Object.values(mocks).map((m) => m.close()));
  await redis?.close();
  dir?.remove();
});

describe('replicas sharing one Redis', () => {
  it('holds max_connections across replicas: the capped upstream never sees more than 4 at once', async () => {
    const responses = await Promise.all(Array.from({ length: 30 }, (_, i) => ask(replicas[i % 3]!, 'cap')));
    expect(responses.map((r) => r.status)).toEqual(Array(30).fill(200));
    expect(mocks.capSlow!.maxInFlight).toBe(4);
    expect(mocks.capSlow!.requests.length + mocks.capSpare!.requests.length).toBe(30);
  });

  it('least_connections sees the connections other replicas hold', async () => {
    // Replica 0 holds 6 slow requests on lcBusy through another route that shares the target.
    const pinned = Array.from({ length: 6 }, () => ask(replicas[0]!, 'pin'));
    for (const replica of replicas.slice(1)) {
      await vi.waitFor(async () => expect((await targetState(replica, 'lc', 'lcBusy/m')).in_flight).toBe(6), { timeout: 3_000, interval: 20 });
    }
    const targets: (string | null)[] = [];
    for (let i = 0; i < 10; i++) targets.push((await ask(replicas[1 + (i % 2)]!, 'lc')).headers.get('x-llmux-target'));
    expect(targets).toEqual(Array(10).fill('lcIdle/m'));
    expect((await Promise.all(pinned)).every((r) => r.status === 200)).toBe(true);
  });

  it('a breaker opened by failures through replica A stops traffic from B and C within 1 s', async () => {
    for (let i = 0; i < 8; i++) expect((await ask(replicas[0]!, 'br')).status).toBe(200);
    expect((await targetState(replicas[0]!, 'br', 'brFailing/m')).breaker.phase).toBe('open');
    const opened = Date.now();
    for (const replica of replicas.slice(1)) {
      await vi.waitFor(async () => expect((await targetState(replica, 'br', 'brFailing/m')).breaker.phase).toBe('open'), { timeout: 1_000, interval: 10 });
    }
    expect(Date.now() - opened).toBeLessThan(1_000);
    const before = mocks.brFailing!.requests.length;
    for (let i = 0; i < 10; i++) expect((await ask(replicas[1 + (i % 2)]!, 'br')).headers.get('x-llmux-target')).toBe('brHealthy/m');
    expect(mocks.brFailing!.requests.length).toBe(before);
  });

  it('a Retry-After seen by one replica is honoured by all', async () => {
    mocks.rlLimited!.enqueue({ kind: 'rate_limit', retryAfterSeconds: 3, scope: 'generate' });
    const first = await ask(replicas[0]!, 'rl');
    expect(first.headers.get('x-llmux-attempts')).toBe('2; rlLimited/m=rate_limited; rlOther/m=ok');
    for (const replica of replicas.slice(1)) {
      await vi.waitFor(async () => expect((await targetState(replica, 'rl', 'rlLimited/m')).cooldown_until).not.toBeNull(), { timeout: 1_000, interval: 10 });
    }
    for (let i = 0; i < 9; i++) expect((await ask(replicas[i % 3]!, 'rl')).headers.get('x-llmux-target')).toBe('rlOther/m');
    expect(mocks.rlLimited!.requests).toHaveLength(1);
  });

  it('an rpm: 60 quota holds across the replicas together', async () => {
    const responses = await Promise.all(Array.from({ length: 120 }, (_, i) => ask(replicas[i % 3]!, 'quota')));
    expect(responses.every((r) => r.status === 200)).toBe(true);
    // A replica that fell back to local state counts alone: report that, not a bare count.
    for (const replica of replicas) expect(replica.log()).not.toMatch(/state backend unreachable/);
    expect(mocks.quota!.requests).toHaveLength(60);
    expect(mocks.quotaSpare!.requests).toHaveLength(60);
  });

  it('keeps serving through a Redis outage, reports degraded mode, and resumes sharing when Redis returns', async () => {
    let failures = 0;
    let sent = 0;
    let running = true;
    const loops = replicas.map(async (replica) => {
      while (running) {
        const response = await ask(replica, 'steady').catch(() => undefined);
        sent++;
        if (response?.status !== 200) failures++;
      }
    });
    await redis.stop();
    for (const replica of replicas) {
      await vi.waitFor(async () => expect((await readiness(replica)).body.state.healthy).toBe(false), { timeout: 3_000, interval: 20 });
    }
    const { status, body } = await readiness(replicas[0]!);
    expect(status).toBe(200);
    expect(body.state.detail).toMatch(/redis/i);
    // Requests keep being served on local state while Redis is down.
    const degradedAt = sent;
    await vi.waitFor(() => expect(sent - degradedAt).toBeGreaterThan(30), { timeout: 5_000, interval: 10 });
    await redis.start();
    for (const replica of replicas) {
      await vi.waitFor(async () => expect((await readiness(replica)).body.state.healthy).toBe(true), { timeout: 10_000, interval: 50 });
    }
    running = false;
    await Promise.all(loops);
    expect(failures).toBe(0);
    const held = ask(replicas[0]!, 'held');
    await vi.waitFor(async () => expect((await targetState(replicas[2]!, 'held', 'held/m')).in_flight).toBe(1), { timeout: 3_000, interval: 20 });
    expect((await held).status).toBe(200);
    for (const replica of replicas) expect(replica.log().match(/"msg":"[^"]*(unreachable|degraded)[^"]*"/gi)?.length ?? 0).toBe(1);
  }, 60_000);

  it('a replica killed with SIGKILL while holding slots leaks nothing beyond the lease TTL', async () => {
    const victim = await startReplica(dir.proxyFile, 'victim');
    const streams = Array.from({ length: 3 }, () => ask(victim, 'crash', true).catch(() => undefined));
    await vi.waitFor(async () => expect((await targetState(replicas[0]!, 'crash', 'crash/m')).in_flight).toBe(3), { timeout: 3_000, interval: 20 });
    await victim.kill();
    await Promise.all(streams);
    const killed = Date.now();
    await vi.waitFor(async () => expect((await targetState(replicas[0]!, 'crash', 'crash/m')).in_flight).toBe(0), { timeout: 5_000, interval: 50 });
    // The lease TTL is 1 s; the count is read through a cache refreshed every 100 ms.
    expect(Date.now() - killed).toBeLessThan(1_000 + 1_000);
  });
});
