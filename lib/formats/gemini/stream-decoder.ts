/**
 * Gemini `streamGenerateContent?alt=sse` → canonical stream events. Each `data:` event is
 * a whole GenerateContentResponse: text parts are deltas; a functionCall part carries
 * the complete call, so it becomes tool_call_start + one tool_call_delta + block_stop;
 * `finishReason` arrives on the last candidate chunk; `usageMetadata` is a running total.
 * Gemini has no end-of-stream marker: the stream is complete once a finishReason came.
 */
import { type JsonObject, type JsonValue, type StreamEvent } from '../canonical.js';
import { type SseEvent, type StreamDecoder } from '../codec.js';
import { brokenStream, excerpt, malformedEvent } from '../shared/errors.js';
import { randomToken, syntheticCallId } from '../shared/ids.js';
import { isObject } from '../shared/json.js';
import { errorFromBody } from './errors.js';
import { field } from './fields.js';
import { candidateParts, firstCandidate, isBlocked } from './response.js';
import { finishFromGemini } from './stop-reasons.js';
import { usageFromGemini } from './usage.js';

const UPSTREAM = 'Gemini upstream';
const NONE: readonly StreamEvent[] = [];

export function createStreamDecoder(): StreamDecoder {
  let responseId = '';
  let started = false;
  let finished = false;
  let failed = false;
  let ended = false;
  let nextIndex = 0;
  let calls = 0;
  let openText: number | undefined;
  let lastUsage = '';

  const closeText = (out: StreamEvent[]): void => {
    if (openText !== undefined) out.push({ type: 'block_stop', index: openText });
    openText = undefined;
  };

  const parts = (list: readonly JsonValue[], out: StreamEvent[]): void => {
    for (const part of list) {
      if (!isObject(part) || part['thought'] === true) continue;
      const text = part['text'];
      const call = part['functionCall'];
      if (typeof text === 'string') {
        if (text === '') continue;
        if (openText === undefined) openText = nextIndex++;
        out.push({ type: 'text_delta', index: openText, text });
      } else if (isObject(call) && typeof call['name'] === 'string') {
        closeText(out);
        const index = nextIndex++;
        const id = typeof call['id'] === 'string' && call['id'] ? call['id'] : syntheticCallId(responseId, calls);
        calls++;
        out.push({ type: 'tool_call_start', index, id, name: call['name'] });
        out.push({ type: 'tool_call_delta', index, argumentsDelta: JSON.stringify(call['args'] ?? {}) });
        out.push({ type: 'block_stop', index });
      }
    }
  };

  const chunk = (body: JsonObject): readonly StreamEvent[] => {
    const out: StreamEvent[] = [];
    const usage = usageFromGemini(field(body, 'usageMetadata'));
    if (!started) {
      started = true;
      responseId = typeof body['responseId'] === 'string' && body['responseId'] ? body['responseId'] : randomToken();
      const model = typeof body['modelVersion'] === 'string' ? body['modelVersion'] : '';
      out.push(usage ? { type: 'start', id: responseId, model, usage } : { type: 'start', id: responseId, model });
    }
    const candidate = firstCandidate(body);
    parts(candidateParts(candidate) ?? [], out);
    const reason = candidate?.['finishReason'];
    if (!finished && (typeof reason === 'string' || (!candidate && isBlocked(body)))) {
      finished = true;
      closeText(out);
      out.push({ type: 'finish', reason: typeof reason === 'string' ? finishFromGemini(reason, calls > 0) : 'content_filter' });
    }
    if (usage) {
      const key = `${usage.inputTokens}/${usage.outputTokens}/${usage.cachedInputTokens ?? 0}`;
      if (key !== lastUsage) {
        lastUsage = key;
        out.push({ type: 'usage', usage });
      }
    }
    return out;
  };

  return {
    decode(event: SseEvent): readonly StreamEvent[] {
      if (failed || ended) return NONE;
      if (event.data.trim() === '') return NONE;
      let body: JsonValue;
      try {
        body = JSON.parse(event.data) as JsonValue;
      } catch {
        failed = true;
        return [{ type: 'error', error: malformedEvent(UPSTREAM, `an event is not JSON: ${excerpt(event.data)}`) }];
      }
      if (!isObject(body)) {
        failed = true;
        return [{ type: 'error', error: malformedEvent(UPSTREAM, `an event is not a JSON object: ${excerpt(event.data)}`) }];
      }
      const err = body['error'];
      if (isObject(err)) {
        failed = true;
        const code = err['code'];
        return [{ type: 'error', error: errorFromBody(typeof code === 'number' ? code : 500, body) }];
      }
      return chunk(body);
    },
    end(): readonly StreamEvent[] {
      if (failed || ended) return NONE;
      ended = true;
      if (finished) return [{ type: 'end' }];
      failed = true;
      return [{ type: 'error', error: brokenStream(UPSTREAM, 'the stream ended without a finishReason') }];
    },
  };
}
