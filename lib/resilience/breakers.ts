/**
 * One circuit breaker per target. opossum is the state machine (closed → open →
 * half-open after the reset timeout → closed on a good probe, open again on a bad
 * one; exactly one probe in half-open). The decision to open comes from the
 * target's outcome window in the StateStore, so with a shared backend the error
 * rate is computed over every replica; transitions are published through the
 * store, and a breaker opened by one replica opens on all of them.
 */
import CircuitBreaker from 'opossum';
import type { BreakerConfig } from '../config/resilience-schema.js';
import type { BreakerPhase, StateStore, WindowCounts } from '../state/store.js';
import type { Logger } from '../telemetry/logger.js';

/** What the breaker says about sending a request to a target now. */
export type BreakerVerdict =
  | { readonly allow: true; readonly probe: boolean; readonly ticket: BreakerTicket }
  | { readonly allow: false; readonly phase: BreakerPhase; readonly until: number | undefined };

/** Settles one attempt's outcome on its breaker, once. */
export interface BreakerTicket {
  success(): void;
  failure(): void;
  /** The attempt said nothing about the target's health (client error, aborted hedge). */
  neutral(): void;
}

interface Entry {
  readonly breaker: CircuitBreaker<[Promise<void>], void>;
  config: BreakerConfig;
  /** Epoch ms when an open breaker half-opens (for reasons and /admin/state). */
  until: number | undefined;
  /** True while applying a transition that came from the store, so it is not published back. */
  remote: boolean;
}

export interface BreakerSnapshot {
  readonly target: string;
  readonly phase: BreakerPhase;
  readonly until?: number | undefined;
}

export class BreakerBoard {
  readonly #entries = new Map<string, Entry>();
  readonly #store: StateStore;
  readonly #logger: Logger;
  readonly #now: () => number;
  readonly #unsubscribe: () => void;

