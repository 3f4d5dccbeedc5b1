/**
 * A private redis-server for scenario (e): a free port (never 6379), no persistence,
 * in a temp dir. It is pinned beside the load generator, not the proxy: in a real
 * deployment Redis is another machine, and its CPU is not the sidecar's.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { startChild, stopChild } from '../children.mjs';
import { freePort, waitForPort } from '../net.mjs';

/** @returns {boolean} */
export function hasRedis() {
  try {
    execFileSync('redis-server', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/**
 * @param {string} dir
 * @returns {Promise<import('./service.mjs').Service>}
 */
export async function startRedis(dir) {
  const home = `${dir}/redis`;
  mkdirSync(home, { recursive: true });
  let port = await freePort();
  if (port === 6379) port = await freePort();
  const child = startChild({
    name: 'redis',
    command: 'redis-server',
    args: ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', home, '--daemonize', 'no'],
    cpu: 1,
    stdoutFile: `${dir}/redis.out`,
    stderrFile: `${dir}/redis.err`,
  });
  await waitForPort(port, child).catch(async (error) => {
    await stopChild(child);
    throw error;
  });
  return { name: 'redis', url: `redis://127.0.0.1:${port}`, pids: () => [child.pid], stop: () => stopChild(child) };
}
