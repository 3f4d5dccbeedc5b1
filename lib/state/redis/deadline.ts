/**
 * A hard upper bound on any wait for Redis. ioredis's own `commandTimeout` covers
 * commands that were written; this also covers the moments before a command is
 * written (auto-pipelining's next tick, a Cluster still discovering its slots),
 * so the promise a request waits on always settles in time.
 */

/** What a guarded call resolves to when Redis could not be used; the caller serves on local state. */
export const OFFLINE: unique symbol = Symbol('redis offline');

export function withDeadline<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`Redis did not answer within ${ms} ms`)), ms);
  });
  // The late settlement of a call that lost the race must not surface as an unhandled rejection.
  promise.catch(() => undefined);
  return Promise.race([promise, expired]).finally(() => clearTimeout(timer));
}
