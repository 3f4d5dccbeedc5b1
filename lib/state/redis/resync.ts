/**
 * What happens when Redis comes back. The choice: resume from Redis's truth and
 * push into it only what is safe to merge, rather than re-register every local
 * decision.
 *   - Releases owed (slots released while Redis was away) are sent.
 *   - Cooldowns raised locally are sent (a max-merge cannot undo anyone's).
 *   - Breakers opened locally and still open are sent, so the failures this
 *     replica saw protect the others; local closes are not, because they could
 *     override an open decided meanwhile by replicas that still had Redis.
 *   - Every cached target is re-read exactly (Redis may have restarted empty or
 *     missed our news) and subscribers hear of any breaker or cooldown that differs.
 * Slots taken on local state stay local and are released there: they end with
 * their requests, and counting them in Redis would need their release to be
 * replayed too. Slots held through Redis are re-registered by the caller.
 */
import { type SharedBreaker, type StateEvent } from '../store.js';
import { type LeaseKeeper } from './lease-keeper.js';
import { type ScriptClient } from './script-client.js';
import { type TargetCache } from './target-cache.js';

export interface ResyncOptions {
  readonly scripts: ScriptClient;
  readonly cache: TargetCache;
  readonly now: () => number;
  readonly emit: (event: StateEvent) => void;
}

function sameBreaker(a: SharedBreaker | undefined, b: SharedBreaker): boolean {
  return a !== undefined && a.phase === b.phase && a.until === b.until;
}

export class Resync {
  readonly #options: ResyncOptions;
  readonly #cooldowns = new Map<string, number>();
  readonly #breakers = new Map<string, SharedBreaker>();

  constructor(options: ResyncOptions) {
    this.#options = options;
  }

  cooldownChanged(target: string, until: number): void {
    this.#cooldowns.set(target, Math.max(until, this.#cooldowns.get(target) ?? until));
  }

  breakerChanged(target: string, breaker: SharedBreaker): void {
    this.#breakers.set(target, breaker);
  }

  /** Sends owed releases and local changes; each is forgotten once Redis has it. */
  async replay(leases: LeaseKeeper): Promise<void> {
    const { scripts } = this.#options;
    const now = this.#options.now();
    await Promise.all([
      ...leases.owed().map(async ({ lease, actualTokens }) => {
        const delta = actualTokens === undefined ? undefined : Math.max(0, Math.round(actualTokens)) - lease.tokens;
        await scripts.release(lease.target, lease.id, now, lease.at, delta);
        leases.settle(lease.id);
      }),
      ...[...this.#cooldowns].map(async ([target, until]) => {
        await scripts.raiseCooldown(target, until, now);
        if (this.#cooldowns.get(target) === until) this.#cooldowns.delete(target);
      }),
      ...[...this.#breakers].map(async ([target, breaker]) => {
        if (breaker.phase === 'open' && (breaker.until ?? Infinity) > now) await scripts.setBreaker(target, breaker);
        if (this.#breakers.get(target) === breaker) this.#breakers.delete(target);
      }),
    ]);
  }

  /** Replaces the cache of `targets` with Redis's state, telling subscribers what differs from what they last heard. */
  async reload(targets: readonly string[]): Promise<void> {
    const { scripts, cache, emit } = this.#options;
    const now = this.#options.now();
    await Promise.all(
      targets.map(async (target) => {
        const snapshot = await scripts.snapshot(target, now);
        const [before] = cache.read([target]);
        const { breaker, cooldown } = before ?? {};
        cache.load(target, snapshot, { exact: true, keepLatency: false });
        if (snapshot.breaker && !sameBreaker(breaker, snapshot.breaker)) emit({ type: 'breaker', target, breaker: snapshot.breaker });
        if (snapshot.cooldown !== undefined && snapshot.cooldown > now && snapshot.cooldown !== cooldown) {
          emit({ type: 'cooldown', target, until: snapshot.cooldown });
        }
      }),
    );
  }
}
