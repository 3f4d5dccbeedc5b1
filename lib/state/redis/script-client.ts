/**
 * Typed calls of the Lua scripts for one key layout: turns StateStore arguments
 * into KEYS/ARGV and replies into values. No caching and no fallback here; the
 * store decides what a failure means.
 */
import { type Cluster, type Redis } from 'ioredis';
import {
  EWMA_ALPHA,
  QUOTA_BUCKET_MS,
  QUOTA_WINDOW_MS,
  type Admission,
  type AdmissionLimits,
  type SharedBreaker,
  type WindowCounts,
} from '../store.js';
import { type BreakerMessage, type CooldownMessage, encodeMessage } from './events.js';
import { type KeyLayout } from './keys.js';

type Arg = string | number;

/** One target's changes for the SYNC script. */
export interface SlotBatch {
  /** Lease ids of slots taken. */
  readonly adds: readonly string[];
  /** Lease ids of slots given back. */
  readonly removes: readonly string[];
  readonly successes: number;
  /** The breaker window the successes count in. */
  readonly windowMs: number | undefined;
}

export interface SyncResult {
  /** The target's unexpired slots after the batch. */
  readonly inFlight: number;
  /** The outcome window after the batch, when it counted successes. */
  readonly counts: WindowCounts | undefined;
}

/** What one read of a target returns. */
export interface TargetSnapshot {
  readonly inFlight: number;
  readonly latency: number | undefined;
  readonly cooldown: number | undefined;
  readonly breaker: SharedBreaker | undefined;
  readonly version: number;
}

/** Redis key expiry is garbage collection only; decisions compare times inside the scripts. */
const LATENCY_KEY_TTL_MS = 24 * 3_600_000;
const COOLDOWN_KEY_SLACK_MS = 1_000;

function numberOrUndefined(text: string | null): number | undefined {
  if (text === null || text === '') return undefined;
  const value = Number(text);
  return Number.isFinite(value) ? value : undefined;
}

export class ScriptClient {
  readonly #client: Redis | Cluster;
  readonly #keys: KeyLayout;
  readonly #leaseTtlMs: number;

  constructor(client: Redis | Cluster, keys: KeyLayout, leaseTtlMs: number) {
    this.#client = client;
    this.#keys = keys;
    this.#leaseTtlMs = leaseTtlMs;
  }

