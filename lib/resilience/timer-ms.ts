/**
 * Durations for `setTimeout`. Node keeps one timer list per distinct duration:
 * a duration shared by many requests (a fixed setting) is an O(1) append, but a
 * duration computed from a deadline (`deadline − now`, a different fraction of a
 * millisecond for every request) creates, sorts and discards a list per timer.
 * Rounding such durations up to a coarse step lets concurrent requests share
 * lists, at the price of a deadline firing up to one step late: 1 ms below one
 * second, 1% of the duration (at most 100 ms) above.
 */
export function timerMs(ms: number): number {
  if (!(ms > 1)) return 1;
  if (ms < 1000) return Math.ceil(ms);
  const step = Math.min(100, 10 ** Math.floor(Math.log10(ms) - 2));
  return Math.ceil(ms / step) * step;
}
