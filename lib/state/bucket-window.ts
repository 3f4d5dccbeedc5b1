/**
 * A rolling time window of counters kept as fixed-size buckets: constant memory per
 * target however busy it is, and the same shape the Redis backend stores (one hash
 * field per bucket), so both backends count alike.
 *
 * It sits on the hot path (every admission with a quota, every breaker outcome), so
 * it keeps running totals instead of summing buckets per call, and allocates only
 * when a new bucket starts.
 */
export class BucketWindow {
  /** Bucket index → one count per field; a Map iterates in insertion order, which is time order here. */
  readonly #buckets = new Map<number, Float64Array>();
  readonly #totals: Float64Array;
  #newest = Number.NEGATIVE_INFINITY;

  constructor(
    /** Window length in ms. */
    readonly span: number,
    /** Bucket length in ms. */
    readonly bucketMs: number,
    /** How many counters each bucket holds (e.g. 2: requests and tokens). */
    readonly fields: number,
  ) {
    this.#totals = new Float64Array(fields);
  }

  /** Adds `amount` to counter `field` of the bucket `now` falls in. */
  add(now: number, field: number, amount: number): void {
    this.#prune(now);
    // A clock that stepped back counts in the newest bucket: buckets stay in time order.
    const index = Math.max(Math.floor(now / this.bucketMs), this.#newest);
    let bucket = this.#buckets.get(index);
    if (!bucket) {
      bucket = new Float64Array(this.fields);
      this.#buckets.set(index, bucket);
      this.#newest = index;
    }
    bucket[field] = (bucket[field] as number) + amount;
    this.#totals[field] = (this.#totals[field] as number) + amount;
  }

  /**
   * Corrects counter `field` of the bucket `at` fell in, if that bucket is still in
   * the window, never below zero (a reservation replaced by the real figure).
   */
  adjust(at: number, field: number, amount: number): void {
    const bucket = this.#buckets.get(Math.floor(at / this.bucketMs));
    if (!bucket) return;
    const before = bucket[field] as number;
    const after = Math.max(0, before + amount);
    bucket[field] = after;
    this.#totals[field] = (this.#totals[field] as number) + after - before;
  }

  /** Counter `field` summed over the window ending at `now`. */
  total(now: number, field: number): number {
    this.#prune(now);
    return this.#totals[field] as number;
  }

  /** Epoch ms when buckets holding at least `excess` of counter `field` will have left the window. */
  freedAt(now: number, field: number, excess: number): number {
    this.#prune(now);
    let freed = 0;
    for (const [index, bucket] of this.#buckets) {
      freed += bucket[field] as number;
      if (freed >= excess) return (index + 1) * this.bucketMs + this.span;
    }
    return now + this.span;
  }

  /** Expiry stops at the first live bucket, since buckets are in time order. */
  #prune(now: number): void {
    const oldest = Math.floor((now - this.span) / this.bucketMs);
    for (const [index, bucket] of this.#buckets) {
      if (index >= oldest) break;
      for (let field = 0; field < this.fields; field++) this.#totals[field] = (this.#totals[field] as number) - (bucket[field] as number);
      this.#buckets.delete(index);
    }
    // Running sums of whole numbers stay exact; a window that emptied starts again from zero anyway.
    if (this.#buckets.size === 0) this.#totals.fill(0);
  }
}
