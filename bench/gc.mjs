/**
 * What the young-generation collector has to keep per request: the floor and llmux
 * each run under `node --trace-gc-nvp` while wrk drives them flat out, and V8's own
 * per-scavenge figures over the measured window give bytes promoted per request,
 * bytes surviving each scavenge, the median scavenge pause and the number of full
 * collections. A request that leaves nothing behind promotes ~0 KB; garbage kept
 * reachable past scavenges by dead old-generation objects (see the root README, "The
 * garbage collector") shows up here as kilobytes per request long before it shows in
 * CPU or RSS. Timing-free, so it is steady on a noisy machine.
 *
 *   npm run bench:gc [-- --seconds 6] [--connections 50] [--llmux-cli path/to/llmux.js] [--no-install] [--keep]
 *
 * Needs wrk (installed with apt-get when run as root, as for npm run bench).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { checkAnswer } from './lib/check.mjs';
import { installCleanup, stopAll } from './lib/children.mjs';
import { installMissingTools } from './lib/install-tools.mjs';
import { runWrk, wrkVersion } from './lib/load/wrk.mjs';
import { anthropicStream, openaiChat, openaiStream } from './lib/requests.mjs';
import { startFloor } from './lib/services/floor.mjs';
import { startLlmux } from './lib/services/llmux.mjs';
import { assertBuilt, useLlmuxCli } from './lib/services/paths.mjs';
import { startUpstream } from './lib/services/upstream.mjs';

const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '6' },
    connections: { type: 'string', default: '50' },
    'llmux-cli': { type: 'string' },
    'no-install': { type: 'boolean', default: false },
    keep: { type: 'boolean', default: false },
  },
});
const seconds = Number(values.seconds);
const connections = Number(values.connections);
if (!(seconds > 0 && connections > 0)) {
  console.error('usage: npm run bench:gc -- [--seconds N] [--connections C] [--llmux-cli path/to/llmux.js] [--keep]');
  process.exit(2);
}
const TRACE = ['--trace-gc-nvp'];
const log = (/** @type {string} */ line) => console.error(line);
if (!values['no-install']) installMissingTools(log);
if (!wrkVersion()) {
  console.error('wrk is not installed (apt-get install wrk)');
  process.exit(2);
}
installCleanup();
if (values['llmux-cli']) useLlmuxCli(resolve(values['llmux-cli']));
assertBuilt();
const dir = mkdtempSync(`${tmpdir()}/llmux-gc-`);

/**
 * V8's figures for the scavenges and full collections logged after `fromLine`.
 * @param {string} file the proxy's stdout, where --trace-gc-nvp writes
 * @param {number} fromLine
 */
function gcFigures(file, fromLine) {
  const lines = readFileSync(file, 'utf8').split('\n').slice(fromLine);
  let promoted = 0;
  let survived = 0;
  const pauses = [];
  let full = 0;
  for (const line of lines) {
    const fields = Object.fromEntries(
      line
        .split(/\s+/)
        .map((pair) => pair.split('='))
        .filter((kv) => kv.length === 2),
    );
    if (fields.gc === 's') {
      promoted += Number(fields.promoted ?? 0);
      survived += Number(fields.new_space_survived ?? 0);
      pauses.push(Number(fields.pause ?? 0));
    } else if (fields.gc === 'mc' || fields.gc === 'mmc') full++;
  }
  pauses.sort((a, b) => a - b);
  return { scavenges: pauses.length, promoted, survived, medianPause: pauses[Math.floor(pauses.length / 2)] ?? 0, full };
}

/** @param {string} file */
const lineCount = (file) => readFileSync(file, 'utf8').split('\n').length - 1;

const cases = [
  { name: 'non-streamed', spec: openaiChat(), chunks: 1 },
  { name: 'stream', spec: openaiStream(), chunks: 20 },
  { name: 'translated stream', spec: anthropicStream(), chunks: 20, llmuxOnly: true },
];

const rows = [];
try {
  for (const c of cases) {
    const upstream = await startUpstream(`upstream-${c.chunks}`, { chunks: c.chunks, firstByteDelayMs: 0, chunkDelayMs: 0 }, dir);
    const targets = c.llmuxOnly ? ['llmux'] : ['floor', 'llmux'];
    for (const kind of targets) {
      const label = `${kind}-${c.chunks}`;
      const service =
        kind === 'floor'
          ? await startFloor(upstream.url, dir, undefined, TRACE)
          : await startLlmux({ label, upstreamUrl: upstream.url, nodeArgs: TRACE }, dir);
      const stdout = kind === 'floor' ? `${dir}/floor.out` : `${dir}/${label}.out`;
      // A proxy answering errors fast would look like one that keeps nothing.
      await checkAnswer(service.url, c.spec);
      log(`[${c.name}] ${kind}: warm-up, then ${seconds} s of wrk -c${connections}`);
      await runWrk({ url: service.url, spec: c.spec, connections, seconds: 2, dir });
      const from = lineCount(stdout);
      const load = await runWrk({ url: service.url, spec: c.spec, connections, seconds, dir });
      const gc = gcFigures(stdout, from);
      await service.stop();
      if (load.errors > 0) throw new Error(`${kind} (${c.name}): ${load.firstError}`);
      rows.push({ case: c.name, proxy: kind, requests: load.requests, ...gc });
    }
    await upstream.stop();
  }
} finally {
  await stopAll();
  if (!values.keep) rmSync(dir, { recursive: true, force: true });
  else log(`logs kept in ${dir}`);
}

const header = ['case', 'proxy', 'requests', 'scavenges', 'promoted KB/req', 'survived MB/scavenge', 'median pause ms', 'full GCs'];
const table = rows.map((r) => [
  r.case,
  r.proxy,
  String(r.requests),
  String(r.scavenges),
  (r.promoted / 1024 / Math.max(1, r.requests)).toFixed(2),
  (r.survived / 1048576 / Math.max(1, r.scavenges)).toFixed(2),
  r.medianPause.toFixed(2),
  String(r.full),
]);
const widths = header.map((h, i) => Math.max(h.length, ...table.map((row) => (row[i] ?? '').length)));
const format = (/** @type {string[]} */ row) => row.map((cell, i) => (i < 2 ? cell.padEnd(widths[i] ?? 0) : cell.padStart(widths[i] ?? 0))).join('  ');
console.log(`young-generation survivors under wrk -c${connections}, ${seconds} s per case (node ${process.version})`);
console.log(format(header));
console.log(widths.map((w) => '-'.repeat(w)).join('  '));
for (const row of table) console.log(format(row));
