/**
 * The error a client gets when no attempt produced an answer. It names every
 * target and why it could not serve, and its status says what kind of trouble it
 * was: all unreachable → 502, all timed out → 504, all rate-limited → 429 with
 * Retry-After, anything else (breakers, caps, mixed failures) → 503.
 */
import { llmuxError, type LlmuxError } from '../errors.js';
import type { Route } from '../routing/target.js';
import type { StateStore } from '../state/store.js';
import type { RequestContext } from '../server/request-context.js';
import type { FailedAttempt } from './attempt-loop.js';

export async function finalError(
  ctx: RequestContext,
  primary: Route,
  failed: readonly FailedAttempt[],
  reasons: ReadonlyMap<string, string>,
  state: StateStore,
): Promise<LlmuxError> {
  const summary = [...reasons].map(([target, reason]) => `${target}: ${reason}`).join('; ') || 'the route has no targets';
  const kinds = new Set(failed.map((f) => f.result.failure.kind));
  const only = (predicate: (kind: string) => boolean): boolean => failed.length > 0 && [...kinds].every(predicate) && failed.length >= reasons.size;
  const route = ctx.route ?? primary.name;

  if (only((k) => k === 'connect_error')) return llmuxError('LLMUX_ERR_UPSTREAM_UNREACHABLE', [route, summary]);
  if (only((k) => k.startsWith('timeout_'))) return llmuxError('LLMUX_ERR_UPSTREAM_TIMEOUT', [route, summary]);
  if (only((k) => k === 'rate_limited')) {
    const ends = (await state.cooldowns(failed.map((f) => f.target.id))).filter((u): u is number => u !== undefined);
    const wait = ends.length ? Math.max(1, Math.ceil((Math.min(...ends) - Date.now()) / 1000)) : 1;
    return llmuxError('LLMUX_ERR_RATE_LIMITED', [route, summary], { headers: { 'retry-after': String(wait) } });
  }
  if (only((k) => k === 'malformed' || k === 'upstream_broken')) return llmuxError('LLMUX_ERR_UPSTREAM_BAD_RESPONSE', [route, summary]);
  return llmuxError('LLMUX_ERR_NO_TARGET', [route, summary]);
}
