/**
 * Prometheus metrics (prom-client), on a registry of their own so several llmux
 * instances in one process (tests, the demo) do not share counters. Labels are
 * bounded by the config (routes, targets, formats, status codes, outcome kinds):
 * never request ids, users or prompts.
 *
 * The per-request counters and histograms are metric-cells families (prom-client
 * hashes the labels on every update); recording a request allocates nothing once
 * its label combinations have been seen.
 */
import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';
import type { Snapshot } from '../config/snapshot.js';
import type { BreakerBoard } from '../resilience/breakers.js';
import type { StateStore } from '../state/store.js';
import type { RequestContext } from '../server/request-context.js';
import { CounterFamily, HistogramFamily } from './metric-cells.js';

export interface MetricSources {
  readonly snapshot: () => Snapshot;
  readonly state: StateStore;
  readonly breakers: BreakerBoard;
}

const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120];
const OVERHEAD_BUCKETS = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1];

const targetIds = (snapshot: Snapshot): string[] => [...new Set([...snapshot.routes.values()].flatMap((r) => r.targets.map((t) => t.id)))];

/** Status label values made once per code (Node allows 100–999), since `String(code)` would allocate per request. */
const statusLabels = new Map<number, string>();
function statusLabel(code: number): string {
  let label = statusLabels.get(code);
  if (label === undefined) {
    label = String(code);
    statusLabels.set(code, label);
  }
  return label;
}
const flag = (value: boolean): string => (value ? 'true' : 'false');

export class Metrics {
  readonly registry = new Registry();
  readonly #requests: CounterFamily<readonly ['route', 'target', 'format', 'status']>;
  readonly #attempts: CounterFamily<readonly ['route', 'target', 'outcome']>;
  readonly #duration: HistogramFamily<readonly ['route', 'format', 'stream']>;
  readonly #ttfb: HistogramFamily<readonly ['route', 'target']>;
  readonly #overhead: HistogramFamily<readonly []>;
  readonly #tokens: CounterFamily<readonly ['route', 'target', 'kind', 'estimated']>;
  readonly #cost: CounterFamily<readonly ['route', 'target', 'estimated']>;
  readonly #reloads: Counter<'result'>;

  constructor(sources: MetricSources) {
    const registry = this.registry;
    const registers = [registry];
    collectDefaultMetrics({ register: registry, prefix: 'llmux_process_' });
    // Registration order is exposition order: the same as when these were prom-client metrics.
    this.#requests = new CounterFamily(registry, { name: 'llmux_requests_total', help: 'Client requests answered, by route, serving target, client format and HTTP status.', labelNames: ['route', 'target', 'format', 'status'] });
    this.#attempts = new CounterFamily(registry, { name: 'llmux_attempts_total', help: 'Upstream attempts by outcome kind (ok, connect_error, timeout_first_byte, rate_limited …).', labelNames: ['route', 'target', 'outcome'] });
    this.#duration = new HistogramFamily(registry, { name: 'llmux_request_duration_seconds', help: 'Whole request duration as the client saw it.', labelNames: ['route', 'format', 'stream'], buckets: LATENCY_BUCKETS });
    this.#ttfb = new HistogramFamily(registry, { name: 'llmux_time_to_first_token_seconds', help: 'Time from sending upstream to the first byte of the answer.', labelNames: ['route', 'target'], buckets: LATENCY_BUCKETS });
    this.#overhead = new HistogramFamily(registry, { name: 'llmux_overhead_seconds', help: 'Time llmux itself added to a request (total minus client upload and upstream wait).', labelNames: [], buckets: OVERHEAD_BUCKETS });
    this.#tokens = new CounterFamily(registry, { name: 'llmux_tokens_total', help: 'Tokens by kind (input, output, cached_input); estimated="true" where the upstream reported none.', labelNames: ['route', 'target', 'kind', 'estimated'] });
    this.#cost = new CounterFamily(registry, { name: 'llmux_cost_usd_total', help: 'US dollars spent, at the targets\' prices.', labelNames: ['route', 'target', 'estimated'] });
    this.#reloads = new Counter({ name: 'llmux_config_reloads_total', help: 'Config reloads by result (ok, failed).', labelNames: ['result'], registers });

    new Gauge({
      name: 'llmux_in_flight',
      help: 'Requests in flight per target (all replicas when the state backend is shared).',
      labelNames: ['target'],
      registers,
      async collect() {
        const ids = targetIds(sources.snapshot());
        const counts = await sources.state.inFlight(ids);
        this.reset();
        ids.forEach((id, i) => this.set({ target: id }, counts[i] ?? 0));
      },
    });
    new Gauge({
      name: 'llmux_breaker_state',
      help: 'Circuit breaker state per target: 1 for the current state (closed, open, half_open), 0 otherwise.',
      labelNames: ['target', 'state'],
      registers,
      collect() {
        this.reset();
        for (const id of targetIds(sources.snapshot())) {
          const phase = sources.breakers.phase(id).phase;
          for (const state of ['closed', 'open', 'half_open']) this.set({ target: id, state }, state === phase ? 1 : 0);
        }
      },
    });
    new Gauge({
      name: 'llmux_cooldown_active',
      help: '1 while a target is in a Retry-After cooldown.',
      labelNames: ['target'],
      registers,
      async collect() {
        const ids = targetIds(sources.snapshot());
        const cooldowns = await sources.state.cooldowns(ids);
        this.reset();
        ids.forEach((id, i) => this.set({ target: id }, cooldowns[i] === undefined ? 0 : 1));
      },
    });
    new Gauge({
      name: 'llmux_state_backend_up',
      help: '1 while the state backend is healthy; 0 while llmux serves on local state (Redis unreachable).',
      labelNames: ['backend'],
      registers,
      collect() {
        this.reset();
        this.set({ backend: sources.state.backend }, sources.state.status().healthy ? 1 : 0);
      },
    });
    new Gauge({
      name: 'llmux_config_version',
      help: 'Version of the config snapshot serving (increases with every successful reload).',
      registers,
      collect() {
        this.set(sources.snapshot().version);
      },
    });
  }

  /** Records a finished request (called once per request, with the access log line). */
  observeRequest(ctx: RequestContext, durationMs: number): void {
    const route = ctx.route ?? 'none';
    const target = ctx.target ?? 'none';
    this.#requests.cell(route, target, ctx.format, statusLabel(ctx.res.statusCode)).inc();
    for (const attempt of ctx.attempts) this.#attempts.cell(route, attempt.target, attempt.outcome).inc();
    // Milliseconds in, seconds out: observe() divides, so no quotient is boxed per call.
    this.#duration.cell(route, ctx.format, flag(ctx.stream)).observe(durationMs, 1000);
    if (ctx.ttfbMs !== undefined && ctx.target) this.#ttfb.cell(route, target).observe(ctx.ttfbMs, 1000);
    if (ctx.overheadMs !== undefined) this.#overhead.cell().observe(ctx.overheadMs, 1000);
    const cost = ctx.cost;
    if (cost && ctx.target) {
      const estimated = flag(cost.estimated);
      this.#tokens.cell(route, target, 'input', estimated).inc(cost.inputTokens);
      this.#tokens.cell(route, target, 'output', estimated).inc(cost.outputTokens);
      if (cost.cachedInputTokens) this.#tokens.cell(route, target, 'cached_input', estimated).inc(cost.cachedInputTokens);
      if (cost.usd !== undefined) this.#cost.cell(route, target, estimated).inc(cost.usd);
    }
  }

  observeReload(ok: boolean): void {
    this.#reloads.inc({ result: ok ? 'ok' : 'failed' });
  }

  text(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}
