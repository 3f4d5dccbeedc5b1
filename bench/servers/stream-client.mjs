/**
 * The streaming load generator (a separate process, pinned next to wrk): keeps N
 * streaming requests open in a loop and records, per stream, the time to the first
 * `data:` line, the total time, how many SSE events arrived and in how many socket
 * reads. wrk can drive streams but cannot see a first chunk; this can.
 *
 *   node bench/servers/stream-client.mjs <spec.json>
 *
 * spec: { url, path, headers, body, concurrency, durationMs, rampMs?, announceOpen? }
 * Prints one JSON summary line at the end; with `announceOpen`, also
 * {"event":"all-open"} the first time `concurrency` streams are open at once.
 */
import { readFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { Buffer } from 'node:buffer';

const spec = JSON.parse(readFileSync(process.argv[2] ?? '', 'utf8'));
const url = new URL(spec.path, spec.url);
const body = Buffer.from(spec.body);
const headers = { ...spec.headers, 'content-length': String(body.length) };
const agent = new Agent({ keepAlive: true, maxSockets: spec.concurrency, noDelay: true });

/** @type {number[]} */ const ttfbs = [];
/** @type {number[]} */ const totals = [];
let events = 0;
let reads = 0;
let readsWithEvents = 0;
let completed = 0;
let failed = 0;
let open = 0;
let announced = false;
/** @type {string | undefined} */ let firstError;

const EVENT_END = /\n\n/g;

/** One stream: resolves when it ended, well or badly. */
function stream() {
  return new Promise((resolve) => {
    const start = performance.now();
    let ttfb = -1;
    let own = 0;
    // An event boundary ("\n\n") can straddle two reads; the last byte carries over.
    let carry = '';
    const fail = (/** @type {string} */ why) => {
      failed += 1;
      firstError ??= why;
      resolve(undefined);
    };
    const req = request(url, { method: 'POST', headers, agent }, (res) => {
      if (res.statusCode !== 200) {
        res.resume();
        res.on('end', () => fail(`status ${res.statusCode}`));
        return;
      }
      open += 1;
      res.setEncoding('latin1');
      res.on('data', (/** @type {string} */ chunk) => {
        reads += 1;
        if (ttfb < 0 && chunk.includes('data:')) {
          ttfb = performance.now() - start;
          if (spec.announceOpen && !announced && open >= spec.concurrency) {
            announced = true;
            process.stdout.write(`${JSON.stringify({ event: 'all-open' })}\n`);
          }
        }
        const text = carry + chunk;
        const n = text.match(EVENT_END)?.length ?? 0;
        carry = text.slice(-1);
        if (n > 0) readsWithEvents += 1;
        own += n;
      });
      res.on('end', () => {
        open -= 1;
        events += own;
        if (ttfb < 0) return fail('no data: line in the stream');
        ttfbs.push(ttfb);
        totals.push(performance.now() - start);
        completed += 1;
        resolve(undefined);
      });
      res.on('error', (error) => {
        open -= 1;
        fail(error.message);
      });
    });
    req.on('error', (error) => fail(error.message));
    req.end(body);
  });
}

const started = performance.now();
const stopAt = started + spec.durationMs;

/** @param {number} delayMs */
async function worker(delayMs) {
  if (delayMs > 0) await sleep(delayMs);
  while (performance.now() < stopAt) await stream();
}

const ramp = spec.rampMs ?? 0;
await Promise.all(Array.from({ length: spec.concurrency }, (_, i) => worker((ramp * i) / spec.concurrency)));
const elapsedMs = performance.now() - started;
agent.destroy();

const sort = (/** @type {number[]} */ xs) => xs.sort((a, b) => a - b);
const pct = (/** @type {number[]} */ xs, /** @type {number} */ p) => (xs.length ? xs[Math.min(xs.length - 1, Math.ceil((p / 100) * xs.length) - 1)] : NaN);
sort(ttfbs);
sort(totals);
process.stdout.write(
  `${JSON.stringify({
    requests: completed,
    errors: failed,
    firstError,
    elapsedMs,
    rps: (completed / elapsedMs) * 1000,
    ttfbP50: pct(ttfbs, 50),
    ttfbP99: pct(ttfbs, 99),
    p50: pct(totals, 50),
    p99: pct(totals, 99),
    eventsPerStream: completed ? events / completed : NaN,
    readsPerStream: completed ? reads / completed : NaN,
    eventsPerRead: readsWithEvents ? events / readsWithEvents : NaN,
  })}\n`,
);
