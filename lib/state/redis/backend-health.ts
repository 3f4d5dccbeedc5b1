/**
 * Whether the shared backend is usable, and the way back when it is not. Any
 * failed or timed-out command, or a dropped connection, flips the store to local
 * state at once; it flips back only after a full re-sync succeeded. Each flip is
 * logged once and announced once to subscribers, however many calls failed.
 */
import { type StateEvent, type StoreStatus } from '../store.js';
import { type Logger } from '../../telemetry/logger.js';
import { OFFLINE, withDeadline } from './deadline.js';

export interface BackendHealthOptions {
  /** Where Redis is, for details and logs. */
  readonly endpoint: string;
  readonly logger: Logger;
  /** Delivers `backend` events to the store's subscribers. */
  readonly emit: (event: StateEvent) => void;
  /** Longest wait for one call, in ms. */
  readonly timeoutMs: number;
  /** Checks Redis and re-syncs; resolves only when shared state can be used again. */
  readonly recover: () => Promise<void>;
  /** How often to try `recover` while degraded, in ms. */
  readonly checkEveryMs: number;
}

function reasonOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export class BackendHealth {
  readonly #options: BackendHealthOptions;
  #healthy = true;
  /** Bumped on every recovery, so a command sent before an outage cannot end the next healthy period. */
  #epoch = 0;
  #detail: string;
  #timer: NodeJS.Timeout | undefined;
  #checking = false;
  #stopped = false;

  constructor(options: BackendHealthOptions) {
    this.#options = options;
    this.#detail = `shared state in ${options.endpoint}`;
  }

  get healthy(): boolean {
    return this.#healthy;
  }

  status(): StoreStatus {
    return { healthy: this.#healthy, detail: this.#detail };
  }

  /**
   * Runs one Redis call within the timeout. OFFLINE when the backend is already
   * known to be down (no waiting at all) or when this call fails, which marks it down.
   */
  async attempt<T>(call: () => Promise<T>): Promise<T | typeof OFFLINE> {
    if (!this.#healthy) return OFFLINE;
    const epoch = this.#epoch;
    try {
      return await withDeadline(call(), this.#options.timeoutMs);
    } catch (error) {
      this.down(error, epoch);
      return OFFLINE;
    }
  }

  /**
   * Switches to local state (once per outage) and starts checking for Redis's
   * return. `epoch` is the one seen when the failed command was sent.
   */
  down(error: unknown, epoch = this.#epoch): void {
    if (!this.#healthy || this.#stopped || epoch !== this.#epoch) return;
    this.#healthy = false;
    const reason = reasonOf(error);
    this.#detail = `${this.#options.endpoint} unreachable (${reason}); serving on local state since ${new Date().toISOString()}`;
    this.#options.logger.warn({ backend: 'redis', endpoint: this.#options.endpoint, reason }, 'state backend unreachable, serving on local state');
    this.#options.emit({ type: 'backend', healthy: false, detail: this.#detail });
    this.#timer = setInterval(() => this.check(), this.#options.checkEveryMs);
    this.#timer.unref();
  }

  /** Tries to recover now (e.g. the client just reconnected); a no-op while healthy or already checking. */
  check(): void {
    if (this.#healthy || this.#checking || this.#stopped) return;
    this.#checking = true;
    this.#options
      .recover()
      .then(
        () => this.#up(),
        (error: unknown) => this.#options.logger.debug({ backend: 'redis', reason: reasonOf(error) }, 'state backend still unreachable'),
      )
      .finally(() => (this.#checking = false));
  }

  stop(): void {
    this.#stopped = true;
    clearInterval(this.#timer);
  }

  #up(): void {
    if (this.#healthy || this.#stopped) return;
    clearInterval(this.#timer);
    this.#timer = undefined;
    this.#healthy = true;
    this.#epoch++;
    this.#detail = `shared state in ${this.#options.endpoint}`;
    this.#options.logger.info({ backend: 'redis', endpoint: this.#options.endpoint }, 'state backend reachable again, shared state resumed');
    this.#options.emit({ type: 'backend', healthy: true, detail: this.#detail });
  }
}
