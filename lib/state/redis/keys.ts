/**
 * Key layout. Every key of one target carries the same hash tag, `{t:<target>}`,
 * so in a Redis Cluster they live in one slot and a Lua script can touch all of
 * them atomically; different targets spread over the cluster.
 *
 *   <prefix>:{t:<target>}:slots     ZSET  lease id → expiry (epoch ms)
 *   <prefix>:{t:<target>}:quota     HASH  r:<second> requests, t:<second> tokens
 *   <prefix>:{t:<target>}:outcomes  HASH  _span, ok:<bucket>, fail:<bucket>
 *   <prefix>:{t:<target>}:latency   STRING moving average of time to first byte
 *   <prefix>:{t:<target>}:cooldown  STRING cooldown end (epoch ms)
 *   <prefix>:{t:<target>}:breaker   HASH  phase, until, version
 *   <prefix>:{t:<target>}:probe     STRING half-open probe claim end (epoch ms)
 *   <prefix>:{b:<budget>}:<window>  STRING spend (US dollars) of a budget in one window
 *   <prefix>:events                 pub/sub channel of breaker and cooldown changes
 */

export interface TargetKeys {
  readonly slots: string;
  readonly quota: string;
  readonly outcomes: string;
  readonly latency: string;
  readonly cooldown: string;
  readonly breaker: string;
  readonly probe: string;
}

/** Braces inside a target id would end the hash tag early; `%` is escaped so the mapping stays one-to-one. */
function escapeTarget(target: string): string {
  return target.replace(/[{}%]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

export class KeyLayout {
  readonly channel: string;
  readonly #prefix: string;
  readonly #targets = new Map<string, TargetKeys>();

  constructor(prefix: string) {
    this.#prefix = prefix;
    this.channel = `${prefix}:events`;
  }

  /** A budget's counter for one window; its own hash tag, since budgets are not targets. */
  budget(budget: string, windowStart: number): string {
    return `${this.#prefix}:{b:${escapeTarget(budget)}}:${windowStart}`;
  }

  target(target: string): TargetKeys {
    let keys = this.#targets.get(target);
    if (!keys) {
      const base = `${this.#prefix}:{t:${escapeTarget(target)}}`;
      keys = {
        slots: `${base}:slots`,
        quota: `${base}:quota`,
        outcomes: `${base}:outcomes`,
        latency: `${base}:latency`,
        cooldown: `${base}:cooldown`,
        breaker: `${base}:breaker`,
        probe: `${base}:probe`,
      };
      this.#targets.set(target, keys);
    }
    return keys;
  }
}
