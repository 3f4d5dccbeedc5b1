/** Starts the mock upstream (the project's simulator) as its own process, on the proxies' CPU. */
import { startChild, stopChild } from '../children.mjs';
import { waitForUrl } from '../net.mjs';
import { benchDir } from './paths.mjs';

/**
 * @typedef {object} UpstreamOptions
 * @property {number} chunks content deltas per streamed answer
 * @property {number} firstByteDelayMs
 * @property {number} chunkDelayMs
 * @property {string} [text] reply text (needs at least `chunks` characters)
 * @property {number} [cpu] CPU to pin it to. default 0, beside the proxy
 */

/**
 * @param {string} name
 * @param {UpstreamOptions} options
 * @param {string} dir where its output goes
 * @returns {Promise<import('./service.mjs').Service>}
 */
export async function startUpstream(name, options, dir) {
  const text = options.text ?? defaultText(options.chunks);
  const child = startChild({
    name,
    command: process.execPath,
    args: [
      `${benchDir}servers/upstream.mjs`,
      '--format', 'openai',
      '--port', '0',
      '--name', name,
      '--text', text,
      '--chunks', String(options.chunks),
      '--first-byte-delay-ms', String(options.firstByteDelayMs),
      '--chunk-delay-ms', String(options.chunkDelayMs),
    ],
    cpu: options.cpu ?? 0,
    stdoutFile: `${dir}/${name}.out`,
    stderrFile: `${dir}/${name}.err`,
  });
  const url = await waitForUrl(child).catch(async (error) => {
    await stopChild(child);
    throw error;
  });
  return { name, url, pids: () => [child.pid], stop: () => stopChild(child) };
}

/** A reply long enough to be cut into `chunks` deltas of a few words each. */
function defaultText(chunks) {
  const words = 'The quick brown fox jumps over the lazy dog and keeps running far away. ';
  return words.repeat(Math.max(1, Math.ceil((chunks * 6) / words.length))).trim();
}
