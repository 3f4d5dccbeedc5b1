/** Starts the floor reference (bench/servers/floor-proxy.mjs) in front of an upstream. */
import { startChild, stopChild } from '../children.mjs';
import { waitForUrl } from '../net.mjs';
import { benchDir } from './paths.mjs';

/**
 * @param {string} upstreamUrl
 * @param {string} dir
 * @param {import('./service.mjs').Wrapper} [wrap] run node under another program (valgrind)
 * @param {string[]} [nodeArgs] more flags for node (bench/gc.mjs: `--trace-gc-nvp`)
 * @returns {Promise<import('./service.mjs').Service>}
 */
export async function startFloor(upstreamUrl, dir, wrap, nodeArgs = []) {
  const node = [process.execPath, ...(wrap?.nodeArgs ?? []), ...nodeArgs, `${benchDir}servers/floor-proxy.mjs`, upstreamUrl];
  const child = startChild({
    name: 'floor',
    command: wrap ? wrap.command : process.execPath,
    args: wrap ? [...wrap.args('floor'), ...node] : node.slice(1),
    cpu: 0,
    stdoutFile: `${dir}/floor.out`,
    stderrFile: `${dir}/floor.err`,
  });
  const url = await waitForUrl(child, wrap?.startMs).catch(async (error) => {
    await stopChild(child);
    throw error;
  });
  return { name: 'floor', url, pids: () => [child.pid], stop: () => stopChild(child, wrap ? 120_000 : 5000) };
}
