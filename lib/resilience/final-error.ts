/**
 * The error a client gets when no attempt produced an answer. It names every
 * target and why it could not serve, and its status says what kind of trouble it
 * was: all unreachable → 502, all timed out → 504, all rate-limited, cooling down
 * or out of rpm/tpm quota → 429 with Retry-After, anything else (breakers, caps,
 * mixed) → 503.
 */
import { llmuxError, type LlmuxError } from '../errors.js';
import type { Route } from '../routing/target.js';
import type { StateStore } from '../state/store.js';
import type { RequestContext } from '../server/request-context.js';
import type { FailedAttempt } from './attempt-loop.js';
import type { Exclusion } from './candidates.js';

export async function finalError(
  ctx: RequestContext,
  primary: Route,
  failed: readonly FailedAttempt[],
  reasons: ReadonlyMap<string, Exclusion>,
  state: StateStore,
): Promise<LlmuxError> {
  const summary = [...reasons.values()].map((r) => `${r.target}: ${r.reason}`).join('; ') || 'the route has no targets';
  const route = ctx.route ?? primary.name;
  const failedTargets = new Set(failed.map((f) => f.target.id));
  // Targets that were only excluded (never tried) count as their exclusion kind.
  const untried = [...reasons.values()].filter((r) => !failedTargets.has(r.target));
  const kinds = [...failed.map((f) => f.result.failure.kind as string), ...untried.map((r) => `excluded_${r.kind}`)];
  const every = (predicate: (kind: string) => boolean): boolean => kinds.length > 0 && kinds.every(predicate);

  if (every((k) => k === 'connect_error')) return llmuxError('LLMUX_ERR_UPSTREAM_UNREACHABLE', [route, summary]);
  if (every((k) => k.startsWith('timeout_'))) return llmuxError('LLMUX_ERR_UPSTREAM_TIMEOUT', [route, summary]);
  if (every((k) => k === 'rate_limited' || k === 'excluded_cooldown' || k === 'excluded_quota')) {
    const cooling = (await state.cooldowns([...new Set([...failedTargets, ...untried.map((r) => r.target)])])).filter((u): u is number => u !== undefined);
    const ends = [...cooling, ...untried.flatMap((r) => (r.kind === 'quota' && r.until !== undefined ? [r.until] : []))];
    const wait = ends.length ? Math.max(1, Math.ceil((Math.min(...ends) - Date.now()) / 1000)) : 1;
    return llmuxError('LLMUX_ERR_RATE_LIMITED', [route, summary], { headers: { 'retry-after': String(wait) } });
  }
  if (every((k) => k === 'malformed' || k === 'upstream_broken')) return llmuxError('LLMUX_ERR_UPSTREAM_BAD_RESPONSE', [route, summary]);
  return llmuxError('LLMUX_ERR_NO_TARGET', [route, summary]);
}
