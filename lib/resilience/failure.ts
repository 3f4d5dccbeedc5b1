/**
 * Why an attempt failed, in stable kinds that appear in `x-llmux-attempts`, in the
 * access log and in metrics, and that decide three things: whether the next
 * candidate is tried, whether the target's breaker counts it, and whether the
 * target goes into cooldown.
 */
import type { CanonicalError } from '../formats/canonical.js';

export type FailureKind =
  /** The TCP/TLS connection could not be made, or was reset before any answer. */
  | 'connect_error'
  | 'timeout_connect'
  | 'timeout_first_byte'
  | 'timeout_idle'
  | 'timeout_total'
  /** 429. */
  | 'rate_limited'
  /** 5xx, 529, 408, 409: the upstream is failing or overloaded. */
  | 'overloaded'
  /** Any other 4xx: the request is at fault, not the target. */
  | 'client_error'
  /** A 400 that says the prompt does not fit the model's context window. */
  | 'context_length'
  /** A 2xx whose body is not what was asked for (garbage JSON, wrong content type, bad SSE). */
  | 'malformed'
  /** The upstream closed or broke its answer before the first byte reached the client. */
  | 'upstream_broken'
  /** A hedged attempt that llmux aborted because the other one answered first. */
  | 'hedge_lost';

export type TimeoutPhase = 'connect' | 'first_byte' | 'idle' | 'total';

export interface Failure {
  readonly kind: FailureKind;
  /** One line for reasons and logs: never a prompt, never a key. */
  readonly detail: string;
  /** Upstream HTTP status, when there was one. */
  readonly status?: number | undefined;
  /** The upstream's error, decoded, when it sent one (relayed to the client for client errors). */
  readonly error?: CanonicalError | undefined;
}

/** Whether the failure says something about the target's health (and counts against its breaker). */
export function countsAgainstTarget(kind: FailureKind): boolean {
  return kind !== 'client_error' && kind !== 'context_length' && kind !== 'rate_limited' && kind !== 'hedge_lost';
}

/** Thrown by the attempt when llmux itself cut an upstream request short. */
export class AttemptTimeout extends Error {
  constructor(readonly phase: TimeoutPhase, readonly ms: number) {
    super(`no ${phase === 'first_byte' ? 'first byte' : phase === 'idle' ? 'chunk' : phase === 'connect' ? 'connection' : 'completion'} within ${Math.round(ms)} ms`);
    this.name = 'AttemptTimeout';
  }
}

/** Thrown into a hedged attempt that lost the race. */
export class HedgeLost extends Error {
  constructor() {
    super('aborted: another attempt answered first');
    this.name = 'HedgeLost';
  }
}

/** A failure before any HTTP answer: a socket error, or one of llmux's own timeouts. */
export function classifyRequestError(error: Error): Failure {
  if (error instanceof AttemptTimeout) return { kind: `timeout_${error.phase}`, detail: error.message };
  if (error instanceof HedgeLost) return { kind: 'hedge_lost', detail: error.message };
  const code = 'code' in error && typeof error.code === 'string' ? error.code : undefined;
  return { kind: 'connect_error', detail: code ? `${code}: ${error.message}` : error.message };
}

/** A non-2xx answer, already decoded in the target's format. */
export function classifyStatus(status: number, error: CanonicalError): Failure {
  const detail = `HTTP ${status}: ${error.message.slice(0, 200)}`;
  if (status === 429) return { kind: 'rate_limited', detail, status, error };
  if (status >= 500 || status === 408 || status === 409) return { kind: 'overloaded', detail, status, error };
  if (error.contextLengthExceeded) return { kind: 'context_length', detail, status, error };
  return { kind: 'client_error', detail, status, error };
}
