/**
 * Canonical stream events → Anthropic Messages SSE, in Anthropic's own order:
 * `message_start`, per block `content_block_start` (+ one `ping` after the first) /
 * `content_block_delta` / `content_block_stop`, then `message_delta` with stop_reason and
 * the final usage, then `message_stop`. Block indexes are renumbered from 0 because
 * `@anthropic-ai/sdk` accumulates by position. Finish and usage may arrive in either
 * order (OpenAI sends usage after the finish chunk), so both wait for the end.
 */
import { type FinishReason, type StreamEvent, type Usage } from '../canonical.js';
import { type EncodeResponseOptions, type StreamEncoder } from '../codec.js';
import { randomToken } from '../shared/ids.js';
import { encodeStreamError } from './errors.js';
import { finishToAnthropic } from './stop-reasons.js';
import { usageToAnthropic } from './usage.js';

export function createStreamEncoder(options: EncodeResponseOptions): StreamEncoder {
  let started = false;
  let closed = false;
  let pinged = false;
  let reason: FinishReason | undefined;
  let usage: Usage | undefined;
  let nextIndex = 0;
  /** The client block open right now, as [canonical index, client index]. */
  let open: [number, number] | undefined;
  const indexes = new Map<number, number>();

  const start = (id: string, model: string): string => {
    started = true;
    const message = {
      id: id || `msg_${randomToken()}`,
      type: 'message',
      role: 'assistant',
      model: options.model || model,
      content: [],
      stop_reason: null,
      stop_sequence: null,
      usage: { ...usageToAnthropic(usage), output_tokens: usage?.outputTokens ?? 0 },
    };
    return `event: message_start\ndata: {"type":"message_start","message":${JSON.stringify(message)}}\n\n`;
  };

  const stopOpen = (): string => {
    if (!open) return '';
    const out = `event: content_block_stop\ndata: {"type":"content_block_stop","index":${open[1]}}\n\n`;
    open = undefined;
    return out;
  };

  const openBlock = (canonical: number, blockJson: string): string => {
    const index = nextIndex++;
    indexes.set(canonical, index);
    let out = `${stopOpen()}event: content_block_start\ndata: {"type":"content_block_start","index":${index},"content_block":${blockJson}}\n\n`;
    open = [canonical, index];
    if (!pinged) {
      pinged = true;
      out += 'event: ping\ndata: {"type": "ping"}\n\n';
    }
    return out;
  };

  const delta = (index: number, deltaJson: string): string =>
    `event: content_block_delta\ndata: {"type":"content_block_delta","index":${index},"delta":${deltaJson}}\n\n`;

  const encode = (event: StreamEvent): string => {
    if (closed) return '';
    if (event.type === 'error') {
      closed = true;
      return encodeStreamError(event.error);
    }
    if (event.type === 'start') {
      if (event.usage) usage = event.usage;
      return started ? '' : start(event.id, event.model);
    }
    let out = started ? '' : start('', '');
    switch (event.type) {
      case 'text_delta': {
        let index = indexes.get(event.index);
        if (index === undefined) {
          out += openBlock(event.index, '{"type":"text","text":""}');
          index = nextIndex - 1;
        }
        return out + delta(index, `{"type":"text_delta","text":${JSON.stringify(event.text)}}`);
      }
      case 'tool_call_start':
        return out + openBlock(event.index, `{"type":"tool_use","id":${JSON.stringify(event.id)},"name":${JSON.stringify(event.name)},"input":{}}`);
      case 'tool_call_delta': {
        const index = indexes.get(event.index);
        if (index === undefined) return out;
        return out + delta(index, `{"type":"input_json_delta","partial_json":${JSON.stringify(event.argumentsDelta)}}`);
      }
      case 'block_stop':
        return open?.[0] === event.index ? out + stopOpen() : out;
      case 'finish':
        reason = event.reason;
        return out;
      case 'usage':
        usage = event.usage;
        return out;
      case 'end': {
        closed = true;
        const stop = { stop_reason: finishToAnthropic(reason ?? 'stop'), stop_sequence: null };
        out += stopOpen();
        out += `event: message_delta\ndata: {"type":"message_delta","delta":${JSON.stringify(stop)},"usage":${JSON.stringify(usageToAnthropic(usage))}}\n\n`;
        return `${out}event: message_stop\ndata: {"type":"message_stop"}\n\n`;
      }
    }
  };

  return { encode };
}
