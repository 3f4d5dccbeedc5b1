/**
 * Keeps the heap from filling up with garbage between full collections.
 *
 * After each full (mark-compact) collection V8 lets the old generation grow to
 * between 1.1× and 4× of what survived before it runs the next one; it picks the
 * factor from how fast it collects. With a thousand open streams llmux holds ~45 MB
 * live (each stream's sockets, parsers and request state outlive many young-generation
 * collections, so they are promoted), and V8 let that grow to ~120 MB, mostly
 * finished streams, before collecting: bench scenario (f)'s soak peaked at 226–287 MB
 * of RSS, in a sawtooth that rose for 30 s at a time.
 *
 * Held to 25% (V8's own `--heap-growing-percent`, set at run time, which the process's
 * command line could not do for a CLI started as `llmux`), the same soak peaked at
 * 166 MB, flat. V8 never grows the limit by less than 8 MB, so a small heap is not
 * collected more often: llmux under saturation load (scenario (a)) promotes ~0.05 KB
 * per request, one full collection a minute or less either way (`npm run bench:gc`).
 */
import { setFlagsFromString } from 'node:v8';

/** @default 25 */
export const HEAP_GROWING_PERCENT = 25;

/**
 * Sets how far V8 lets the old generation grow past what survived the last full
 * collection, for the whole process. `setFlags` is V8's, but for tests.
 */
export function holdHeapGrowth(percent: number = HEAP_GROWING_PERCENT, setFlags: (flags: string) => void = setFlagsFromString): void {
  if (!Number.isInteger(percent) || percent <= 0) throw new RangeError(`the heap growing percent must be a whole number above 0, not ${percent}`);
  setFlags(`--heap-growing-percent=${percent}`);
}
