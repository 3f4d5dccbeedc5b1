/**
 * CPU per request as instructions, counted by valgrind's callgrind instead of timed
 * (issue 10's CPU target, measured so that a noisy machine cannot move it): the floor
 * and llmux each serve exactly N₁ and then N₂ identical non-streamed requests under
 * callgrind, and (instructions(N₂) − instructions(N₁)) / (N₂ − N₁) is what one more
 * request costs once start-up and warm-up are paid. A slower or throttled VM does not
 * shift it, but it is not exact: event-loop batching still depends on timing (see
 * bench/README.md).
 *
 *   npm run bench:instructions [-- --requests 1500,3500] [--concurrency 10] [--keep]
 *
 * Node runs single-threaded with a fixed GC schedule (--single-threaded
 * --predictable-gc-schedule --no-memory-reducer) so that background compiler threads
 * and time-based GC heuristics (valgrind slows everything ~50×) count the same in
 * every run; the figures include the GC and JIT work the requests cause.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { parseArgs } from 'node:util';
import { installCleanup, startChild, stopAll } from './lib/children.mjs';
import { startFloor } from './lib/services/floor.mjs';
import { startLlmux } from './lib/services/llmux.mjs';
import { assertBuilt, benchDir } from './lib/services/paths.mjs';
import { startUpstream } from './lib/services/upstream.mjs';

const { values } = parseArgs({
  options: {
    requests: { type: 'string', default: '1500,3500' },
    concurrency: { type: 'string', default: '10' },
    keep: { type: 'boolean', default: false },
  },
});
const [first, second] = values.requests.split(',').map(Number);
const concurrency = Number(values.concurrency);
if (!(first > 0 && second > first && concurrency > 0)) {
  console.error('usage: npm run bench:instructions -- [--requests N1,N2 (N2 > N1)] [--concurrency C] [--keep]');
  process.exit(2);
}
if (spawnSync('valgrind', ['--version']).error) {
  console.error('valgrind is not installed (apt-get install valgrind)');
  process.exit(2);
}

const NODE_FLAGS = ['--single-threaded', '--predictable-gc-schedule', '--no-memory-reducer'];
const log = (/** @type {string} */ line) => console.error(line);
installCleanup();
assertBuilt();
const dir = mkdtempSync(`${tmpdir()}/llmux-instructions-`);

/**
 * Total instructions of one proxy process that served `n` requests.
 * @param {'floor' | 'llmux'} kind
 * @param {number} n
 * @param {string} upstreamUrl
 */
async function count(kind, n, upstreamUrl) {
  const out = `${dir}/${kind}-${n}.callgrind`;
  const wrap = { command: 'valgrind', args: () => ['--tool=callgrind', `--callgrind-out-file=${out}`], nodeArgs: NODE_FLAGS, startMs: 300_000 };
  const service = kind === 'floor' ? await startFloor(upstreamUrl, dir, wrap) : await startLlmux({ label: `llmux-${n}`, upstreamUrl, wrap }, dir);
  const client = startChild({
    name: 'client',
    command: process.execPath,
    args: [`${benchDir}servers/fixed-client.mjs`, service.url, String(n), String(concurrency)],
    cpu: 1,
    pipeStdout: true,
  });
  let text = '';
  client.process.stdout?.setEncoding('utf8');
  client.process.stdout?.on('data', (chunk) => (text += chunk));
  await client.exited;
  await service.stop();
  const result = JSON.parse(text || '{}');
  if (result.done !== n || result.failed !== 0) throw new Error(`${kind}: ${JSON.stringify(result)} of ${n} requests`);
  const totals = readFileSync(out, 'utf8').match(/^(?:summary|totals):\s+(\d+)/m);
  if (!totals) throw new Error(`${kind}: no instruction total in ${out}`);
  return Number(totals[1]);
}

try {
  const upstream = await startUpstream('upstream', { chunks: 4, firstByteDelayMs: 0, chunkDelayMs: 0, cpu: 1 }, dir);
  /** @type {Record<string, { totals: Record<number, number>, perRequest: number }>} */
  const figures = {};
  for (const kind of /** @type {const} */ (['floor', 'llmux'])) {
    const totals = {};
    for (const n of [first, second]) {
      log(`[instructions] ${kind}: ${n} requests under callgrind …`);
      totals[n] = await count(kind, n, upstream.url);
    }
    figures[kind] = { totals, perRequest: Math.round((totals[second] - totals[first]) / (second - first)) };
    log(`[instructions] ${kind}: ${figures[kind].perRequest.toLocaleString('en-US')} instructions per request`);
  }
  await upstream.stop();
  const ratio = figures.llmux.perRequest / figures.floor.perRequest;
  console.log(`\ninstructions per non-streamed ~1 KB request (requests ${first}–${second}, ${concurrency} at a time)`);
  console.log(`  floor  ${figures.floor.perRequest.toLocaleString('en-US').padStart(12)}`);
  console.log(`  llmux  ${figures.llmux.perRequest.toLocaleString('en-US').padStart(12)}   ${ratio.toFixed(2)}× the floor (issue 10 target: ≤ 1.5× in CPU)`);
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  mkdirSync(`${benchDir}results`, { recursive: true });
  const file = `${benchDir}results/instructions-${stamp}.json`;
  writeFileSync(file, `${JSON.stringify({ requests: [first, second], concurrency, nodeFlags: NODE_FLAGS, figures, ratio }, null, 2)}\n`);
  console.log(`\nfigures: ${file}`);
} finally {
  await stopAll();
  if (!values.keep) rmSync(dir, { recursive: true, force: true });
}
