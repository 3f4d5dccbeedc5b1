/**
 * CPU per request as instructions, counted by valgrind's callgrind instead of timed
 * (issue 10's CPU target, measured so that a noisy machine cannot move it). The floor
 * and llmux each first serve a warm-up of identical non-streamed requests with
 * callgrind's instrumentation off (the JIT compiles its hot functions there: counted
 * in, that compilation was 40% of llmux's figure), then N more with it on (a second
 * warm-up, dumped and set aside) and 2N counted: instructions / 2N per request, with
 * what the optimizing compiler still does in that batch (V8 keeps recompiling after
 * deoptimizations, in bursts) shown apart and left out of the ratio. It is not exact:
 * event-loop batching still depends on timing (see bench/README.md).
 *
 *   npm run bench:instructions [-- --warmup 20000] [--requests 2000] [--concurrency 10] [--functions 30]
 *                              [--proxies floor,llmux] [--llmux-cli path/to/llmux.js] [--keep]
 *
 * Node runs single-threaded with a fixed GC schedule (--single-threaded
 * --predictable-gc-schedule --no-memory-reducer) so that background compiler threads
 * and time-based GC heuristics (valgrind slows everything ~50×) count the same in
 * every run; the figures include the GC and JIT work the requests still cause.
 * `--functions N` also prints the N costliest functions per request, JavaScript ones
 * named through node's `--perf-basic-prof` map.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { installCleanup, startChild, stopAll } from './lib/children.mjs';
import { callsInto, functionCosts, perRequestCosts } from './lib/profile/callgrind.mjs';
import { startFloor } from './lib/services/floor.mjs';
import { startLlmux } from './lib/services/llmux.mjs';
import { assertBuilt, benchDir, useLlmuxCli } from './lib/services/paths.mjs';
import { startUpstream } from './lib/services/upstream.mjs';

const { values } = parseArgs({
  options: {
    warmup: { type: 'string', default: '20000' },
    requests: { type: 'string', default: '2000' },
    concurrency: { type: 'string', default: '10' },
    functions: { type: 'string', default: '0' },
    proxies: { type: 'string', default: 'floor,llmux' },
    'llmux-cli': { type: 'string' },
    keep: { type: 'boolean', default: false },
  },
});
const [warmup, requests, concurrency, functions] = [values.warmup, values.requests, values.concurrency, values.functions].map(Number);
const proxies = values.proxies.split(',');
if (!(warmup >= 0 && requests > 0 && concurrency > 0 && functions >= 0) || proxies.some((p) => p !== 'floor' && p !== 'llmux')) {
  console.error('usage: npm run bench:instructions -- [--warmup N] [--requests N] [--concurrency C] [--functions N] [--proxies floor,llmux] [--llmux-cli path/to/llmux.js] [--keep]');
  process.exit(2);
}
try {
  execFileSync('valgrind', ['--version'], { stdio: 'ignore' });
} catch {
  console.error('valgrind is not installed (apt-get install valgrind)');
  process.exit(2);
}

const NODE_FLAGS = ['--single-threaded', '--predictable-gc-schedule', '--no-memory-reducer'];
const log = (/** @type {string} */ line) => console.error(line);
installCleanup();
if (values['llmux-cli']) useLlmuxCli(resolve(values['llmux-cli']));
assertBuilt();
const dir = mkdtempSync(`${tmpdir()}/llmux-instructions-`);

/**
 * Sends exactly `n` requests to `url` from a separate process on the other CPU.
 * @param {string} label
 * @param {string} url
 * @param {number} n
 */
async function send(label, url, n) {
  const client = startChild({
    name: 'client',
    command: process.execPath,
    args: [`${benchDir}servers/fixed-client.mjs`, url, String(n), String(concurrency)],
    cpu: 1,
    pipeStdout: true,
  });
  let text = '';
  client.process.stdout?.setEncoding('utf8');
  client.process.stdout?.on('data', (chunk) => (text += chunk));
  await client.exited;
  const result = JSON.parse(text || '{}');
  if (result.done !== n || result.failed !== 0) throw new Error(`${label}: ${JSON.stringify(result)} of ${n} requests`);
}

/**
 * One proxy under callgrind: warm-up uncounted, then N and 2N counted requests.
 * @param {'floor' | 'llmux'} kind
 * @param {string} upstreamUrl
 */
