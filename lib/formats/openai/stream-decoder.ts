/**
 * OpenAI `chat.completion.chunk` SSE events → canonical stream events.
 * Sequence (https://platform.openai.com/docs/api-reference/chat-streaming): a first chunk
 * with `delta.role`, `delta.content` pieces, `delta.tool_calls[i]` (id, name and empty
 * arguments first, then argument pieces by `index`), a chunk with `finish_reason`, with
 * `stream_options.include_usage` a last chunk with empty `choices` and `usage`, then
 * `data: [DONE]`. A mid-stream failure is a `data: {"error": {...}}` event.
 */
import { type JsonObject, type JsonValue, type StreamEvent } from '../canonical.js';
import { type SseEvent, type StreamDecoder } from '../codec.js';
import { brokenStream, excerpt, malformedEvent } from '../shared/errors.js';
import { isObject } from '../shared/json.js';
import { errorFromBody } from './errors.js';
import { finishFromOpenAI } from './stop-reasons.js';
import { usageFromOpenAI } from './usage.js';

const UPSTREAM = 'OpenAI upstream';
const NONE: readonly StreamEvent[] = [];

export function createStreamDecoder(): StreamDecoder {
  let started = false;
  let finished = false;
  let done = false;
  let failed = false;
  let nextIndex = 0;
  /** The block deltas currently go to; OpenAI never reopens an earlier one. */
  let open: { readonly index: number; readonly kind: 'text' | 'tool' } | undefined;
  /** OpenAI's per-message tool-call index → canonical block index. */
  const toolBlocks = new Map<number, number>();

  const fail = (out: StreamEvent[], event: StreamEvent): readonly StreamEvent[] => {
    failed = true;
    out.push(event);
    return out;
  };

  const closeOpen = (out: StreamEvent[]): void => {
    if (open) out.push({ type: 'block_stop', index: open.index });
    open = undefined;
  };

  const textDelta = (out: StreamEvent[], text: string): void => {
    if (open?.kind !== 'text') {
      closeOpen(out);
      open = { index: nextIndex++, kind: 'text' };
    }
    out.push({ type: 'text_delta', index: open.index, text });
  };

  const toolDelta = (out: StreamEvent[], call: JsonObject): string | undefined => {
    const position = typeof call['index'] === 'number' ? call['index'] : 0;
    const fn = isObject(call['function']) ? call['function'] : {};
    let index = toolBlocks.get(position);
    if (index === undefined) {
      if (typeof call['id'] !== 'string' || typeof fn['name'] !== 'string') return 'a tool call started without id or name';
      closeOpen(out);
      index = nextIndex++;
      toolBlocks.set(position, index);
      open = { index, kind: 'tool' };
      out.push({ type: 'tool_call_start', index, id: call['id'], name: fn['name'] });
    }
    const args = fn['arguments'];
    if (typeof args === 'string' && args !== '') out.push({ type: 'tool_call_delta', index, argumentsDelta: args });
    return undefined;
  };

  const chunk = (body: JsonObject, out: StreamEvent[]): readonly StreamEvent[] => {
    if (!started) {
      started = true;
      out.push({ type: 'start', id: typeof body['id'] === 'string' ? body['id'] : '', model: typeof body['model'] === 'string' ? body['model'] : '' });
    }
    const choices: JsonValue | undefined = body['choices'];
    const choice = Array.isArray(choices) ? choices.find((c) => isObject(c) && (c['index'] ?? 0) === 0) : undefined;
    if (isObject(choice)) {
      const delta = choice['delta'];
      if (isObject(delta)) {
        if (typeof delta['content'] === 'string' && delta['content'] !== '') textDelta(out, delta['content']);
        if (typeof delta['refusal'] === 'string' && delta['refusal'] !== '') textDelta(out, delta['refusal']);
        const calls = delta['tool_calls'];
        if (Array.isArray(calls)) {
          for (const call of calls) {
            const problem = isObject(call) ? toolDelta(out, call) : 'a tool call delta is not an object';
            if (problem) return fail(out, { type: 'error', error: malformedEvent(UPSTREAM, problem) });
          }
        }
      }
      const reason = choice['finish_reason'];
      if (typeof reason === 'string' && !finished) {
        finished = true;
        closeOpen(out);
        out.push({ type: 'finish', reason: finishFromOpenAI(reason) });
      }
    }
    const usage = usageFromOpenAI(body['usage']);
    if (usage) out.push({ type: 'usage', usage });
    return out;
  };

  return {
    decode(event: SseEvent): readonly StreamEvent[] {
      if (failed || done) return NONE;
      const data = event.data.trim();
      if (data === '[DONE]') {
        done = true;
        if (!finished) return fail([], { type: 'error', error: brokenStream(UPSTREAM, 'it sent [DONE] without a finish_reason') });
        return [{ type: 'end' }];
      }
      if (data === '') return NONE;
      let body: JsonValue;
      try {
        body = JSON.parse(data) as JsonValue;
      } catch {
        return fail([], { type: 'error', error: malformedEvent(UPSTREAM, `an event is not JSON: ${excerpt(data)}`) });
      }
      if (!isObject(body)) return fail([], { type: 'error', error: malformedEvent(UPSTREAM, `an event is not a JSON object: ${excerpt(data)}`) });
      if (body['error'] !== undefined && body['error'] !== null) return fail([], { type: 'error', error: errorFromBody(500, body) });
      return chunk(body, []);
    },
    end(): readonly StreamEvent[] {
      if (failed || done) return NONE;
      done = true;
      // Some OpenAI-compatible servers omit [DONE]; a finished message is still complete.
      if (finished) return [{ type: 'end' }];
      return [{ type: 'error', error: brokenStream(UPSTREAM, 'the stream ended before a finish_reason') }];
    },
  };
}
