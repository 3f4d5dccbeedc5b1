/**
 * llmux's load benchmark (issue 10): npm run bench [-- --quick] [-- --scenario a,c] [-- --profile]
 * See bench/README.md for what each scenario measures and how to read the table.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { installCleanup, stopAll } from './lib/children.mjs';
import { cpuSnapshot, otherCpuShare } from './lib/interference.mjs';
import { installMissingTools } from './lib/install-tools.mjs';
import { autocannonCli } from './lib/load/autocannon.mjs';
import { wrkVersion } from './lib/load/wrk.mjs';
import { describeMachine } from './lib/machine.mjs';
import { runPhase } from './lib/phase.mjs';
import { profileLlmux } from './lib/profile/run-profile.mjs';
import { formatProfile } from './lib/profile/summarise.mjs';
import { phaseTable } from './lib/report/phase-table.mjs';
import { streamsTable } from './lib/report/streams-table.mjs';
import { checkTargets, targetsTable } from './lib/report/targets.mjs';
import { findNginx } from './lib/services/nginx.mjs';
import { assertBuilt, benchDir, compareWith, useLlmuxCli, useLlmuxNodeFlags } from './lib/services/paths.mjs';
import { scenarios } from './scenarios/index.mjs';

const USAGE = `usage: npm run bench -- [--quick] [--scenario a,b,c,d,e,f] [--profile]
  [--repeats N] [--seconds N] [--warmup N] [--soak N] [--quiet-wait S] [--load wrk|autocannon]
  [--llmux-cli path/to/llmux.js] [--llmux-node-args "--flag ..."]
  [--compare-cli path/to/llmux.js] [--compare-node-args "--flag ..."] [--no-install] [--keep]`;

const { values } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    scenario: { type: 'string', default: 'a,b,c,d,e,f' },
    profile: { type: 'boolean', default: false },
    repeats: { type: 'string' },
    seconds: { type: 'string' },
    warmup: { type: 'string' },
    soak: { type: 'string' },
    'quiet-wait': { type: 'string' },
    'llmux-cli': { type: 'string' },
    'llmux-node-args': { type: 'string' },
    'compare-cli': { type: 'string' },
    'compare-node-args': { type: 'string' },
    load: { type: 'string' },
    'no-install': { type: 'boolean', default: false },
    keep: { type: 'boolean', default: false },
    help: { type: 'boolean', default: false },
  },
});
if (values.help) {
  console.log(USAGE);
  process.exit(0);
}
const selected = values.scenario.split(',').map((s) => s.trim().toLowerCase()).filter(Boolean);
for (const id of selected) {
  if (!(id in scenarios)) {
    console.error(`unknown scenario ${id}\n${USAGE}`);
    process.exit(2);
  }
}
const num = (/** @type {string | undefined} */ raw, /** @type {number} */ fallback) => {
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n) || n < 0) {
    console.error(`not a number: ${raw}\n${USAGE}`);
    process.exit(2);
  }
  return n;
};

const log = (/** @type {string} */ line) => console.error(line);
installCleanup();
if (values['llmux-cli']) useLlmuxCli(resolve(values['llmux-cli']));
if (values['llmux-node-args']) useLlmuxNodeFlags(values['llmux-node-args']);
if (values['compare-cli'] || values['compare-node-args'] !== undefined) {
  compareWith({ cli: values['compare-cli'] ? resolve(values['compare-cli']) : undefined, nodeArgs: values['compare-node-args'] });
}
assertBuilt();
if (!values['no-install']) installMissingTools(log);

const loadTool = values.load === 'autocannon' || (values.load === undefined && !wrkVersion()) ? 'autocannon' : 'wrk';
if (loadTool === 'wrk' && !wrkVersion()) throw new Error('--load wrk: wrk is not installed');
if (loadTool === 'autocannon' && !autocannonCli()) throw new Error('no load generator: install wrk (apt-get install wrk) or run npm install (autocannon)');

const stamp = new Date().toISOString().replace(/[:.]/g, '-');
const resultsDir = `${benchDir}results`;
const profileDir = values.profile ? `${resultsDir}/profiles/${stamp}` : undefined;
mkdirSync(resultsDir, { recursive: true });
if (profileDir) mkdirSync(profileDir, { recursive: true });
const dir = mkdtempSync(`${tmpdir()}/llmux-bench-`);
// Also on Ctrl-C and crashes: configs, logs and access logs of a run can be large.
process.on('exit', () => {
  if (!values.keep) rmSync(dir, { recursive: true, force: true });
});

