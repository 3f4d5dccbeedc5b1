/**
 * Exponential backoff with full jitter (AWS's "full jitter"): a uniformly random
 * wait up to base·2^(round-1), capped. Spreads retries of many clients apart.
 */
export function backoffDelay(round: number, baseMs: number, maxMs: number, random: () => number): number {
  const ceiling = Math.min(maxMs, baseMs * 2 ** Math.max(0, round - 1));
  return Math.floor(random() * ceiling);
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
