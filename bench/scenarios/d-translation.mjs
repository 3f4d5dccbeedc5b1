/**
 * (d) Streaming at saturation (upstream sends its 20-chunk stream at once, wrk -c50),
 * once as pass-through (OpenAI client, OpenAI upstream) and once translated (an
 * Anthropic Messages client in front of the same OpenAI upstream: request encoded,
 * every SSE event re-encoded). The target compares the two llmux rows.
 */
import { anthropicStream, openaiStream } from '../lib/requests.mjs';

/** @returns {import('../lib/phase.mjs').PhaseDef[]} */
export function phases() {
  const stream = openaiStream();
  return [
    {
      id: 'd',
      title: '(d) streamed at saturation, 20 chunks, delay 0, 50 connections: pass-through vs Anthropic client ⇄ OpenAI upstream',
      upstream: { chunks: 20, firstByteDelayMs: 0, chunkDelayMs: 0 },
      load: { kind: 'http', connections: 50 },
      floor: true,
      nginx: true,
      llmux: [{ label: 'llmux', accessLog: false }],
      cases: [
        { label: 'direct', via: 'direct', request: stream },
        { label: 'floor', via: 'floor', request: stream },
        { label: 'nginx', via: 'nginx', request: stream },
        { label: 'llmux', via: 'llmux', request: stream },
        { label: 'llmux anth→oai', via: 'llmux', request: anthropicStream() },
      ],
    },
  ];
}
