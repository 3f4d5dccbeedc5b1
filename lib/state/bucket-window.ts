/**
 * A rolling time window kept as fixed-size buckets: constant memory per target
 * however busy it is, and the same shape the Redis backend stores (one hash field
 * per bucket), so both backends count alike.
 */
export class BucketWindow<T> {
  readonly #buckets = new Map<number, T>();

  constructor(
    /** Window length in ms. */
    readonly span: number,
    /** Bucket length in ms. */
    readonly bucketMs: number,
  ) {}

  /** The bucket `now` falls in, created with `create` when new; old buckets are dropped. */
  bucket(now: number, create: () => T): T {
    this.#prune(now);
    const index = Math.floor(now / this.bucketMs);
    let bucket = this.#buckets.get(index);
    if (!bucket) {
      bucket = create();
      this.#buckets.set(index, bucket);
    }
    return bucket;
  }

  /** The bucket `at` fell in, if it still exists. */
  existing(at: number): T | undefined {
    return this.#buckets.get(Math.floor(at / this.bucketMs));
  }

  /** Sums of each getter over the buckets inside the window ending at `now`. */
  sum(now: number, ...getters: readonly ((bucket: T) => number)[]): number[] {
    this.#prune(now);
    const oldest = Math.floor((now - this.span) / this.bucketMs);
    const totals = getters.map(() => 0);
    for (const [index, bucket] of this.#buckets) {
      // A clock that stepped back can leave an old bucket behind a newer one; it does not count.
      if (index < oldest) continue;
      getters.forEach((get, i) => (totals[i] = (totals[i] ?? 0) + get(bucket)));
    }
    return totals;
  }

  /** Epoch ms when buckets holding at least `excess` units (by `get`) will have left the window. */
  freedAt(now: number, get: (bucket: T) => number, excess: number): number {
    this.#prune(now);
    let freed = 0;
    for (const index of [...this.#buckets.keys()].sort((a, b) => a - b)) {
      freed += get(this.#buckets.get(index) as T);
      if (freed >= excess) return (index + 1) * this.bucketMs + this.span;
    }
    return now + this.span;
  }

  /** Buckets are created in time order and a Map iterates in insertion order, so expiry stops at the first live one. */
  #prune(now: number): void {
    const oldest = Math.floor((now - this.span) / this.bucketMs);
    for (const index of this.#buckets.keys()) {
      if (index >= oldest) break;
      this.#buckets.delete(index);
    }
  }
}