/** @type {import('./lib/context.mjs').BenchContext} */
const ctx = {
  dir,
  quick: values.quick,
  repeats: num(values.repeats, values.quick ? 1 : 3),
  measureSeconds: num(values.seconds, values.quick ? 2 : 8),
  warmupSeconds: num(values.warmup, values.quick ? 1 : 3),
  soakSeconds: num(values.soak, values.quick ? 10 : 60),
  quietWaitSeconds: num(values['quiet-wait'], 0),
  nginx: findNginx(),
  loadTool,
  profileDir,
  log,
};
const machine = describeMachine({ nginx: ctx.nginx, loadTool });
log(`llmux bench: scenarios ${selected.join(',')}, ${ctx.repeats} × ${ctx.measureSeconds} s per case, ${loadTool}; ${machine.nproc} CPUs (${machine.cpuModel}), node ${machine.node}`);
log(`pinning: ${machine.pinned}; work dir ${dir}`);
{
  const before = cpuSnapshot();
  await sleep(1000);
  const share = otherCpuShare(before, cpuSnapshot());
  if (share > 0.05) {
    log(`warning: other processes are using ${(share * 100).toFixed(0)}% of this machine; the figures will be noisy` + (ctx.quietWaitSeconds ? '' : ' (--quiet-wait 30 waits for quiet before each run)'));
  }
}

/** @type {import('./lib/phase.mjs').PhaseResult[]} */
const phases = [];
/** @type {import('./scenarios/f-many-streams.mjs').StreamsResult | undefined} */
let streams;
/** @type {string[]} */
const failures = [];
const began = Date.now();
for (const id of selected) {
  const scenario = scenarios[id];
  try {
    if (scenario.kind === 'phases') for (const phase of scenario.phases()) phases.push(await runPhase(ctx, phase));
    else streams = await scenario.run(ctx);
  } catch (error) {
    const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
    failures.push(`(${id}) failed: ${message}`);
    log(`scenario ${id} failed:\n${message}`);
  }
}
await stopAll();

/** @type {import('./lib/profile/summarise.mjs').ProfileSummary[]} */
const profiles = [];
if (profileDir) {
  try {
    const { summary, rps } = await profileLlmux(ctx, profileDir);
    log(`[profile] ${rps.toFixed(0)} req/s under the profiler`);
    profiles.push(summary);
  } catch (error) {
    const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
    failures.push(`(profile) failed: ${message}`);
    log(`profile failed:\n${message}`);
  }
}
await stopAll();

const targets = checkTargets(phases, streams);
const minutes = ((Date.now() - began) / 60_000).toFixed(1);
const out = [
  '',
  `llmux bench ${stamp} (${minutes} min) — ${machine.nproc} × ${machine.cpuModel}, ${machine.memoryGb} GB, Linux ${machine.kernel}, node ${machine.node}`,
  `${machine.pinned}; load: ${machine.loadTool}; nginx: ${machine.nginx}; commit ${machine.commit}${machine.dirty ? ' (+ uncommitted changes)' : ''}`,
  `medians of ${ctx.repeats} run(s) of ${ctx.measureSeconds} s per case; CPU ms/req and CPU % are the proxy process's (for direct: none)`,
  '',
  ...phases.flatMap((p) => [phaseTable(p), '']),
  ...(streams ? [streamsTable(streams), ''] : []),
  ...(targets.length ? ['Targets of issue 10:', targetsTable(targets), ''] : []),
  ...profiles.flatMap((p) => [formatProfile(p), '']),
  ...failures.map((f) => `FAILED ${f}`),
].join('\n');
console.log(out);

const file = `${resultsDir}/${stamp}${ctx.quick ? '-quick' : ''}.json`;
writeFileSync(
  file,
  `${JSON.stringify({ stamp, minutes: Number(minutes), machine, options: { ...values, repeats: ctx.repeats, measureSeconds: ctx.measureSeconds, warmupSeconds: ctx.warmupSeconds, soakSeconds: ctx.soakSeconds }, phases, streams, targets, profiles, failures }, null, 2)}\n`,
);
console.log(`results: ${file}`);
if (values.keep) console.log(`work dir kept: ${dir}`);
process.exit(failures.length > 0 ? 1 : 0);