  constructor(store: StateStore, logger: Logger, now: () => number = Date.now) {
    this.#store = store;
    this.#logger = logger;
    this.#now = now;
    this.#unsubscribe = store.subscribe((event) => {
      if (event.type === 'breaker') this.#applyRemote(event.target, event.breaker.phase, event.breaker.until);
    });
  }

  /** Creates the target's breaker, or updates its settings; an existing breaker keeps its state. */
  configure(target: string, config: BreakerConfig): void {
    const entry = this.#entries.get(target);
    if (entry) {
      entry.config = config;
      return;
    }
    const breaker = new CircuitBreaker((outcome: Promise<void>) => outcome, {
      name: target,
      // Streams can last minutes; llmux enforces its own timeouts per phase.
      timeout: false,
      resetTimeout: config.reset_timeout_ms,
      // The shared outcome window decides when to open; opossum only runs the state machine.
      volumeThreshold: Number.MAX_SAFE_INTEGER,
      rollingCountTimeout: config.window_ms,
    });
    const created: Entry = { breaker, config, until: undefined, remote: false };
    breaker.on('open', () => this.#transition(target, created, 'open'));
    breaker.on('halfOpen', () => this.#transition(target, created, 'half_open'));
    breaker.on('close', () => this.#transition(target, created, 'closed'));
    this.#entries.set(target, created);
  }

  /**
   * Adopts the breaker states other replicas already published (a replica that
   * starts while a target's breaker is open elsewhere must not hammer it).
   */
  async syncFromStore(): Promise<void> {
    const targets = [...this.#entries.keys()];
    const shared = await this.#store.breakers(targets).catch(() => targets.map(() => undefined));
    shared.forEach((breaker, i) => {
      const target = targets[i];
      if (target && breaker?.phase === 'open' && (breaker.until ?? 0) > this.#now()) this.#applyRemote(target, 'open', breaker.until);
    });
  }

  /** Drops breakers of targets no longer configured. */
  retain(targets: ReadonlySet<string>): void {
    for (const [target, entry] of this.#entries) {
      if (targets.has(target)) continue;
      entry.breaker.shutdown();
      this.#entries.delete(target);
    }
  }

  phase(target: string): BreakerSnapshot {
    const entry = this.#entries.get(target);
    if (!entry || entry.breaker.closed) return { target, phase: 'closed' };
    return { target, phase: entry.breaker.opened ? 'open' : 'half_open', until: entry.until };
  }

  /** Whether the target's breaker is open (asked per candidate per request: no snapshot object). */
  isOpen(target: string): boolean {
    return this.#entries.get(target)?.breaker.opened === true;
  }

  snapshot(): BreakerSnapshot[] {
    return [...this.#entries.keys()].map((target) => this.phase(target));
  }

  /**
   * Asks to send one attempt to `target`. In half-open, only the replica that
   * claims the probe (and within it, only one request) is let through. Answers at
   * once except for that claim, which asks the store.
   */
  admit(target: string): BreakerVerdict | Promise<BreakerVerdict> {
    const entry = this.#entries.get(target);
    if (!entry || !entry.config.enabled) return UNTRACKED;
    const { breaker } = entry;
    if (breaker.halfOpen) return this.#admitProbe(target, entry);
    return this.#gate(target, entry);
  }

  async #admitProbe(target: string, entry: Entry): Promise<BreakerVerdict> {
    if (!entry.breaker.pendingClose || !(await this.#store.claimProbe(target, entry.config.reset_timeout_ms))) {
      return { allow: false, phase: 'half_open', until: undefined };
    }
    return this.#gate(target, entry);
  }

  /** opossum's own gate, checked synchronously right before firing: open, or a probe already sent. */
  #gate(target: string, entry: Entry): BreakerVerdict {
    const { breaker } = entry;
    if (!breaker.closed && !breaker.pendingClose) return { allow: false, phase: breaker.opened ? 'open' : 'half_open', until: entry.until };
    if (!breaker.halfOpen) return { allow: true, probe: false, ticket: new CountingTicket(this, target, entry) };
    return { allow: true, probe: true, ticket: this.#probeTicket(entry) };
  }

  /**
   * Lets one attempt through a breaker that is not closed, because every target of
   * the route is ejected and one must stay in rotation. Its success closes the
   * breaker (the target has proven it answers); its failure changes nothing.
   */
  force(target: string): BreakerTicket {
    const entry = this.#entries.get(target);
    let done = false;
    const finish = (close: boolean): void => {
      if (done) return;
      done = true;
      if (close && entry && !entry.breaker.closed) entry.breaker.close();
    };
    return { success: () => finish(true), failure: () => finish(false), neutral: () => finish(false) };
  }

  close(): void {
    this.#unsubscribe();
    for (const entry of this.#entries.values()) entry.breaker.shutdown();
    this.#entries.clear();
  }

  /** The probe goes through opossum, which closes the breaker on success and opens it again on failure. */
  #probeTicket(entry: Entry): BreakerTicket {
    let done = false;
    let settle: ((ok: boolean | undefined) => void) | undefined;
    const outcome = new Promise<void>((resolve, reject) => {
      settle = (ok) => (ok === false ? reject(new Error('attempt failed')) : resolve());
    });
    entry.breaker.fire(outcome).catch(() => {});
    const finish = (ok: boolean | undefined): void => {
      if (done) return;
      done = true;
      settle?.(ok);
    };
    return { success: () => finish(true), failure: () => finish(false), neutral: () => finish(undefined) };
  }

  /**
   * Counts one outcome of a closed breaker in the shared window and opens the breaker
   * when a failure takes the window over the threshold. For the ticket only.
   */
  countOutcome(target: string, entry: Entry, ok: boolean): void {
    let counts: ReturnType<StateStore['recordOutcome']>;
    try {
      counts = this.#store.recordOutcome(target, ok, entry.config.window_ms);
    } catch (error) {
      this.#logger.warn({ err: error, target }, 'could not record a breaker outcome');
      return;
    }
    if (!(counts instanceof Promise)) {
      if (!ok) this.#judge(entry, counts);
      return;
    }
    counts.then(
      (settled) => {
        if (!ok) this.#judge(entry, settled);
      },
      (error: unknown) => this.#logger.warn({ err: error, target }, 'could not record a breaker outcome'),
    );
  }

  #judge(entry: Entry, { successes, failures }: WindowCounts): void {
    const { config } = entry;
    const total = successes + failures;
    if (entry.breaker.closed && total >= config.volume_threshold && (failures / total) * 100 >= config.error_percentage) entry.breaker.open();
  }

  #transition(target: string, entry: Entry, phase: BreakerPhase): void {
    entry.until = phase === 'open' ? this.#now() + entry.config.reset_timeout_ms : undefined;
    if (entry.remote) return;
    this.#logger.info({ target, breaker: phase, until: entry.until ? new Date(entry.until).toISOString() : undefined }, 'breaker transition');
    if (phase === 'half_open') return;
    void this.#store.resetOutcomes(target).catch(() => {});
    void this.#store.setBreaker(target, { phase, until: entry.until }).catch((error: unknown) => {
      this.#logger.warn({ err: error, target }, 'could not share a breaker transition');
    });
  }

  /** A transition another replica (or this one, echoed) published. */
  #applyRemote(target: string, phase: BreakerPhase, until: number | undefined): void {
    const entry = this.#entries.get(target);
    if (!entry) return;
    const { breaker } = entry;
    entry.remote = true;
    try {
      if (phase === 'open' && !breaker.opened) breaker.open();
      else if (phase === 'closed' && !breaker.closed) breaker.close();
    } finally {
      entry.remote = false;
    }
    if (phase === 'open' && until !== undefined) entry.until = until;
  }
}

/** The verdict for a target without a breaker (none configured, or disabled): nothing to count. */
const UNTRACKED: BreakerVerdict = Object.freeze({
  allow: true,
  probe: false,
  ticket: Object.freeze({ success() {}, failure() {}, neutral() {} }),
});

/**
 * A closed breaker's ticket: it only counts the outcome in the shared window;
 * opossum is involved on transitions and for the half-open probe, not on every
 * request. A class rather than closures: one object per attempt.
 */
class CountingTicket implements BreakerTicket {
  #done = false;

  constructor(
    private readonly board: BreakerBoard,
    private readonly target: string,
    private readonly entry: Entry,
  ) {}

  success(): void {
    this.#settle(true);
  }

  failure(): void {
    this.#settle(false);
  }

  neutral(): void {
    this.#done = true;
  }

  #settle(ok: boolean): void {
    if (this.#done) return;
    this.#done = true;
    this.board.countOutcome(this.target, this.entry, ok);
  }
}
