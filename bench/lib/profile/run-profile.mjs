/**
 * --profile: scenario (a)'s load once more, against an llmux started under
 * `node --cpu-prof`. Here the mock runs on the load generator's CPU, not beside llmux:
 * V8's profiler samples wall time, so on a shared CPU every moment llmux sat preempted
 * while the mock ran would be booked to whatever llmux was doing then (mostly the
 * `writev` that woke the mock). Alone on its CPU, llmux's profile is its own work.
 */
import { mkdirSync, readdirSync } from 'node:fs';
import { checkAnswer } from '../check.mjs';
import { runLoad } from '../load/run-load.mjs';
import { openaiChat } from '../requests.mjs';
import { startLlmux } from '../services/llmux.mjs';
import { startUpstream } from '../services/upstream.mjs';
import { summariseProfile } from './summarise.mjs';

/**
 * @param {import('../context.mjs').BenchContext} ctx
 * @param {string} profileDir
 * @returns {Promise<{ summary: import("./summarise.mjs").ProfileSummary, rps: number }>}
 */
export async function profileLlmux(ctx, profileDir) {
  const dir = `${ctx.dir}/profile`;
  mkdirSync(dir, { recursive: true });
  const chat = openaiChat();
  const load = /** @type {const} */ ({ kind: 'http', connections: 50 });
  const upstream = await startUpstream('upstream-profile', { chunks: 4, firstByteDelayMs: 0, chunkDelayMs: 0, cpu: 1 }, dir);
  try {
    const llmux = await startLlmux({ label: 'llmux', upstreamUrl: upstream.url, profileDir }, dir);
    let result;
    try {
      await checkAnswer(llmux.url, chat);
      ctx.log('[profile] warm-up');
      await runLoad(ctx, load, llmux.url, chat, Math.max(ctx.warmupSeconds, 2));
      const seconds = ctx.quick ? 5 : 20;
      ctx.log(`[profile] ${seconds} s of scenario (a) load against llmux under --cpu-prof`);
      result = await runLoad(ctx, load, llmux.url, chat, seconds);
    } finally {
      ctx.log('[profile] stopping llmux; it writes the profile on exit');
      await llmux.stop();
    }
    const file = readdirSync(profileDir).find((f) => f.endsWith('.cpuprofile'));
    if (!file) throw new Error(`no .cpuprofile in ${profileDir}: llmux did not exit cleanly`);
    return { summary: summariseProfile(`${profileDir}/${file}`), rps: result.rps };
  } finally {
    await upstream.stop();
  }
}
