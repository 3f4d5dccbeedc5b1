/**
 * Latency samples are not on any decision path, so they are written in batches:
 * every `everyMs` each target's samples since the last write go out in one script
 * call (all targets share one pipelined write), instead of one round trip per
 * response. The cache is folded at once, so this replica reads its own samples
 * without waiting for the write.
 */

export interface LatencyBatcherOptions {
  /** Folds the samples into the shared average; resolves the average after them. */
  readonly write: (target: string, samples: readonly number[]) => Promise<number>;
  /** The shared average after a write, with `pending` samples queued since it was sent. */
  readonly written: (target: string, average: number, pending: readonly number[]) => void;
  readonly failed: (error: unknown) => void;
  readonly everyMs: number;
}

export class LatencyBatcher {
  readonly #options: LatencyBatcherOptions;
  readonly #pending = new Map<string, number[]>();
  readonly #writing = new Map<string, number>();
  #timer: NodeJS.Timeout | undefined;

  constructor(options: LatencyBatcherOptions) {
    this.#options = options;
  }

  add(target: string, sample: number): void {
    const samples = this.#pending.get(target);
    if (samples) samples.push(sample);
    else this.#pending.set(target, [sample]);
    if (!this.#timer) {
      this.#timer = setTimeout(() => void this.flush(), this.#options.everyMs);
      this.#timer.unref();
    }
  }

  /** True while the target has samples the shared average does not have yet. */
  busy(target: string): boolean {
    return this.#pending.has(target) || this.#writing.has(target);
  }

  async flush(): Promise<void> {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    const batch = [...this.#pending];
    this.#pending.clear();
    await Promise.all(batch.map(([target, samples]) => this.#write(target, samples)));
  }

  /** Drops samples not yet written (Redis is away; the cache already has them). */
  discard(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#pending.clear();
  }

  async #write(target: string, samples: readonly number[]): Promise<void> {
    this.#writing.set(target, (this.#writing.get(target) ?? 0) + 1);
    try {
      const average = await this.#options.write(target, samples);
      this.#options.written(target, average, this.#pending.get(target) ?? []);
    } catch (error) {
      this.#options.failed(error);
    } finally {
      const left = (this.#writing.get(target) ?? 1) - 1;
      if (left > 0) this.#writing.set(target, left);
      else this.#writing.delete(target);
    }
  }
}
