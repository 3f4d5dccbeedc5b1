/**
 * The schemas of `proxy.yaml` and of policy files. Every object is strict, so a
 * misspelt key is an error rather than a silently ignored setting. Defaults here
 * are the documented defaults (see proxy.example.yaml).
 */
import { z } from 'zod';
import { providerSchema } from '../providers/registry.js';
import { strategySchema } from '../routing/registry.js';
import { redisStateSchema } from '../state/redis/config.js';
import { virtualModelSchema } from './rules-schema.js';
import { authSchema } from './auth-schema.js';
import { breakerSchema, cooldownSchema, hedgeSchema, retriesSchema, timeoutsSchema } from './resilience-schema.js';
import { forwardProxySchema } from './forward-proxy-schema.js';

const port = z.number().int().min(0).max(65535);
const positiveInt = z.number().int().positive();

export const listenSchema = z.strictObject({
  /** Address to bind. Loopback by default: llmux is a sidecar, not an edge proxy. */
  host: z.string().min(1).default('127.0.0.1'),
  /** Port to bind; 0 picks a free one (tests, the demo). */
  port: port.default(4100),
});

const memoryStateSchema = z.strictObject({
  /** Where shared state lives. `memory`: this process only; `redis`: shared by every replica. */
  backend: z.literal('memory'),
});

export const stateSchema = z.discriminatedUnion('backend', [memoryStateSchema, redisStateSchema], {
  error: (issue) => (issue.code === 'invalid_union' ? 'unknown state backend; use memory or redis' : undefined),
});

export const adminSchema = z.strictObject({
  /** Serve /healthz, /readyz, /admin/state and POST /admin/reload on a second listener. */
  enabled: z.boolean().default(true),
  /** Loopback by default: admin endpoints are not for the network. */
  host: z.string().min(1).default('127.0.0.1'),
  /** 0 picks a free port. */
  port: port.default(4101),
  /**
   * Lets non-loopback clients use /admin/* (with `Authorization: Bearer <token>`).
   * Without it, /admin/* answers loopback clients only; /healthz, /readyz and
   * /metrics stay open for probes and scrapers.
   */
  token: z.string().min(16, 'use a token of at least 16 characters').optional(),
});

export const reloadSchema = z.strictObject({
  /** Reload when proxy.yaml or a policy file changes (SIGHUP and POST /admin/reload always work). */
  watch: z.boolean().default(true),
  /** Quiet time after the last file event before reloading (ms). */
  debounce_ms: z.number().int().min(0).max(10_000).default(100),
});

export const limitsSchema = z.strictObject({
  /** Largest request body accepted, in bytes; larger bodies get 413. */
  max_body_bytes: positiveInt.default(10 * 1024 * 1024),
  /** Time allowed for the whole request body to arrive, in ms; slower clients get 408. */
  body_timeout_ms: positiveInt.default(30_000),
  /** Time allowed for the request headers to arrive, in ms (slowloris); slower connections are closed with 408. */
  header_timeout_ms: positiveInt.default(10_000),
  /** Most requests served at once; more get 503 at once. 0 means no limit. */
  max_concurrent_requests: z.number().int().min(0).default(0),
});

export const shutdownSchema = z.strictObject({
  /** On SIGTERM/SIGINT, how long in-flight requests and streams may run on before they are cut (ms). */
  drain_timeout_ms: z.number().int().min(0).default(30_000),
});

export const logSchema = z.strictObject({
  /** Minimum level written: trace, debug, info, warn, error, fatal, silent. */
  level: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']).default('info'),
  /** One JSON line per request (no prompts, no keys). */
  access_log: z.boolean().default(true),
});

