/**
 * One phase of a scenario: its own mock upstream, the proxies it compares, and the
 * cases (a target × a request) it measures. Every case is checked once, warmed up,
 * then measured `repeats` times, in an order that rotates each round so no target
 * always runs first (cold) or last (after the mock's GC has built up).
 *
 * @typedef {object} LlmuxInstance
 * @property {string} label
 * @property {number} [targets]
 * @property {string} [strategy]
 * @property {boolean} [accessLog]
 * @property {boolean} [redis] use the Redis state backend
 * @property {string} [cli] another llmux build (the comparison)
 * @property {string[]} [nodeArgs] node flags instead of --llmux-node-args (the comparison)
 *
 * @typedef {object} CaseDef
 * @property {string} label
 * @property {string} via `direct`, `floor`, `floor+body`, `nginx` or an llmux label
 * @property {import('./requests.mjs').RequestSpec} request
 *
 * @typedef {object} PhaseDef
 * @property {string} id
 * @property {string} title
 * @property {import('./services/upstream.mjs').UpstreamOptions} upstream
 * @property {import('./load/run-load.mjs').LoadDef} load
 * @property {boolean} [floor]
 * @property {boolean} [bufferedFloor] also the buffered floor (`floor+body`)
 * @property {boolean} [nginx]
 * @property {LlmuxInstance[]} llmux
 * @property {CaseDef[]} cases
 *
 * @typedef {object} CaseResult
 * @property {string} label
 * @property {string} via
 * @property {string} request
 * @property {Record<string, number | string>[]} runs
 * @property {Record<string, number>} median
 * @property {{ rss: number, hwm: number } | undefined} memoryMb of the proxy at the end of the phase
 *
 * @typedef {object} PhaseResult
 * @property {string} id
 * @property {string} title
 * @property {import('./services/upstream.mjs').UpstreamOptions} upstream
 * @property {import('./load/run-load.mjs').LoadDef} load
 * @property {CaseResult[]} cases
 * @property {string[]} notes
 */
import { mkdirSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { checkAnswer } from './check.mjs';
import { runLoad } from './load/run-load.mjs';
import { cpuSnapshot, otherCpuShare, waitForQuiet } from './interference.mjs';
import { cpuMsOf, isAlive, memoryMbOf } from './procfs.mjs';
import { startBufferedFloor, startFloor } from './services/floor.mjs';
import { startLlmux } from './services/llmux.mjs';
import { comparisonLlmux } from './services/paths.mjs';
import { startNginx } from './services/nginx.mjs';
import { hasRedis, startRedis } from './services/redis.mjs';
import { startUpstream } from './services/upstream.mjs';
import { medianOfRuns } from './stats.mjs';

/**
 * @param {import('./context.mjs').BenchContext} ctx
 * @param {PhaseDef} definition (with --compare-cli, its llmux cases get twins)
 * @returns {Promise<PhaseResult>}
 */
export async function runPhase(ctx, definition) {
  const phase = withComparison(definition);
  const dir = `${ctx.dir}/${phase.id}`;
  mkdirSync(dir, { recursive: true });
  /** @type {string[]} */
  const notes = [];
  /** @type {import('./services/service.mjs').Service[]} */
  const started = [];
  /** @type {Map<string, import('./services/service.mjs').Service>} */
  const services = new Map();
  try {
    ctx.log(`[${phase.id}] starting mock upstream, proxies …`);
    const upstream = await startUpstream(`upstream-${phase.id}`, phase.upstream, dir);
    started.push(upstream);
    services.set('direct', upstream);
    if (phase.floor) {
      const floor = await startFloor(upstream.url, dir);
      started.push(floor);
      services.set('floor', floor);
    }
    if (phase.bufferedFloor) {
      const buffered = await startBufferedFloor(upstream.url, dir);
      started.push(buffered);
      services.set('floor+body', buffered);
    }
    if (phase.nginx) {
      if (ctx.nginx) {
        const nginx = await startNginx(ctx.nginx, upstream.url, dir);
        started.push(nginx);
        services.set('nginx', nginx);
      } else notes.push('nginx is not installed: its cases were skipped');
    }
    let redisUrl;
    if (phase.llmux.some((l) => l.redis)) {
      if (hasRedis()) {
        const redis = await startRedis(dir);
        started.push(redis);
        services.set('redis', redis);
        redisUrl = redis.url;
      } else notes.push('redis-server is not installed: the Redis cases were skipped');
    }
    for (const instance of phase.llmux) {
      if (instance.redis && !redisUrl) continue;
      try {
        const llmux = await startLlmux(
          {
            label: instance.label,
            upstreamUrl: upstream.url,
            targets: instance.targets,
            strategy: instance.strategy,
            accessLog: instance.accessLog,
            redisUrl: instance.redis ? redisUrl : undefined,
            cli: instance.cli,
            baseNodeArgs: instance.nodeArgs,
          },
          dir,
        );
        started.push(llmux);
        services.set(instance.label, llmux);
      } catch (error) {
        // Most likely a config this llmux build does not accept yet (e.g. state.backend: redis).
        const message = error instanceof Error ? error.message : String(error);
        notes.push(`${instance.label} did not start, its cases were skipped: ${message.split('\n').slice(0, 6).join(' | ')}`);
        ctx.log(`[${phase.id}] ${instance.label} did not start:\n${message}`);
      }
    }

    const cases = phase.cases.filter((c) => services.has(c.via));
    for (const c of cases) {
      const service = /** @type {import('./services/service.mjs').Service} */ (services.get(c.via));
      await checkAnswer(service.url, c.request);
    }

    if (ctx.warmupSeconds > 0) {
      for (const c of cases) {
        ctx.log(`[${phase.id}] warm-up ${c.label}`);
        const service = /** @type {import('./services/service.mjs').Service} */ (services.get(c.via));
        await runLoad(ctx, phase.load, service.url, c.request, ctx.warmupSeconds);
      }
    }

    /** @type {Map<string, Record<string, number | string>[]>} */
    const runs = new Map(cases.map((c) => [c.label, []]));
    for (let round = 0; round < ctx.repeats; round += 1) {
      const order = cases.map((_, i) => cases[(i + round) % cases.length]);
      for (const c of order) {
        const run = await measure(ctx, phase, c, services);
        runs.get(c.label)?.push(run);
        ctx.log(
          `[${phase.id}] round ${round + 1}/${ctx.repeats} ${c.label.padEnd(16)} ${run.rps.toFixed(0).padStart(6)} req/s  p50 ${run.p50.toFixed(2)} ms  p99 ${run.p99.toFixed(2)} ms` +
            (typeof run.ttfbP50 === 'number' ? `  ttfb ${run.ttfbP50.toFixed(2)} ms` : '') +
            (Number.isFinite(run.proxyCpuMsPerReq) ? `  cpu ${run.proxyCpuMsPerReq.toFixed(3)} ms/req` : '') +
            (run.otherCpuShare > 0.05 ? `  (other processes used ${(run.otherCpuShare * 100).toFixed(0)}% of the machine)` : '') +
            (run.errors ? `  ERRORS ${run.errors} (${run.firstError})` : ''),
        );
      }
    }

    for (const [name, service] of services) {
      if (!service.pids().every(isAlive)) notes.push(`${name} exited during the phase (see its .err file with --keep): its later runs failed`);
    }

    return {
      id: phase.id,
      title: phase.title,
      upstream: phase.upstream,
      load: phase.load,
      notes,
      cases: cases.map((c) => {
        const caseRuns = runs.get(c.label) ?? [];
        const service = services.get(c.via);
        return {
          label: c.label,
          via: c.via,
          request: c.request.name,
          runs: caseRuns,
          median: medianOfRuns(caseRuns),
          memoryMb: c.via === 'direct' || !service ? undefined : memoryMbOf(service.pids()),
        };
      }),
    };
  } finally {
    ctx.log(`[${phase.id}] stopping`);
    for (const service of started.reverse()) await service.stop();
  }
}

/**
 * With --compare-cli or --compare-node-args, every llmux instance of the phase gets a
 * twin (`llmux` → `llmux-B`, `llmux+log` → `llmux-B+log`) that runs the same cases in
 * the same rounds.
 * @param {PhaseDef} phase
 * @returns {PhaseDef}
 */
function withComparison(phase) {
  const b = comparisonLlmux();
  if (!b) return phase;
  const twinOf = (/** @type {string} */ label) => label.replace(/^llmux/, 'llmux-B');
  const twins = phase.llmux.map((l) => ({ ...l, label: twinOf(l.label), cli: b.cli, nodeArgs: b.nodeArgs }));
  const labels = new Set(phase.llmux.map((l) => l.label));
  const twinCases = phase.cases.filter((c) => labels.has(c.via)).map((c) => ({ ...c, label: twinOf(c.label), via: twinOf(c.via) }));
  return { ...phase, llmux: [...phase.llmux, ...twins], cases: [...phase.cases, ...twinCases] };
}

/**
 * One measured run of a case, with the CPU the proxy (and the mock, and Redis)
 * burned during it.
 * @param {import('./context.mjs').BenchContext} ctx
 * @param {PhaseDef} phase
 * @param {CaseDef} c
 * @param {Map<string, import('./services/service.mjs').Service>} services
 */
async function measure(ctx, phase, c, services) {
  const service = /** @type {import('./services/service.mjs').Service} */ (services.get(c.via));
  const proxyPids = c.via === 'direct' ? [] : service.pids();
  const upstreamPids = services.get('direct')?.pids() ?? [];
  const redisPids = services.get('redis')?.pids() ?? [];
  if (ctx.quietWaitSeconds > 0 && !(await waitForQuiet(ctx.quietWaitSeconds))) {
    ctx.log(`[${phase.id}] the machine did not get quiet within ${ctx.quietWaitSeconds} s; measuring ${c.label} anyway`);
  }
  const machine = cpuSnapshot();
  const before = { proxy: cpuMsOf(proxyPids), upstream: cpuMsOf(upstreamPids), redis: cpuMsOf(redisPids), t: performance.now() };
  const result = await runLoad(ctx, phase.load, service.url, c.request, ctx.measureSeconds);
  const otherCpu = otherCpuShare(machine, cpuSnapshot());
  const wallMs = performance.now() - before.t;
  const proxyCpu = cpuMsOf(proxyPids) - before.proxy;
  const upstreamCpu = cpuMsOf(upstreamPids) - before.upstream;
  const redisCpu = cpuMsOf(redisPids) - before.redis;
  const n = Math.max(1, result.requests);
  return {
    ...result,
    proxyCpuMsPerReq: c.via === 'direct' ? NaN : proxyCpu / n,
    // Share of one core the proxy used: 1.0 means its CPU was the bottleneck.
    proxyCpuShare: c.via === 'direct' ? NaN : proxyCpu / wallMs,
    upstreamCpuMsPerReq: upstreamCpu / n,
    ...(redisPids.length > 0 && c.via !== 'direct' ? { redisCpuMsPerReq: redisCpu / n } : {}),
    // CPU used by processes that are not the bench's, as a share of the whole machine.
    otherCpuShare: otherCpu,
  };
}
