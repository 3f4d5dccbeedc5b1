/**
 * Starts the floor reference (bench/servers/floor-proxy.mjs) in front of an upstream, or
 * the buffered floor (bench/servers/buffered-floor-proxy.mjs): the same, reading and
 * parsing both bodies as any gateway that routes on the model must.
 */
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
  return startReference('floor', 'floor-proxy.mjs', upstreamUrl, dir, wrap, nodeArgs);
}

/**
 * @param {string} upstreamUrl
 * @param {string} dir
 * @returns {Promise<import('./service.mjs').Service>}
 */
export async function startBufferedFloor(upstreamUrl, dir) {
  return startReference('floor+body', 'buffered-floor-proxy.mjs', upstreamUrl, dir, undefined, []);
}

/**
 * @param {string} name
 * @param {string} script under bench/servers/
 * @param {string} upstreamUrl
 * @param {string} dir
 * @param {import('./service.mjs').Wrapper | undefined} wrap
 * @param {string[]} nodeArgs
 * @returns {Promise<import('./service.mjs').Service>}
 */
async function startReference(name, script, upstreamUrl, dir, wrap, nodeArgs) {
  const node = [process.execPath, ...(wrap?.nodeArgs ?? []), ...nodeArgs, `${benchDir}servers/${script}`, upstreamUrl];
  const child = startChild({
    name,
    command: wrap ? wrap.command : process.execPath,
    args: wrap ? [...wrap.args(name), ...node] : node.slice(1),
    cpu: 0,
    stdoutFile: `${dir}/${name}.out`,
    stderrFile: `${dir}/${name}.err`,
  });
  const url = await waitForUrl(child, wrap?.startMs).catch(async (error) => {
    await stopChild(child);
    throw error;
  });
  return { name, url, pids: () => [child.pid], stop: () => stopChild(child, wrap ? 120_000 : 5000) };
}
