/**
 * Recent time-to-first-byte samples per route, for hedging at "the route's
 * observed p95". A fixed ring of the last samples: cheap, and it follows change.
 */
const SAMPLES = 256;

export class TtfbTracker {
  readonly #rings = new Map<string, { values: Float64Array; next: number; size: number }>();

  record(route: string, ms: number): void {
    let ring = this.#rings.get(route);
    if (!ring) {
      ring = { values: new Float64Array(SAMPLES), next: 0, size: 0 };
      this.#rings.set(route, ring);
    }
    ring.values[ring.next] = ms;
    ring.next = (ring.next + 1) % SAMPLES;
    ring.size = Math.min(ring.size + 1, SAMPLES);
  }

  /** The `p`th percentile (0–100) of the route's recent samples; `undefined` below `minSamples`. */
  percentile(route: string, p: number, minSamples = 20): number | undefined {
    const ring = this.#rings.get(route);
    if (!ring || ring.size < minSamples) return undefined;
    const sorted = Array.from(ring.values.subarray(0, ring.size)).sort((a, b) => a - b);
    return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
  }
}
