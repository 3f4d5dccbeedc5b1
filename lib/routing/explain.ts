/**
 * `llmux explain`: what llmux would do with a request, without sending anything.
 * It runs the same pieces the daemon runs — rules, route chain, budgets skipped
 * (they need live spend), candidate filters and the strategy — on a fresh
 * in-memory state, and reports each decision with its reason.
 */
import { pino } from 'pino';
import type { JsonObject, WireFormat } from '../formats/canonical.js';
import { parseJsonObject, readRequestInfo } from '../formats/request-info.js';
import type { Snapshot } from '../config/snapshot.js';
import { BreakerBoard } from '../resilience/breakers.js';
import { candidatesFor } from '../resilience/candidates.js';
import { HealthBoard } from '../resilience/health-checks.js';
import { RequestView } from '../server/request-view.js';
import { MemoryStore } from '../state/memory-store.js';
import { estimateCost } from './strategies/cost.js';
import { resolveRouteChain } from './route-chain.js';
import { ruleMismatch } from './rules.js';

export interface ExplainInput {
  readonly format: WireFormat;
  readonly body: JsonObject;
  readonly headers: Readonly<Record<string, string>>;
  /** For Gemini, whose body does not name the model. */
  readonly model?: string | undefined;
}

/** A request file is a client body, or `{ format?, model?, headers?, body }`. */
export function readExplainInput(text: string): ExplainInput {
  const json = parseJsonObject(Buffer.from(text));
  const envelope = json.body !== undefined && typeof json.body === 'object' && !Array.isArray(json.body) && json.body !== null;
  if (!envelope) return { format: 'openai', body: json, headers: {} };
  const format = json.format ?? 'openai';
  if (format !== 'openai' && format !== 'anthropic' && format !== 'gemini') throw new Error(`format must be openai, anthropic or gemini, not ${String(format)}`);
  const headers = (json.headers ?? {}) as Record<string, string>;
  return { format, body: json.body as JsonObject, headers: Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), String(v)])), model: typeof json.model === 'string' ? json.model : undefined };
}

export async function explain(snapshot: Snapshot, input: ExplainInput): Promise<string[]> {
  const out: string[] = [];
  const info = input.format === 'gemini' ? { ...readRequestInfo('gemini', input.body), models: input.model ? [input.model] : [] } : readRequestInfo(input.format, input.body);
  const requested = info.models[0] ?? '';
  const view = new RequestView(input.format, 'chat', Buffer.from(JSON.stringify(input.body)), info, requested, info.stream, undefined, input.body);
  const needs = view.needs();
  out.push(
    `request: ${input.format} client, model "${requested}", about ${view.tokens().input} input tokens, max_tokens ${info.maxTokens ?? 'unset'}, ` +
      `${view.messageCount()} messages, tools ${needs.tools ? 'yes' : 'no'}, images ${needs.vision ? 'yes' : 'no'}, stream ${info.stream ? 'yes' : 'no'}`,
  );

  const names = info.models.map((name) => {
    const virtual = snapshot.virtualModels.get(name);
    if (!virtual) return name;
    out.push(`virtual model "${name}": rules in order`);
    for (const rule of virtual.rules) {
      const mismatch = ruleMismatch(rule, { view, headers: input.headers });
      out.push(`  rule ${rule.name} → ${rule.route}: ${mismatch === undefined ? 'MATCHES' : `no (${mismatch})`}`);
      if (mismatch === undefined) return rule.route;
    }
    out.push(`  no rule matched → default route ${virtual.defaultRoute}`);
    return virtual.defaultRoute;
  });
  const chain = resolveRouteChain(snapshot, names);
  out.push(`route chain: ${chain.map((r) => r.name).join(' → ')}`);

  const state = new MemoryStore();
  const logger = pino({ level: 'silent' });
  const breakers = new BreakerBoard(state, logger);
  const health = new HealthBoard(logger);
  let chosen: string | undefined;
  for (const route of chain) {
    const set = await candidatesFor(route, { operation: 'chat', state, breakers, health, now: Date.now(), request: view });
    out.push(`route ${route.name} (strategy ${route.strategyName}):`);
    for (const e of set.excluded) out.push(`  filtered  ${e.target}: ${e.reason}`);
    if (set.eligible.length === 0) {
      out.push('  no candidate left');
      continue;
    }
    const outputTokens = info.maxTokens ?? 256;
    for (const t of set.eligible) {
      const cost = estimateCost(t, view.tokens().input, outputTokens);
      out.push(`  candidate ${t.id}${Number.isFinite(cost) ? ` (about $${cost.toFixed(6)} for ${view.tokens().input} in + ${outputTokens} out)` : ''}`);
    }
    const ordered = await route.strategy.order(set.eligible, {
      request: { clientIp: '127.0.0.1', headers: input.headers, user: info.user, maxTokens: info.maxTokens, estimatedInputTokens: () => view.tokens().input },
      state,
      random: Math.random,
    });
    out.push(`  order: ${ordered.map((t) => t.id).join(', ')}`);
    chosen = ordered[0]?.id;
    break;
  }
  breakers.close();
  out.push(chosen ? `would send to: ${chosen}` : 'every target is filtered: the client would get 503 with these reasons');
  return out;
}
