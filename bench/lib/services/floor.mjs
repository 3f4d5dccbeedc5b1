/** Starts the floor reference (bench/servers/floor-proxy.mjs) in front of an upstream. */
import { startChild, stopChild } from '../children.mjs';
import { waitForUrl } from '../net.mjs';
import { benchDir } from './paths.mjs';

/**
 * @param {string} upstreamUrl
 * @param {string} dir
 * @returns {Promise<import('./service.mjs').Service>}
 */
export async function startFloor(upstreamUrl, dir) {
  const child = startChild({
    name: 'floor',
    command: process.execPath,
    args: [`${benchDir}servers/floor-proxy.mjs`, upstreamUrl],
    cpu: 0,
    stdoutFile: `${dir}/floor.out`,
    stderrFile: `${dir}/floor.err`,
  });
  const url = await waitForUrl(child).catch(async (error) => {
    await stopChild(child);
    throw error;
  });
  return { name: 'floor', url, pids: () => [child.pid], stop: () => stopChild(child) };
}
