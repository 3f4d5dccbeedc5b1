/**
 * (e) The Redis state backend against the memory backend, on a route of three targets
 * (three providers, one mock) balanced by least_connections — the strategy that reads
 * and writes shared counts on every request. Once at the load of (b) for latency, once
 * at saturation for throughput.
 */
import { openaiChat } from '../lib/requests.mjs';

/** @returns {import('../lib/phase.mjs').PhaseDef[]} */
export function phases() {
  const chat = openaiChat();
  const llmux = [
    { label: 'llmux-mem', targets: 3, strategy: 'least_connections', accessLog: false },
    { label: 'llmux-redis', targets: 3, strategy: 'least_connections', accessLog: false, redis: true },
  ];
  return [
    {
      id: 'e-latency',
      title: '(e) least_connections over 3 targets, memory vs Redis state, upstream delay 50 ms, 50 connections',
      upstream: { chunks: 4, firstByteDelayMs: 50, chunkDelayMs: 0 },
      load: { kind: 'http', connections: 50 },
      llmux,
      cases: [
        { label: 'direct', via: 'direct', request: chat },
        { label: 'llmux-mem', via: 'llmux-mem', request: chat },
        { label: 'llmux-redis', via: 'llmux-redis', request: chat },
      ],
    },
    {
      id: 'e-saturation',
      title: '(e) least_connections over 3 targets, memory vs Redis state, upstream delay 0, 50 connections (saturation)',
      upstream: { chunks: 4, firstByteDelayMs: 0, chunkDelayMs: 0 },
      load: { kind: 'http', connections: 50 },
      llmux,
      cases: [
        { label: 'llmux-mem', via: 'llmux-mem', request: chat },
        { label: 'llmux-redis', via: 'llmux-redis', request: chat },
      ],
    },
  ];
}
