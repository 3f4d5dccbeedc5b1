/**
 * Recent traffic per target, for `/admin/state` and the status page: requests
 * answered and attempts failed in the last five minutes (one-second buckets), and
 * the last few failure kinds with their time. Process-local by design: it shows
 * what this replica sees.
 */
import { BucketWindow } from '../state/bucket-window.js';
import type { RequestContext } from '../server/request-context.js';

const WINDOW_MS = 5 * 60_000;
const RECENT_ERRORS = 10;

/** Counters of each target's window. */
const SERVED = 0;
const FAILED = 1;

export interface TargetTraffic {
  /** Requests this target answered in the window. */
  readonly served: number;
  /** Attempts on this target that failed in the window. */
  readonly failed: number;
  /** Newest first. */
  readonly recentErrors: readonly { readonly kind: string; readonly at: string }[];
}

export class TrafficStats {
  readonly windowMs = WINDOW_MS;
  readonly #windows = new Map<string, BucketWindow>();
  readonly #errors = new Map<string, { kind: string; at: string }[]>();
  readonly #now: () => number;

  constructor(now: () => number = Date.now) {
    this.#now = now;
  }

  observe(ctx: RequestContext): void {
    const now = this.#now();
    for (const attempt of ctx.attempts) {
      if (attempt.outcome === 'ok' || attempt.outcome === 'hedge_lost') continue;
      this.#window(attempt.target).add(now, FAILED, 1);
      const list = this.#errors.get(attempt.target) ?? [];
      list.unshift({ kind: attempt.outcome, at: new Date(now).toISOString() });
      this.#errors.set(attempt.target, list.slice(0, RECENT_ERRORS));
    }
    if (ctx.target && ctx.res.statusCode < 400) this.#window(ctx.target).add(now, SERVED, 1);
  }

  of(target: string): TargetTraffic {
    const window = this.#windows.get(target);
    const now = this.#now();
    return { served: window?.total(now, SERVED) ?? 0, failed: window?.total(now, FAILED) ?? 0, recentErrors: this.#errors.get(target) ?? [] };
  }

  #window(target: string): BucketWindow {
    let window = this.#windows.get(target);
    if (!window) {
      window = new BucketWindow(WINDOW_MS, 1_000, 2);
      this.#windows.set(target, window);
    }
    return window;
  }
}
