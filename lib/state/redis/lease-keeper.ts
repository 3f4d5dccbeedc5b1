/**
 * The slots this replica holds in Redis. While any is held, their expiry is
 * pushed forward every third of the lease TTL, in one pipelined write, so they
 * outlive slow requests but not a replica that died: a SIGKILLed replica stops
 * refreshing and its slots stop counting after at most one TTL.
 *
 * A lease released while Redis is unreachable is owed: the release is sent when
 * Redis is back (or the lease expires there by itself, whichever comes first).
 */
import { LiveSet } from '../live-set.js';
import { type Lease } from '../store.js';

export interface OwedRelease {
  readonly lease: Lease;
  readonly actualTokens: number | undefined;
}

export class LeaseKeeper {
  /** A LiveSet: one lease is added and removed per request. */
  readonly #held = new LiveSet<Lease>();
  readonly #perTarget = new Map<string, number>();
  readonly #owed = new Map<string, OwedRelease>();
  readonly #refresh: () => void;
  readonly #everyMs: number;
  #timer: NodeJS.Timeout | undefined;

  /** `refresh` is called every `everyMs` while leases are held. */
  constructor(refresh: () => void, everyMs: number) {
    this.#refresh = refresh;
    this.#everyMs = everyMs;
  }

  get size(): number {
    return this.#held.size;
  }

  hold(lease: Lease): void {
    this.#held.add(lease);
    this.#perTarget.set(lease.target, (this.#perTarget.get(lease.target) ?? 0) + 1);
    if (!this.#timer) {
      this.#timer = setInterval(() => this.#refresh(), this.#everyMs);
      this.#timer.unref();
    }
  }

  /** Stops holding `lease`; false when it was not held (only the first release of a lease counts). */
  take(lease: Lease): boolean {
    if (!this.#held.delete(lease)) return false;
    const left = (this.#perTarget.get(lease.target) ?? 1) - 1;
    if (left > 0) this.#perTarget.set(lease.target, left);
    else this.#perTarget.delete(lease.target);
    if (this.#held.size === 0) this.#stopTimer();
    return true;
  }

  /** Slots held on `target` through Redis; local admission counts them while Redis is away. */
  heldOn(target: string): number {
    return this.#perTarget.get(target) ?? 0;
  }

  /** Held lease ids grouped by target, for one refresh write per target. */
  byTarget(): Map<string, string[]> {
    const groups = new Map<string, string[]>();
    for (const lease of this.#held) {
      const ids = groups.get(lease.target);
      if (ids) ids.push(lease.id);
      else groups.set(lease.target, [lease.id]);
    }
    return groups;
  }

  owe(lease: Lease, actualTokens: number | undefined): void {
    this.#owed.set(lease.id, { lease, actualTokens });
  }

  owed(): OwedRelease[] {
    return [...this.#owed.values()];
  }

  settle(id: string): void {
    this.#owed.delete(id);
  }

  /** Forgets every lease without releasing it: what a crash does. */
  abandon(): void {
    this.#stopTimer();
    this.#held.clear();
    this.#perTarget.clear();
    this.#owed.clear();
  }

  #stopTimer(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
  }
}
