/**
 * Anthropic `stop_reason` ⇄ canonical finish reasons. `pause_turn` (a server tool paused
 * the turn) ends the message as far as a client of another format can tell; a refusal
 * is what other formats call a content filter.
 */
import { type FinishReason } from '../canonical.js';

export function finishFromAnthropic(reason: string | null | undefined): FinishReason {
  switch (reason) {
    case 'max_tokens':
    case 'model_context_window_exceeded':
      return 'length';
    case 'stop_sequence':
      return 'stop_sequence';
    case 'tool_use':
      return 'tool_calls';
    case 'refusal':
      return 'content_filter';
    default:
      return 'stop';
  }
}

export function finishToAnthropic(reason: FinishReason): string {
  switch (reason) {
    case 'length':
      return 'max_tokens';
    case 'stop_sequence':
      return 'stop_sequence';
    case 'tool_calls':
      return 'tool_use';
    case 'content_filter':
      return 'refusal';
    default:
      return 'end_turn';
  }
}
