/**
 * Anthropic Messages SSE → canonical stream events
 * (https://platform.claude.com/docs/en/build-with-claude/streaming): `message_start`,
 * then per block `content_block_start` / `content_block_delta` (`text_delta`,
 * `input_json_delta`, …) / `content_block_stop`, then `message_delta` (stop_reason, usage),
 * `message_stop`; `ping` anywhere; `error` ends the stream. Thinking, citation and
 * server-tool blocks have no canonical form: their events are skipped and the remaining
 * blocks renumbered.
 */
import { type JsonObject, type JsonValue, type StreamEvent, type Usage } from '../canonical.js';
import { type SseEvent, type StreamDecoder } from '../codec.js';
import { brokenStream, excerpt, malformedEvent } from '../shared/errors.js';
import { isObject } from '../shared/json.js';
import { errorFromBody } from './errors.js';
import { finishFromAnthropic } from './stop-reasons.js';
import { usageFromAnthropic } from './usage.js';

const UPSTREAM = 'Anthropic upstream';
const NONE: readonly StreamEvent[] = [];

export function createStreamDecoder(): StreamDecoder {
  let started = false;
  let stopped = false;
  let failed = false;
  let nextIndex = 0;
  let usage: Usage | undefined;
  /** Anthropic block index → canonical block index, for the blocks that have one. */
  const blocks = new Map<number, number>();

  const fail = (detail: string): readonly StreamEvent[] => {
    failed = true;
    return [{ type: 'error', error: malformedEvent(UPSTREAM, detail) }];
  };

  const handle = (body: JsonObject): readonly StreamEvent[] => {
    const type = body['type'];
    const upstreamIndex = typeof body['index'] === 'number' ? body['index'] : -1;
    switch (type) {
      case 'ping':
        return NONE;
      case 'message_start': {
        const message = body['message'];
        if (!isObject(message) || started) return fail('an unexpected message_start');
        started = true;
        usage = usageFromAnthropic(message['usage']);
        const id = typeof message['id'] === 'string' ? message['id'] : '';
        const model = typeof message['model'] === 'string' ? message['model'] : '';
        return [usage ? { type: 'start', id, model, usage } : { type: 'start', id, model }];
      }
      case 'content_block_start': {
        const block = body['content_block'];
        if (!isObject(block) || upstreamIndex < 0) return fail('a content_block_start without a block or index');
        if (block['type'] === 'text') {
          const index = nextIndex++;
          blocks.set(upstreamIndex, index);
          const text = block['text'];
          return typeof text === 'string' && text !== '' ? [{ type: 'text_delta', index, text }] : NONE;
        }
        if (block['type'] === 'tool_use') {
          if (typeof block['id'] !== 'string' || typeof block['name'] !== 'string') return fail('a tool_use block without id or name');
          const index = nextIndex++;
          blocks.set(upstreamIndex, index);
          return [{ type: 'tool_call_start', index, id: block['id'], name: block['name'] }];
        }
        return NONE;
      }
      case 'content_block_delta': {
        const index = blocks.get(upstreamIndex);
        const delta = body['delta'];
        if (index === undefined || !isObject(delta)) return NONE;
        if (delta['type'] === 'text_delta' && typeof delta['text'] === 'string') {
          return delta['text'] === '' ? NONE : [{ type: 'text_delta', index, text: delta['text'] }];
        }
        if (delta['type'] === 'input_json_delta' && typeof delta['partial_json'] === 'string') {
          return delta['partial_json'] === '' ? NONE : [{ type: 'tool_call_delta', index, argumentsDelta: delta['partial_json'] }];
        }
        return NONE;
      }
      case 'content_block_stop': {
        const index = blocks.get(upstreamIndex);
        return index === undefined ? NONE : [{ type: 'block_stop', index }];
      }
      case 'message_delta': {
        const delta = body['delta'];
        const out: StreamEvent[] = [];
        if (isObject(delta) && typeof delta['stop_reason'] === 'string') out.push({ type: 'finish', reason: finishFromAnthropic(delta['stop_reason']) });
        const next = usageFromAnthropic(body['usage'], usage);
        if (next) {
          usage = next;
          out.push({ type: 'usage', usage: next });
        }
        return out;
      }
      case 'message_stop':
        stopped = true;
        return [{ type: 'end' }];
      case 'error':
        failed = true;
        return [{ type: 'error', error: errorFromBody(errorStatus(body), body) }];
      default:
        // New event types are additive in Anthropic's versioning policy; skipping them is safe.
        return NONE;
    }
  };

  return {
    decode(event: SseEvent): readonly StreamEvent[] {
      if (failed || stopped) return NONE;
      if (event.data.trim() === '') return NONE;
      let body: JsonValue;
      try {
        body = JSON.parse(event.data) as JsonValue;
      } catch {
        return fail(`an event is not JSON: ${excerpt(event.data)}`);
      }
      if (!isObject(body)) return fail(`an event is not a JSON object: ${excerpt(event.data)}`);
      if (!started && body['type'] !== 'message_start' && body['type'] !== 'ping' && body['type'] !== 'error') {
        return fail(`the stream did not open with message_start (got ${String(body['type'])})`);
      }
      return handle(body);
    },
    end(): readonly StreamEvent[] {
      if (failed || stopped) return NONE;
      failed = true;
      return [{ type: 'error', error: brokenStream(UPSTREAM, 'the stream ended before message_stop') }];
    },
  };
}

/** Stream errors carry no HTTP status; the one their type implies keeps retry decisions right. */
function errorStatus(body: JsonObject): number {
  const err = body['error'];
  const type = isObject(err) ? err['type'] : undefined;
  switch (type) {
    case 'overloaded_error':
      return 529;
    case 'rate_limit_error':
      return 429;
    case 'invalid_request_error':
      return 400;
    default:
      return 500;
  }
}
