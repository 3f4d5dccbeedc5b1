/**
 * Canonical stream events → Gemini `alt=sse` chunks, each a GenerateContentResponse.
 * Text goes out as it comes. Gemini sends a function call whole, so a call's argument
 * deltas are gathered until its block stops; consecutive calls share one chunk, as
 * Gemini sends parallel calls. The last chunk carries finishReason and usageMetadata, and
 * always has a non-empty part: `@google/genai` keeps a streamed turn in chat history only
 * if every chunk has content, and retries a stream that closes without a finishReason.
 */
import { type FinishReason, type StreamEvent, type Usage } from '../canonical.js';
import { type EncodeResponseOptions, type StreamEncoder } from '../codec.js';
import { malformedEvent } from '../shared/errors.js';
import { randomToken } from '../shared/ids.js';
import { parseObject } from '../shared/json.js';
import { encodeStreamError } from './errors.js';
import { finishToGemini } from './stop-reasons.js';
import { usageToGemini } from './usage.js';

interface PendingCall {
  readonly index: number;
  readonly id: string;
  readonly name: string;
  args: string;
}

export function createStreamEncoder(options: EncodeResponseOptions): StreamEncoder {
  let suffix = '';
  let closed = false;
  let reason: FinishReason | undefined;
  let usage: Usage | undefined;
  let pending: PendingCall | undefined;
  /** Finished calls (JSON parts) waiting for the chunk they go out in. */
  let held: string[] = [];

  const start = (id: string): void => {
    suffix = `"modelVersion":${JSON.stringify(options.model)},"responseId":${JSON.stringify(id || randomToken())}}\r\n\r\n`;
  };

  const chunk = (partsJson: string, finishJson = '', usageJson = ''): string =>
    `data: {"candidates":[{"content":{"parts":[${partsJson}],"role":"model"}${finishJson},"index":0}],${usageJson}${suffix}`;

  const flushHeld = (): string => {
    if (held.length === 0) return '';
    const out = chunk(held.join(','));
    held = [];
    return out;
  };

  /** Moves the call being gathered into `held`; an error text when its arguments are not an object. */
  const completeCall = (): string | undefined => {
    if (!pending) return undefined;
    const call = pending;
    pending = undefined;
    const args = call.args.trim() === '' ? {} : parseObject(call.args);
    if (!args) return encodeStreamError(malformedEvent('upstream', `the arguments of tool call ${call.id} are not a JSON object`));
    held.push(JSON.stringify({ functionCall: { id: call.id, name: call.name, args } }));
    return undefined;
  };

  const fail = (text: string): string => {
    closed = true;
    return text;
  };

  const encode = (event: StreamEvent): string => {
    if (closed) return '';
    if (suffix === '' && event.type !== 'error') start(event.type === 'start' ? event.id : '');
    switch (event.type) {
      case 'start':
        if (event.usage) usage = event.usage;
        return '';
      case 'text_delta': {
        const error = completeCall();
        if (error) return fail(error);
        return flushHeld() + chunk(`{"text":${JSON.stringify(event.text)}}`);
      }
      case 'tool_call_start': {
        const error = completeCall();
        if (error) return fail(error);
        pending = { index: event.index, id: event.id, name: event.name, args: '' };
        return '';
      }
      case 'tool_call_delta':
        if (pending?.index === event.index) pending.args += event.argumentsDelta;
        return '';
      case 'block_stop': {
        if (pending?.index !== event.index) return '';
        const error = completeCall();
        return error ? fail(error) : '';
      }
      case 'finish':
        reason = event.reason;
        return '';
      case 'usage':
        usage = event.usage;
        return '';
      case 'error':
        return fail(encodeStreamError(event.error));
      case 'end': {
        const error = completeCall();
        if (error) return fail(error);
        closed = true;
        const parts = held.length > 0 ? held.join(',') : '{"text":""}';
        held = [];
        const usageJson = usage ? `"usageMetadata":${JSON.stringify(usageToGemini(usage))},` : '';
        return chunk(parts, `,"finishReason":"${finishToGemini(reason ?? 'stop')}"`, usageJson);
      }
    }
  };

  return { encode };
}
