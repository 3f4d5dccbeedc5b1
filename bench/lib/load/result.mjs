/**
 * What one load run reports, whichever generator ran it. Times in ms.
 *
 * @typedef {object} LoadResult
 * @property {number} requests completed requests (streams)
 * @property {number} errors failed requests: connect/read/timeout errors and non-2xx answers
 * @property {number} rps completed requests per second
 * @property {number} p50 latency of the whole answer (a stream: until its last byte)
 * @property {number} p99
 * @property {number} [ttfbP50] streams: time to the first `data:` line
 * @property {number} [ttfbP99]
 * @property {number} [eventsPerStream] streams: SSE events received per stream
 * @property {number} [eventsPerRead] streams: events per socket read that carried any (1.0 = none coalesced)
 * @property {string} [firstError]
 */
export {};
