/**
 * Prometheus metrics (prom-client), on a registry of their own so several llmux
 * instances in one process (tests, the demo) do not share counters. Labels are
 * bounded by the config (routes, targets, formats, status codes, outcome kinds):
 * never request ids, users or prompts.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { Snapshot } from '../config/snapshot.js';
import type { BreakerBoard } from '../resilience/breakers.js';
import type { StateStore } from '../state/store.js';
import type { RequestContext } from '../server/request-context.js';

export interface MetricSources {
  readonly snapshot: () => Snapshot;
  readonly state: StateStore;
  readonly breakers: BreakerBoard;
}

const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120];
/** Label values down to a metric child; the child itself sits under `LEAF`. */
type LabelTree = Map<string | typeof LEAF, unknown>;
const LEAF = Symbol('child');

const OVERHEAD_BUCKETS = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1];

const targetIds = (snapshot: Snapshot): string[] => [...new Set([...snapshot.routes.values()].flatMap((r) => r.targets.map((t) => t.id)))];

export class Metrics {
  readonly registry = new Registry();
  readonly #requests: Counter<'route' | 'target' | 'format' | 'status'>;
  readonly #attempts: Counter<'route' | 'target' | 'outcome'>;
  readonly #duration: Histogram<'route' | 'format' | 'stream'>;
  readonly #ttfb: Histogram<'route' | 'target'>;
  readonly #overhead: Histogram;
  readonly #tokens: Counter<'route' | 'target' | 'kind' | 'estimated'>;
  readonly #cost: Counter<'route' | 'target' | 'estimated'>;
  readonly #reloads: Counter<'result'>;

  constructor(sources: MetricSources) {
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry, prefix: 'llmux_process_' });
    this.#requests = new Counter({ name: 'llmux_requests_total', help: 'Client requests answered, by route, serving target, client format and HTTP status.', labelNames: ['route', 'target', 'format', 'status'], registers });
    this.#attempts = new Counter({ name: 'llmux_attempts_total', help: 'Upstream attempts by outcome kind (ok, connect_error, timeout_first_byte, rate_limited …).', labelNames: ['route', 'target', 'outcome'], registers });
    this.#duration = new Histogram({ name: 'llmux_request_duration_seconds', help: 'Whole request duration as the client saw it.', labelNames: ['route', 'format', 'stream'], buckets: LATENCY_BUCKETS, registers });
    this.#ttfb = new Histogram({ name: 'llmux_time_to_first_token_seconds', help: 'Time from sending upstream to the first byte of the answer.', labelNames: ['route', 'target'], buckets: LATENCY_BUCKETS, registers });
    this.#overhead = new Histogram({ name: 'llmux_overhead_seconds', help: 'Time llmux itself added to a request (total minus client upload and upstream wait).', buckets: OVERHEAD_BUCKETS, registers });
    this.#tokens = new Counter({ name: 'llmux_tokens_total', help: 'Tokens by kind (input, output, cached_input); estimated="true" where the upstream reported none.', labelNames: ['route', 'target', 'kind', 'estimated'], registers });
    this.#cost = new Counter({ name: 'llmux_cost_usd_total', help: 'US dollars spent, at the targets\' prices.', labelNames: ['route', 'target', 'estimated'], registers });
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

  /**
   * prom-client hashes a label object on every update; the children for each label
   * combination (a small, config-bounded set) are looked up once and kept, in one
   * nested map per metric so that finding one builds no key string.
   */
  readonly #children = new Map<object, LabelTree>();

  #child<T>(metric: { labels(...values: string[]): T }, values: readonly string[]): T {
    let node = this.#children.get(metric);
    if (!node) {
      node = new Map();
      this.#children.set(metric, node);
    }
    for (const value of values) {
      let next = node.get(value);
      if (!next) {
        next = new Map();
        node.set(value, next);
      }
      node = next as LabelTree;
    }
    let child = node.get(LEAF) as T | undefined;
    if (!child) {
      child = metric.labels(...values);
      node.set(LEAF, child);
    }
    return child;
  }

  /** Records a finished request (called once per request, with the access log line). */
  observeRequest(ctx: RequestContext, durationMs: number): void {
    const route = ctx.route ?? 'none';
    const target = ctx.target ?? 'none';
    this.#child(this.#requests, [route, target, ctx.format, String(ctx.res.statusCode)]).inc();
    for (const attempt of ctx.attempts) this.#child(this.#attempts, [route, attempt.target, attempt.outcome]).inc();
    this.#child(this.#duration, [route, ctx.format, String(ctx.stream)]).observe(durationMs / 1000);
    if (ctx.ttfbMs !== undefined && ctx.target) this.#child(this.#ttfb, [route, target]).observe(ctx.ttfbMs / 1000);
    if (ctx.overheadMs !== undefined) this.#overhead.observe(ctx.overheadMs / 1000);
    const cost = ctx.cost;
    if (cost && ctx.target) {
      const estimated = String(cost.estimated);
      this.#child(this.#tokens, [route, target, 'input', estimated]).inc(cost.inputTokens);
      this.#child(this.#tokens, [route, target, 'output', estimated]).inc(cost.outputTokens);
      if (cost.cachedInputTokens) this.#child(this.#tokens, [route, target, 'cached_input', estimated]).inc(cost.cachedInputTokens);
      if (cost.usd !== undefined) this.#child(this.#cost, [route, target, estimated]).inc(cost.usd);
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
