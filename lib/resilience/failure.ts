/**
 * Classifies why an attempt failed, into stable kinds that appear in
 * `x-llmux-attempts`, in logs and in metrics, and that decide whether the next
 * candidate is tried.
 */

export type FailureKind =
  /** The TCP/TLS connection could not be made or was reset before the response. */
  | 'connect_error'
  /** The upstream closed or broke its response before the first body byte. */
  | 'upstream_broken';

export interface Failure {
  readonly kind: FailureKind;
  readonly detail: string;
  /** Whether the next candidate should be tried. */
  readonly retryable: boolean;
}

/** Any error before response headers: refused, reset, DNS failure, TLS failure, hang-up. */
export function classifyRequestError(error: Error): Failure {
  const code = 'code' in error && typeof error.code === 'string' ? error.code : undefined;
  return { kind: 'connect_error', detail: code ? `${code}: ${error.message}` : error.message, retryable: true };
}

export function brokenBeforeFirstByte(error: Error): Failure {
  return { kind: 'upstream_broken', detail: error.message, retryable: true };
}
