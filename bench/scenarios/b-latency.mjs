/**
 * (b) The same request with a 50 ms upstream and 50 connections: about 1,000 req/s,
 * a realistic load well below saturation, where what matters is the latency a proxy
 * adds at p50 and p99 over going direct.
 */
import { openaiChat } from '../lib/requests.mjs';

/** @returns {import('../lib/phase.mjs').PhaseDef[]} */
export function phases() {
  const chat = openaiChat();
  return [
    {
      id: 'b',
      title: '(b) non-streamed 1 KB chat, upstream delay 50 ms, 50 connections (~1,000 req/s)',
      upstream: { chunks: 4, firstByteDelayMs: 50, chunkDelayMs: 0 },
      load: { kind: 'http', connections: 50 },
      floor: true,
      nginx: true,
      llmux: [
        { label: 'llmux', accessLog: false },
        { label: 'llmux+log', accessLog: true },
      ],
      cases: [
        { label: 'direct', via: 'direct', request: chat },
        { label: 'floor', via: 'floor', request: chat },
        { label: 'nginx', via: 'nginx', request: chat },
        { label: 'llmux', via: 'llmux', request: chat },
        { label: 'llmux+log', via: 'llmux+log', request: chat },
      ],
    },
  ];
}