async function count(kind, upstreamUrl) {
  const out = `${dir}/${kind}.callgrind`;
  const wrap = {
    command: 'valgrind',
    args: () => ['--tool=callgrind', '--instr-atstart=no', `--callgrind-out-file=${out}`],
    nodeArgs: [...NODE_FLAGS, ...(functions > 0 ? ['--perf-basic-prof'] : [])],
    startMs: 300_000,
  };
  const service = kind === 'floor' ? await startFloor(upstreamUrl, dir, wrap) : await startLlmux({ label: kind, upstreamUrl, wrap }, dir);
  const [pid] = service.pids();
  const control = (/** @type {string[]} */ args) => execFileSync('callgrind_control', [...args, String(pid)], { stdio: 'ignore' });
  try {
    if (warmup > 0) {
      log(`[instructions] ${kind}: ${warmup} warm-up requests, not counted …`);
      await send(kind, service.url, warmup);
    }
    control(['--instr=on']);
    log(`[instructions] ${kind}: ${requests} + ${2 * requests} counted requests …`);
    await send(kind, service.url, requests);
    control(['--dump']);
    await send(kind, service.url, 2 * requests);
    control(['--dump']);
  } finally {
    await service.stop();
  }
  const perfMap = functions > 0 ? readFileSync(`/tmp/perf-${pid}.map`, 'utf8') : '';
  if (functions > 0 && !values.keep) rmSync(`/tmp/perf-${pid}.map`, { force: true });
  const two = readFileSync(`${out}.2`, 'utf8');
  // The 2N batch alone, per request: the N batch before it is a second warm-up. TurboFan
  // still recompiles (after deoptimizations) long after warm-up, in bursts that make a
  // difference of two batches swing either way; its share is taken out and shown apart.
  const compile = callsInto(two, /^v8::internal::Runtime_CompileOptimized\(/) / (2 * requests);
  const perRequest = total(two, kind) / (2 * requests);
  return {
    perRequest: Math.round(perRequest),
    withoutCompiler: Math.round(perRequest - compile),
    compiler: Math.round(compile),
    top: functions > 0 ? perRequestCosts(functionCosts(two, perfMap), 2 * requests, functions) : [] };
}

/** @param {string} text a callgrind dump @param {string} kind */
function total(text, kind) {
  const found = text.match(/^(?:summary|totals):\s+(\d+)/m);
  if (!found) throw new Error(`${kind}: no instruction total in a callgrind dump`);
  return Number(found[1]);
}

try {
  const upstream = await startUpstream('upstream', { chunks: 4, firstByteDelayMs: 0, chunkDelayMs: 0, cpu: 1 }, dir);
  /** @type {Record<string, { perRequest: number, withoutCompiler: number, compiler: number, top: { name: string, perRequest: number }[] }>} */
  const figures = {};
  for (const kind of /** @type {('floor' | 'llmux')[]} */ (proxies)) {
    figures[kind] = await count(kind, upstream.url);
    log(`[instructions] ${kind}: ${figures[kind].perRequest.toLocaleString('en-US')} instructions per request (${figures[kind].compiler.toLocaleString('en-US')} of them in the optimizing compiler)`);
  }
  await upstream.stop();
  const ratio = figures.llmux && figures.floor ? figures.llmux.withoutCompiler / figures.floor.withoutCompiler : undefined;
  console.log(`\ninstructions per non-streamed ~1 KB request (after ${warmup} warm-up requests; ${requests} counted, ${concurrency} at a time)`);
  console.log(`         ${'without compiler'.padStart(16)}  ${'compiler'.padStart(9)}  ${'total'.padStart(9)}`);
  for (const [kind, figure] of Object.entries(figures)) {
    const versus = kind === 'llmux' && ratio !== undefined ? `   ${ratio.toFixed(2)}× the floor without the compiler (issue 10 target: ≤ 1.5× in CPU)` : '';
    const cell = (/** @type {number} */ n, /** @type {number} */ width) => n.toLocaleString('en-US').padStart(width);
    console.log(`  ${kind.padEnd(5)}  ${cell(figure.withoutCompiler, 16)}  ${cell(figure.compiler, 9)}  ${cell(figure.perRequest, 9)}${versus}`);
  }
  for (const kind of Object.keys(figures)) {
    if (figures[kind].top.length === 0) continue;
    console.log(`\n${kind}: costliest functions, instructions per request (self)`);
    for (const { name, perRequest } of figures[kind].top) console.log(`  ${Math.round(perRequest).toLocaleString('en-US').padStart(9)}  ${name}`);
  }
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  mkdirSync(`${benchDir}results`, { recursive: true });
  const file = `${benchDir}results/instructions-${stamp}.json`;
  writeFileSync(file, `${JSON.stringify({ warmup, requests, concurrency, nodeFlags: NODE_FLAGS, figures, ratio }, null, 2)}\n`);
  console.log(`\nfigures: ${file}`);
} finally {
  await stopAll();
  if (!values.keep) rmSync(dir, { recursive: true, force: true });
}
