/**
 * (a) Non-streamed ~1 KB chat request, upstream answers at once, wrk -c50: every
 * target runs flat out, so requests/s and CPU per request show what each proxy costs.
 * --profile runs this load once more against a profiled llmux (lib/profile/run-profile.mjs).
 */
import { openaiChat } from '../lib/requests.mjs';

/** @returns {import('../lib/phase.mjs').PhaseDef[]} */
export function phases() {
  const chat = openaiChat();
  return [
    {
      id: 'a',
      title: '(a) non-streamed 1 KB chat, upstream delay 0, 50 connections (saturation)',
      upstream: { chunks: 4, firstByteDelayMs: 0, chunkDelayMs: 0 },
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
