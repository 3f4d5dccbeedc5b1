/**
 * (c) Streamed answers, 20 content chunks 5 ms apart after 50 ms to the first: the
 * stream client records the time to the first `data:` line (what a chat UI shows as
 * "thinking"), the total, and how many events arrived per socket read — more than
 * direct's would mean the proxy held chunks back and sent them coalesced.
 */
import { openaiStream } from '../lib/requests.mjs';

/** @returns {import('../lib/phase.mjs').PhaseDef[]} */
export function phases() {
  const stream = openaiStream();
  return [
    {
      id: 'c',
      title: '(c) streamed, 20 chunks 5 ms apart, 50 ms to first chunk, 50 concurrent streams',
      upstream: { chunks: 20, firstByteDelayMs: 50, chunkDelayMs: 5 },
      load: { kind: 'streams', connections: 50 },
      floor: true,
      nginx: true,
      llmux: [{ label: 'llmux', accessLog: false }],
      cases: [
        { label: 'direct', via: 'direct', request: stream },
        { label: 'floor', via: 'floor', request: stream },
        { label: 'nginx', via: 'nginx', request: stream },
        { label: 'llmux', via: 'llmux', request: stream },
      ],
    },
  ];
}
