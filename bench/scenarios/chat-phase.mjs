/**
 * The phase (a) and (b) share: the non-streamed ~1 KB chat request through direct, the
 * floor, nginx and llmux (with and without its access log), 50 connections; only the
 * upstream's delay (and so the load) differs. (a) also runs the buffered floor, which
 * reads and parses both bodies: how much of llmux's cost is looking inside them.
 */
import { openaiChat } from '../lib/requests.mjs';

/**
 * @param {{ id: string, title: string, firstByteDelayMs: number, bufferedFloor?: boolean }} options
 * @returns {import('../lib/phase.mjs').PhaseDef}
 */
export function chatPhase({ id, title, firstByteDelayMs, bufferedFloor = false }) {
  const chat = openaiChat();
  return {
    id,
    title,
    upstream: { chunks: 4, firstByteDelayMs, chunkDelayMs: 0 },
    load: { kind: 'http', connections: 50 },
    floor: true,
    bufferedFloor,
    nginx: true,
    llmux: [
      { label: 'llmux', accessLog: false },
      { label: 'llmux+log', accessLog: true },
    ],
    cases: ['direct', 'floor', ...(bufferedFloor ? ['floor+body'] : []), 'nginx', 'llmux', 'llmux+log'].map((via) => ({ label: via, via, request: chat })),
  };
}
