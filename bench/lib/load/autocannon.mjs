/**
 * The fallback load generator when wrk is not installed: autocannon (a devDependency),
 * run through its CLI as a separate process with JSON output. It is slower than wrk
 * per request, so on a 2-core box it may cap the floor's throughput; the results say
 * which generator ran.
 */
import { createRequire } from 'node:module';
import { writeFileSync } from 'node:fs';
import { startChild } from '../children.mjs';

const require = createRequire(import.meta.url);

/** @returns {string | undefined} path of autocannon's CLI, when installed */
export function autocannonCli() {
  try {
    return require.resolve('autocannon/autocannon.js');
  } catch {
    return undefined;
  }
}

/**
 * @param {object} options
 * @param {string} options.url
 * @param {import('../requests.mjs').RequestSpec} options.spec
 * @param {number} options.connections
 * @param {number} options.seconds
 * @param {string} options.dir
 * @returns {Promise<import('./result.mjs').LoadResult>}
 */
export async function runAutocannon(options) {
  const cli = autocannonCli();
  if (!cli) throw new Error('neither wrk nor autocannon is installed (apt-get install wrk, or npm install)');
  const bodyFile = `${options.dir}/autocannon-${options.spec.name}.json`;
  writeFileSync(bodyFile, options.spec.body);
  const headers = Object.entries(options.spec.headers).flatMap(([k, v]) => ['-H', `${k}=${v}`]);
  const child = startChild({
    name: 'autocannon',
    command: process.execPath,
    args: [cli, '-j', '-c', String(options.connections), '-d', String(options.seconds), '-m', 'POST', '-i', bodyFile, ...headers, new URL(options.spec.path, options.url).href],
    cpu: 1,
    pipeStdout: true,
  });
  let out = '';
  child.process.stdout?.setEncoding('utf8');
  child.process.stdout?.on('data', (chunk) => (out += chunk));
  const code = await child.exited;
  const line = out.split('\n').find((l) => l.startsWith('{'));
  if (!line) throw new Error(`autocannon exited ${code} without results`);
  const r = JSON.parse(line);
  const ok = r['2xx'] ?? r.requests.total - r.non2xx;
  const errors = r.non2xx + r.errors + r.timeouts;
  return {
    requests: ok,
    errors,
    rps: ok / r.duration,
    p50: r.latency.p50,
    p99: r.latency.p99,
    ...(errors > 0 ? { firstError: `autocannon: non-2xx ${r.non2xx}, errors ${r.errors}, timeouts ${r.timeouts}` } : {}),
  };
}
