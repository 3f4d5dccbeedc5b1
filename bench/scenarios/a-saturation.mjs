/**
 * (a) Non-streamed ~1 KB chat request, upstream answers at once, wrk -c50: every
 * target runs flat out, so requests/s and CPU per request show what each proxy costs.
 * --profile runs this load once more against a profiled llmux (lib/profile/run-profile.mjs).
 */
import { chatPhase } from './chat-phase.mjs';

/** @returns {import('../lib/phase.mjs').PhaseDef[]} */
export function phases() {
  return [chatPhase({ id: 'a', title: '(a) non-streamed 1 KB chat, upstream delay 0, 50 connections (saturation)', firstByteDelayMs: 0, bufferedFloor: true })];
}
