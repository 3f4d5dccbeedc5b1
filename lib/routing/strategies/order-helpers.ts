/** Small ordering helpers shared by several strategies. */
import type { Target } from '../target.js';

/** Sorts by ascending score; equal scores are ordered randomly so no target is always first. */
export function sortByScore(targets: readonly Target[], scores: readonly number[], random: () => number): Target[] {
  const keyed = targets.map((target, i) => ({ target, score: scores[i] ?? Infinity, tie: random() }));
  keyed.sort((a, b) => a.score - b.score || a.tie - b.tie);
  return keyed.map((k) => k.target);
}

/** Weighted targets first (in the given order), then weight-0 fallbacks in config order. */
export function weightedFirst(ordered: readonly Target[]): Target[] {
  // Most routes have no weight-0 fallbacks: one copy instead of two filters and a spread.
  if (ordered.every((t) => t.weight > 0)) return ordered.slice();
  return [...ordered.filter((t) => t.weight > 0), ...ordered.filter((t) => t.weight === 0)];
}
