/** Small statistics helpers: percentiles of samples, medians of repeats. */

/**
 * The p-th percentile (0–100) of already sorted numbers, nearest rank.
 * @param {readonly number[]} sorted
 * @param {number} p
 */
export function percentile(sorted, p) {
  if (sorted.length === 0) return NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))];
}

/** @param {readonly number[]} values */
export function median(values) {
  const finite = values.filter((v) => Number.isFinite(v));
  if (finite.length === 0) return NaN;
  return percentile([...finite].sort((a, b) => a - b), 50);
}

/**
 * Median of each numeric field over several runs of the same case.
 * @param {readonly Record<string, unknown>[]} runs
 * @returns {Record<string, number>}
 */
export function medianOfRuns(runs) {
  /** @type {Record<string, number>} */
  const out = {};
  const keys = new Set(runs.flatMap((run) => Object.keys(run)));
  for (const key of keys) {
    const values = runs.map((run) => run[key]).filter((v) => typeof v === 'number');
    if (values.length > 0) out[key] = median(/** @type {number[]} */ (values));
  }
  return out;
}

/**
 * Least-squares slope of y over x (e.g. MB per second of RSS over a soak).
 * @param {readonly number[]} xs
 * @param {readonly number[]} ys
 */
export function slope(xs, ys) {
  const n = xs.length;
  if (n < 2) return 0;
  const mx = xs.reduce((a, b) => a + b, 0) / n;
  const my = ys.reduce((a, b) => a + b, 0) / n;
  let num = 0;
  let den = 0;
  for (let i = 0; i < n; i += 1) {
    num += (xs[i] - mx) * (ys[i] - my);
    den += (xs[i] - mx) ** 2;
  }
  return den === 0 ? 0 : num / den;
}