export const proxySchema = z.strictObject({
  listen: listenSchema.prefault({}),
  admin: adminSchema.prefault({}),
  state: stateSchema.default({ backend: 'memory' }),
  reload: reloadSchema.prefault({}),
  /** Upstream providers by name; targets in policy files refer to these names. */
  providers: z.record(z.string().min(1), providerSchema).refine((p) => Object.keys(p).length > 0, 'define at least one provider'),
  /** Glob (or list of globs) of policy files, relative to this file. */
  policies: z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]).default('policies/*.yaml'),
  limits: limitsSchema.prefault({}),
  log: logSchema.prefault({}),
  /** Client keys (`{ keys: [...] }`), or `none`; absent means none, allowed on loopback only. */
  auth: authSchema.optional(),
  shutdown: shutdownSchema.prefault({}),
  /** llmux as an HTTPS_PROXY / HTTP_PROXY (off by default); see forward-proxy-schema.ts. */
  forward_proxy: forwardProxySchema.prefault({}),
});

export type ProxyConfig = z.output<typeof proxySchema>;

const priceSchema = z.strictObject({
  /** US dollars per million input (prompt) tokens. */
  input: z.number().min(0),
  /** US dollars per million output (completion) tokens. */
  output: z.number().min(0),
  /** US dollars per million prompt tokens read from the provider's cache; defaults to `input`. */
  cached_input: z.number().min(0).optional(),
});

/** What a target can do; a request that needs something a target lacks skips it. */
export const capabilityNames = ['tools', 'vision', 'json', 'streaming'] as const;

const budgetSchema = z.strictObject({
  /** Most US dollars the route may spend per period (all replicas together when state is shared). */
  usd: z.number().positive(),
  /** The window: a calendar day or hour in UTC. */
  period: z.enum(['day', 'hour']).default('day'),
  /** Over budget: `fallback` skips to the route's fallbacks (its cheaper tier), `reject` answers 429. */
  on_exceed: z.enum(['fallback', 'reject']).default('fallback'),
});

export const targetSchema = z.strictObject({
  /** Name of a provider in proxy.yaml. */
  provider: z.string().min(1),
  /** The upstream model (for Azure OpenAI: the deployment name). */
  model: z.string().min(1),
  /** Identity in shared state; defaults to `provider/model`. */
  id: z.string().min(1).optional(),
  /** Relative share for weighted strategies; 0 = fallback only. */
  weight: z.number().min(0).default(1),
  /** Most concurrent requests to this target, across replicas when state is shared. */
  max_connections: positiveInt.optional(),
  /** Per-million-token prices, used by the `cost` strategy. */
  price: priceSchema.optional(),
  /** Most requests to this target in any rolling minute, across replicas when state is shared. */
  rpm: positiveInt.optional(),
  /** Most tokens (prompt estimate, corrected by the real usage) in any rolling minute. */
  tpm: positiveInt.optional(),
  /** Context window in tokens: requests that do not fit skip it; a context-length error falls over only to a bigger one. */
  context_window: positiveInt.optional(),
  /** What the target supports; absent means everything. A request needing more skips the target. */
  capabilities: z.array(z.enum(capabilityNames)).optional(),
});

export const routeSchema = z.strictObject({
  description: z.string().optional(),
  strategy: strategySchema.default({ type: 'round_robin' }),
  targets: z.array(targetSchema).min(1, 'a route needs at least one target'),
  /** Routes tried in order when no target of this one can serve. */
  fallbacks: z.array(z.string().min(1)).default([]),
  retries: retriesSchema.prefault({}),
  timeouts: timeoutsSchema.prefault({}),
  breaker: breakerSchema.prefault({}),
  cooldown: cooldownSchema.prefault({}),
  /** Opt-in: a second attempt on another target when the first is slow to answer. */
  hedge: hedgeSchema.optional(),
  /** Opt-in spending cap of the route. */
  budget: budgetSchema.optional(),
});

export const policySchema = z.strictObject({
  /** Virtual model names clients ask for, each with its targets. */
  routes: z.record(z.string().min(1), routeSchema).default({}),
  /** Virtual models whose rules pick a route per request (e.g. `auto`). */
  rules: z.record(z.string().min(1), virtualModelSchema).default({}),
});

export type PolicyConfig = z.output<typeof policySchema>;
export type RouteConfig = z.output<typeof routeSchema>;
export type TargetConfig = z.output<typeof targetSchema>;
export type BudgetConfig = z.output<typeof budgetSchema>;
