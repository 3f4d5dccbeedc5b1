/**
 * Canonical stream events → OpenAI `chat.completion.chunk` SSE, in the order OpenAI
 * sends them, so `openai`'s ChatCompletionStream rebuilds the message: role chunk,
 * content / tool-call chunks, finish chunk, usage chunk (only with
 * `stream_options.include_usage`, when every chunk also carries `"usage": null`), [DONE].
 * Hot-path chunks are built as strings around a per-stream prefix.
 */
import { type StreamEvent, type Usage } from '../canonical.js';
import { type EncodeResponseOptions, type StreamEncoder } from '../codec.js';
import { randomToken } from '../shared/ids.js';
import { encodeStreamError } from './errors.js';
import { finishToOpenAI } from './stop-reasons.js';
import { usageToOpenAI } from './usage.js';

export function createStreamEncoder(options: EncodeResponseOptions & { readonly includeUsage: boolean }): StreamEncoder {
  const model = JSON.stringify(options.model);
  const created = Math.floor(Date.now() / 1000);
  const usageNull = options.includeUsage ? ',"usage":null' : '';
  let prefix = '';
  let started = false;
  let finished = false;
  let closed = false;
  let usage: Usage | undefined;
  /** Canonical block index → OpenAI tool-call index (0, 1, … in order of appearance). */
  const tools = new Map<number, number>();

  const frame = (choiceJson: string): string => `data: ${prefix}"choices":[${choiceJson}]${usageNull}}\n\n`;
  const deltaFrame = (deltaJson: string): string => frame(`{"index":0,"delta":${deltaJson},"logprobs":null,"finish_reason":null}`);

  const start = (id: string): string => {
    started = true;
    prefix = `{"id":${JSON.stringify(id || `chatcmpl-${randomToken()}`)},"object":"chat.completion.chunk","created":${created},"model":${model},`;
    return deltaFrame('{"role":"assistant","content":"","refusal":null}');
  };

  const finish = (reason: Parameters<typeof finishToOpenAI>[0]): string => {
    finished = true;
    return frame(`{"index":0,"delta":{},"logprobs":null,"finish_reason":"${finishToOpenAI(reason)}"}`);
  };

  const encode = (event: StreamEvent): string => {
    if (closed) return '';
    const head = started || event.type === 'start' || event.type === 'error' ? '' : start('');
    switch (event.type) {
      case 'start':
        if (event.usage) usage = event.usage;
        return started ? '' : start(event.id);
      case 'text_delta':
        return head + deltaFrame(`{"content":${JSON.stringify(event.text)}}`);
      case 'tool_call_start': {
        const index = tools.size;
        tools.set(event.index, index);
        const call = `{"index":${index},"id":${JSON.stringify(event.id)},"type":"function","function":{"name":${JSON.stringify(event.name)},"arguments":""}}`;
        return head + deltaFrame(`{"tool_calls":[${call}]}`);
      }
      case 'tool_call_delta': {
        const index = tools.get(event.index);
        if (index === undefined) return head;
        return head + deltaFrame(`{"tool_calls":[{"index":${index},"function":{"arguments":${JSON.stringify(event.argumentsDelta)}}}]}`);
      }
      case 'block_stop':
        return head;
      case 'finish':
        return finished ? head : head + finish(event.reason);
      case 'usage':
        usage = event.usage;
        return head;
      case 'error':
        closed = true;
        return encodeStreamError(event.error);
      case 'end': {
        closed = true;
        let out = head + (finished ? '' : finish('stop'));
        if (options.includeUsage && usage) out += `data: ${prefix}"choices":[],"usage":${JSON.stringify(usageToOpenAI(usage))}}\n\n`;
        return `${out}data: [DONE]\n\n`;
      }
    }
  };

  return { encode };
}
