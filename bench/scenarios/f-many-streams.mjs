/**
 * (f) 1,000 concurrent long-lived streams through each proxy: resident memory with all
 * of them open, and per stream (over the proxy's idle RSS). Then, for llmux only, a
 * soak: the 1,000 streams keep cycling (each ends and is replaced) while wrk adds
 * non-streamed requests, and RSS is sampled every second — it must level off, not grow.
 */
import { mkdirSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { checkAnswer } from '../lib/check.mjs';
import { runStreams } from '../lib/load/streams.mjs';
import { runLoad } from '../lib/load/run-load.mjs';
import { cpuSnapshot, otherCpuShare } from '../lib/interference.mjs';
import { isAlive, memoryMbOf } from '../lib/procfs.mjs';
import { openaiChat, openaiStream } from '../lib/requests.mjs';
import { startFloor } from '../lib/services/floor.mjs';
import { startLlmux } from '../lib/services/llmux.mjs';
import { startNginx } from '../lib/services/nginx.mjs';
import { startUpstream } from '../lib/services/upstream.mjs';
import { median, slope } from '../lib/stats.mjs';

const STREAMS = 1000;

/**
 * @typedef {object} StreamsCase
 * @property {string} label
 * @property {number} idleRssMb RSS before the streams
 * @property {number} openRssMb highest RSS while all streams were open
 * @property {number} perStreamKb
 * @property {number} hwmMb peak RSS over the whole scenario
 * @property {import('../lib/load/result.mjs').LoadResult} streams
 * @property {Soak} [soak]
 * @property {number} otherCpuShare CPU other processes used meanwhile, share of the machine
 *
 * @typedef {object} Soak
 * @property {number} seconds
 * @property {[number, number][]} samples [seconds since start, RSS MB]
 * @property {number} startMb median RSS of the first third (after the settle time)
 * @property {number} endMb median RSS of the last third
 * @property {number} growthMb
 * @property {number} slopeMbPerMin over the samples after the settle time
 * @property {import('../lib/load/result.mjs').LoadResult} http the non-streamed load beside the streams
 *
 * @typedef {object} StreamsResult
 * @property {'f'} id
 * @property {string} title
 * @property {number} streams
 * @property {number} streamSeconds
 * @property {StreamsCase[]} cases
 * @property {string[]} notes
 */

/**
 * @param {import('../lib/context.mjs').BenchContext} ctx
 * @returns {Promise<StreamsResult>}
 */
export async function run(ctx) {
  const dir = `${ctx.dir}/f`;
  mkdirSync(dir, { recursive: true });
  const streamSeconds = ctx.quick ? 4 : 10;
  const holdSeconds = streamSeconds + 3;
  /** @type {string[]} */
  const notes = [];
  /** @type {import('../lib/services/service.mjs').Service[]} */
  const started = [];
  try {
    ctx.log('[f] starting mock upstream, proxies …');
    // One content chunk every 100 ms: a slow model writing to 1,000 readers at once.
    const upstream = await startUpstream('upstream-f', { chunks: streamSeconds * 10, firstByteDelayMs: 50, chunkDelayMs: 100 }, dir);
    started.push(upstream);
    /** @type {[string, import('../lib/services/service.mjs').Service][]} */
    const targets = [];
    const floor = await startFloor(upstream.url, dir);
    started.push(floor);
    targets.push(['floor', floor]);
    if (ctx.nginx) {
      const nginx = await startNginx(ctx.nginx, upstream.url, dir);
      started.push(nginx);
      targets.push(['nginx', nginx]);
    } else notes.push('nginx is not installed: skipped');
    const llmux = await startLlmux({ label: 'llmux', upstreamUrl: upstream.url, accessLog: false }, dir);
    started.push(llmux);
    targets.push(['llmux', llmux]);

    const stream = openaiStream();
    /** @type {StreamsCase[]} */
    const cases = [];
    for (const [label, service] of targets) {
      await checkAnswer(service.url, stream);
      const idleRssMb = memoryMbOf(service.pids()).rss;
      const soakSeconds = label === 'llmux' ? ctx.soakSeconds : 0;
      ctx.log(`[f] ${label}: ${STREAMS} streams for ${holdSeconds + soakSeconds} s${soakSeconds ? ` (soak ${soakSeconds} s)` : ''}`);
      let openRssMb = 0;
      const machine = cpuSnapshot();
      /** @type {Promise<void> | undefined} */
      let sampling;
      const streamsDone = runStreams({
        url: service.url,
        spec: stream,
        concurrency: STREAMS,
        seconds: holdSeconds + soakSeconds,
        rampMs: 2000,
        dir,
        onAllOpen: () => {
          sampling = (async () => {
            // Every stream is open for several seconds from here; take the highest reading.
            for (let i = 0; i < 8; i += 1) {
              await sleep(250);
              openRssMb = Math.max(openRssMb, memoryMbOf(service.pids()).rss);
            }
          })();
        },
      });
      const soak = soakSeconds > 0 ? await soakWhile(ctx, service, soakSeconds, holdSeconds, dir) : undefined;
      const streams = await streamsDone;
      await sampling;
      const otherCpu = otherCpuShare(machine, cpuSnapshot());
      if (!service.pids().every(isAlive)) {
        notes.push(`${label} exited during the scenario (see its .err file with --keep); its figures are void`);
        openRssMb = 0;
      }
      if (openRssMb === 0) notes.push(`${label}: ${STREAMS} streams were never open at once (${streams.errors} errors: ${streams.firstError ?? ''})`);
      cases.push({
        label,
        idleRssMb,
        openRssMb,
        perStreamKb: ((openRssMb - idleRssMb) * 1024) / STREAMS,
        hwmMb: memoryMbOf(service.pids()).hwm,
        streams,
        ...(soak ? { soak } : {}),
        otherCpuShare: otherCpu,
      });
      ctx.log(
        `[f] ${label}: idle ${idleRssMb.toFixed(1)} MB, ${STREAMS} open ${openRssMb.toFixed(1)} MB` +
          ` (${(((openRssMb - idleRssMb) * 1024) / STREAMS).toFixed(1)} KB/stream), ttfb p50 ${streams.ttfbP50?.toFixed(1)} ms, errors ${streams.errors}` +
          (soak ? `; soak ${soak.startMb.toFixed(1)} → ${soak.endMb.toFixed(1)} MB (${soak.slopeMbPerMin.toFixed(2)} MB/min)` : ''),
      );
    }
    return { id: 'f', title: `(f) ${STREAMS} concurrent streams (${streamSeconds} s each, a chunk every 100 ms), then a ${ctx.soakSeconds} s soak`, streams: STREAMS, streamSeconds, cases, notes };
  } finally {
    ctx.log('[f] stopping');
    for (const service of started.reverse()) await service.stop();
  }
}

/**
 * Samples RSS every second for `seconds` after the streams ramped up, with wrk sending
 * non-streamed requests at the same time so the soak sees many thousands of requests.
 * @param {import('../lib/context.mjs').BenchContext} ctx
 * @param {import('../lib/services/service.mjs').Service} service
 * @param {number} seconds
 * @param {number} settleSeconds
 * @param {string} dir
 * @returns {Promise<Soak>}
 */
async function soakWhile(ctx, service, seconds, settleSeconds, dir) {
  await sleep(settleSeconds * 1000);
  const http = runLoad({ ...ctx, dir }, { kind: 'http', connections: 20 }, service.url, openaiChat(), seconds);
  /** @type {[number, number][]} */
  const samples = [];
  const start = Date.now();
  while (Date.now() - start < seconds * 1000) {
    samples.push([(Date.now() - start) / 1000, memoryMbOf(service.pids()).rss]);
    await sleep(1000);
  }
  const third = Math.max(1, Math.floor(samples.length / 3));
  const startMb = median(samples.slice(0, third).map((s) => s[1]));
  const endMb = median(samples.slice(-third).map((s) => s[1]));
  return {
    seconds,
    samples,
    startMb,
    endMb,
    growthMb: endMb - startMb,
    slopeMbPerMin: slope(samples.map((s) => s[0]), samples.map((s) => s[1])) * 60,
    http: await http,
  };
}
