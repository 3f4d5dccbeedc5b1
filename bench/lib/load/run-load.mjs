/** Picks the generator for a load description: wrk/autocannon for whole answers, the stream client for TTFB. */
import { runAutocannon } from './autocannon.mjs';
import { runStreams } from './streams.mjs';
import { runWrk } from './wrk.mjs';

/**
 * @typedef {object} LoadDef
 * @property {'http' | 'streams'} kind `http`: wrk (or autocannon) measuring whole answers; `streams`: the stream client
 * @property {number} connections concurrent connections (streams)
 */

/**
 * @param {import('../context.mjs').BenchContext} ctx
 * @param {LoadDef} load
 * @param {string} url
 * @param {import('../requests.mjs').RequestSpec} spec
 * @param {number} seconds
 * @returns {Promise<import('./result.mjs').LoadResult>}
 */
export function runLoad(ctx, load, url, spec, seconds) {
  if (load.kind === 'streams') return runStreams({ url, spec, concurrency: load.connections, seconds, dir: ctx.dir });
  const options = { url, spec, connections: load.connections, seconds, dir: ctx.dir };
  return ctx.loadTool === 'wrk' ? runWrk(options) : runAutocannon(options);
}
