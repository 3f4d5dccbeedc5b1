/**
 * (b) The same request with a 50 ms upstream and 50 connections: about 1,000 req/s,
 * a realistic load well below saturation, where what matters is the latency a proxy
 * adds at p50 and p99 over going direct.
 */
import { chatPhase } from './chat-phase.mjs';

/** @returns {import('../lib/phase.mjs').PhaseDef[]} */
export function phases() {
  return [chatPhase({ id: 'b', title: '(b) non-streamed 1 KB chat, upstream delay 50 ms, 50 connections (~1,000 req/s)', firstByteDelayMs: 50 })];
}
