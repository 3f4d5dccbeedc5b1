/** Runs bench/servers/stream-client.mjs as the load process for streaming scenarios. */
import { writeFileSync } from 'node:fs';
import { startChild } from '../children.mjs';
import { benchDir } from '../services/paths.mjs';

let specs = 0;

/**
 * @param {object} options
 * @param {string} options.url
 * @param {import('../requests.mjs').RequestSpec} options.spec
 * @param {number} options.concurrency
 * @param {number} options.seconds
 * @param {string} options.dir
 * @param {number} [options.rampMs] spread the first requests over this long
 * @param {() => void} [options.onAllOpen] called once `concurrency` streams are open at the same time
 * @returns {Promise<import('./result.mjs').LoadResult>}
 */
export async function runStreams(options) {
  const file = `${options.dir}/streams-${(specs += 1)}.json`;
  writeFileSync(
    file,
    JSON.stringify({
      url: options.url,
      path: options.spec.path,
      headers: options.spec.headers,
      body: options.spec.body,
      concurrency: options.concurrency,
      durationMs: options.seconds * 1000,
      rampMs: options.rampMs ?? 0,
      announceOpen: options.onAllOpen !== undefined,
    }),
  );
  const child = startChild({
    name: 'stream-client',
    command: process.execPath,
    args: [`${benchDir}servers/stream-client.mjs`, file],
    cpu: 1,
    pipeStdout: true,
    stderrFile: `${options.dir}/stream-client.err`,
  });
  /** @type {Record<string, unknown> | undefined} */
  let summary;
  let pending = '';
  child.process.stdout?.setEncoding('utf8');
  child.process.stdout?.on('data', (chunk) => {
    pending += chunk;
    let newline;
    while ((newline = pending.indexOf('\n')) >= 0) {
      const line = pending.slice(0, newline);
      pending = pending.slice(newline + 1);
      const message = JSON.parse(line);
      if (message.event === 'all-open') options.onAllOpen?.();
      else summary = message;
    }
  });
  const code = await child.exited;
  if (!summary) throw new Error(`stream client exited ${code} without results (see ${options.dir}/stream-client.err)`);
  return /** @type {import('./result.mjs').LoadResult} */ (/** @type {unknown} */ (summary));
}