  /** Admission result plus, when admitted, the target's count after it. */
  async admit(target: string, id: string, now: number, tokens: number, limits: AdmissionLimits): Promise<{ admission: Admission; count: number }> {
    const keys = this.#keys.target(target);
    const reply = await this.#client.llmuxAdmit(
      keys.slots,
      keys.quota,
      now,
      id,
      now + this.#leaseTtlMs,
      Number.isFinite(limits.maxConnections) ? Math.max(0, limits.maxConnections) : -1,
      limits.rpm ?? -1,
      limits.tpm ?? -1,
      tokens,
      Math.floor(now / QUOTA_BUCKET_MS),
      Math.floor((now - QUOTA_WINDOW_MS) / QUOTA_BUCKET_MS),
      QUOTA_BUCKET_MS,
      QUOTA_WINDOW_MS,
      2 * this.#leaseTtlMs,
      QUOTA_WINDOW_MS + QUOTA_BUCKET_MS,
    );
    if (reply[0] === 1) return { admission: { ok: true, lease: { target, id, at: now, tokens } }, count: Number(reply[1]) };
    const reason = String(reply[1]) as 'connections' | 'rpm' | 'tpm';
    const retryAt = Number(reply[2] ?? -1);
    return { admission: retryAt >= 0 ? { ok: false, reason, retryAt } : { ok: false, reason }, count: -1 };
  }

  /** Resolves `undefined` when the lease was already gone, else the target's count after it. */
  async release(target: string, id: string, now: number, at: number, tokenDelta: number | undefined): Promise<number | undefined> {
    const keys = this.#keys.target(target);
    const bucket = tokenDelta === undefined || tokenDelta === 0 ? '' : Math.floor(at / QUOTA_BUCKET_MS);
    const [removed, count] = await this.#client.llmuxRelease(keys.slots, keys.quota, id, now, bucket, tokenDelta ?? 0);
    return removed === 1 ? count : undefined;
  }

  /**
   * Extends (or re-registers, after a Redis restart) the leases this replica
   * still holds, grouped by target; auto-pipelining sends them in one write per node.
   */
  async keepLeases(leases: ReadonlyMap<string, readonly string[]>, now: number): Promise<void> {
    const expiry = now + this.#leaseTtlMs;
    await Promise.all(
      [...leases].flatMap(([target, ids]) => {
        const key = this.#keys.target(target).slots;
        return [this.#client.zadd(key, ...ids.flatMap((id) => [expiry, id])), this.#client.pexpire(key, 2 * this.#leaseTtlMs)];
      }),
    );
  }

  /**
   * Applies one target's batch of unrefusable slots taken and given back, and of
   * successes (see the SYNC script); resolves the target's count and window after it.
   */
  async sync(target: string, now: number, batch: SlotBatch): Promise<SyncResult> {
    const keys = this.#keys.target(target);
    const args: Arg[] = [now, 2 * this.#leaseTtlMs, batch.adds.length, batch.removes.length];
    const windowMs = batch.successes > 0 ? batch.windowMs : undefined;
    if (windowMs === undefined) args.push('', 0, 0, 0, 0);
    else {
      const bucketMs = Math.max(1, Math.floor(windowMs / 10));
      args.push(windowMs, batch.successes, Math.floor(now / bucketMs), Math.floor((now - windowMs) / bucketMs), windowMs + bucketMs);
    }
    const expiry = now + this.#leaseTtlMs;
    for (const id of batch.adds) args.push(id, expiry);
    for (const id of batch.removes) args.push(id);
    const [inFlight, successes, failures] = await this.#client.llmuxSync(keys.slots, keys.outcomes, ...args);
    return { inFlight, counts: windowMs === undefined ? undefined : { successes, failures } };
  }

  async outcome(target: string, ok: boolean, windowMs: number, now: number): Promise<WindowCounts> {
    const bucketMs = Math.max(1, Math.floor(windowMs / 10));
    const [successes, failures] = await this.#client.llmuxOutcome(
      this.#keys.target(target).outcomes,
      windowMs,
      ok ? '1' : '0',
      Math.floor(now / bucketMs),
      Math.floor((now - windowMs) / bucketMs),
      windowMs + bucketMs,
    );
    return { successes, failures };
  }

  /** INCRBYFLOAT and expiry of one key: a MULTI on one slot, so it works on a Cluster too. */
  async addSpend(budget: string, windowStart: number, windowMs: number, usd: number): Promise<number> {
    const key = this.#keys.budget(budget, windowStart);
    const replies = await this.#client.multi().incrbyfloat(key, usd).pexpire(key, windowMs * 2).exec();
    return Number(replies?.[0]?.[1] ?? 0);
  }

  /** One GET per budget, pipelined (the keys may live on different Cluster nodes). */
  async spent(budgets: readonly string[], windowStart: number): Promise<number[]> {
    const values = await Promise.all(budgets.map((b) => this.#client.get(this.#keys.budget(b, windowStart))));
    return values.map((v) => numberOrUndefined(v) ?? 0);
  }

  async resetOutcomes(target: string): Promise<void> {
    await this.#client.del(this.#keys.target(target).outcomes);
  }

  /** Folds samples in order; resolves the shared average after them. */
  async foldLatency(target: string, samples: readonly number[]): Promise<number> {
    return Number(await this.#client.llmuxLatency(this.#keys.target(target).latency, EWMA_ALPHA, LATENCY_KEY_TTL_MS, ...samples));
  }

  /** Resolves the cooldown end in force after the call. */
  async raiseCooldown(target: string, until: number, now: number): Promise<number> {
    const message: CooldownMessage = { type: 'cooldown', target, until };
    const [, inForce] = await this.#client.llmuxCooldown(
      this.#keys.target(target).cooldown,
      until,
      Math.max(1, Math.ceil(until - now)) + COOLDOWN_KEY_SLACK_MS,
      this.#keys.channel,
      encodeMessage(0, message),
    );
    return Number(inForce);
  }

  /** Resolves the version the transition got. */
  async setBreaker(target: string, breaker: SharedBreaker): Promise<number> {
    const keys = this.#keys.target(target);
    const message: BreakerMessage = { type: 'breaker', target, breaker };
    // The script prefixes the version it assigns, hence the payload without one.
    return this.#client.llmuxBreaker(keys.breaker, keys.probe, breaker.phase, breaker.until ?? '', this.#keys.channel, JSON.stringify(message));
  }

  async claimProbe(target: string, ttlMs: number, now: number): Promise<boolean> {
    const ttl = Math.max(1, Math.ceil(ttlMs));
    return (await this.#client.llmuxProbe(this.#keys.target(target).probe, now, ttl, now + ttlMs)) === 1;
  }

  async snapshot(target: string, now: number): Promise<TargetSnapshot> {
    const keys = this.#keys.target(target);
    const [inFlight, latency, cooldown, phase, until, version] = await this.#client.llmuxSnapshot(keys.slots, keys.latency, keys.cooldown, keys.breaker, now);
    const breaker: SharedBreaker | undefined =
      phase === 'open' || phase === 'closed' || phase === 'half_open'
        ? numberOrUndefined(until) === undefined
          ? { phase }
          : { phase, until: numberOrUndefined(until) }
        : undefined;
    return { inFlight, latency: numberOrUndefined(latency), cooldown: numberOrUndefined(cooldown), breaker, version: numberOrUndefined(version) ?? 0 };
  }

  async ping(): Promise<void> {
    await this.#client.ping();
  }
}
