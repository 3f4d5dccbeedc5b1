/**
 * OpenAI Chat Completions answers, rendered from a reply plan: the `chat.completion`
 * object, and the `chat.completion.chunk` stream (role delta, content or tool-call
 * argument deltas, a chunk carrying `finish_reason`, a usage chunk with empty `choices`
 * only when `stream_options.include_usage` was set, then `data: [DONE]`). The Azure
 * variant adds Azure's content-filter annotations, including the stream's first chunk
 * with empty `choices` that trips up naive clients.
 */
import { type Reply } from './delivery.js';
import { type PlannedUsage, type ReplyPlan } from './reply-script.js';
import { dataEvent, JSON_HEADERS, SSE_HEADERS } from './sse-writer.js';

/** Everything needed to render one chat answer. */
export interface ChatAnswer {
  readonly plan: ReplyPlan;
  readonly model: string;
  /** `chatcmpl-…` */
  readonly id: string;
  /** Unix seconds. */
  readonly created: number;
  readonly includeUsage: boolean;
  readonly azure: boolean;
  readonly headers: Readonly<Record<string, string>>;
}

const FINGERPRINT = 'fp_simulator';
const SAFE = { filtered: false, severity: 'safe' } as const;
const CONTENT_FILTER_RESULTS = { hate: SAFE, self_harm: SAFE, sexual: SAFE, violence: SAFE };
const PROMPT_FILTER_RESULTS = [{ prompt_index: 0, content_filter_results: CONTENT_FILTER_RESULTS }];
const AZURE_FIRST_CHUNK = dataEvent(
  JSON.stringify({ choices: [], created: 0, id: '', model: '', object: '', prompt_filter_results: PROMPT_FILTER_RESULTS }),
);
const DONE = dataEvent('[DONE]');

function finishReason(plan: ReplyPlan): string {
  if (plan.kind === 'tool_call') return 'tool_calls';
  return plan.finish === 'length' ? 'length' : 'stop';
}

/** The `usage` object of a completion. */
export function openaiUsage(usage: PlannedUsage): Record<string, unknown> {
  return {
    prompt_tokens: usage.inputTokens,
    completion_tokens: usage.outputTokens,
    total_tokens: usage.inputTokens + usage.outputTokens,
    prompt_tokens_details: { cached_tokens: 0, audio_tokens: 0 },
    completion_tokens_details: {
      reasoning_tokens: 0,
      audio_tokens: 0,
      accepted_prediction_tokens: 0,
      rejected_prediction_tokens: 0,
    },
  };
}

/** A non-streamed `chat.completion`. */
export function chatCompletionReply(a: ChatAnswer): Reply {
  const { plan } = a;
  const message: Record<string, unknown> =
    plan.kind === 'text'
      ? { role: 'assistant', content: plan.text.text, refusal: null, annotations: [] }
      : {
          role: 'assistant',
          content: plan.preamble?.text ?? null,
          tool_calls: [{ id: plan.callId, type: 'function', function: { name: plan.name, arguments: plan.argumentsJson } }],
          refusal: null,
          annotations: [],
        };
  const body = {
    id: a.id,
    object: 'chat.completion',
    created: a.created,
    model: a.model,
    choices: [
      {
        index: 0,
        message,
        logprobs: null,
        finish_reason: finishReason(plan),
        ...(a.azure ? { content_filter_results: CONTENT_FILTER_RESULTS } : {}),
      },
    ],
    usage: openaiUsage(plan.usage),
    ...(a.azure ? { prompt_filter_results: PROMPT_FILTER_RESULTS } : { service_tier: 'default' }),
    system_fingerprint: FINGERPRINT,
  };
  return { status: 200, headers: { ...JSON_HEADERS, ...a.headers }, pieces: [JSON.stringify(body)], streaming: false };
}

/** A streamed answer: one SSE event per chunk. */
export function chatCompletionStream(a: ChatAnswer): Reply {
  const { plan } = a;
  // Every chunk shares this envelope; only the choice differs, so build it once per request.
  const tier = a.azure ? '' : '"service_tier":"default",';
  const head =
    `{"id":${JSON.stringify(a.id)},"object":"chat.completion.chunk","created":${a.created},` +
    `"model":${JSON.stringify(a.model)},${tier}"system_fingerprint":"${FINGERPRINT}","choices":[`;
  // With include_usage, the real API puts `"usage":null` on every chunk before the last.
  const tail = a.includeUsage ? '],"usage":null}' : ']}';
  const chunk = (delta: string, finish: string | null = null): string => {
    const reason = finish === null ? 'null' : `"${finish}"`;
    return dataEvent(`${head}{"index":0,"delta":${delta},"logprobs":null,"finish_reason":${reason}}${tail}`);
  };

  const events: string[] = a.azure ? [AZURE_FIRST_CHUNK] : [];
  const textPieces = plan.kind === 'text' ? plan.text.pieces : (plan.preamble?.pieces ?? []);
  if (plan.kind === 'text' || plan.preamble !== undefined) {
    events.push(chunk('{"role":"assistant","content":"","refusal":null}'));
    for (const piece of textPieces) events.push(chunk(`{"content":${JSON.stringify(piece)}}`));
  }
  if (plan.kind === 'tool_call') {
    const start = JSON.stringify({
      index: 0,
      id: plan.callId,
      type: 'function',
      function: { name: plan.name, arguments: '' },
    });
    const role = plan.preamble === undefined ? '"role":"assistant","content":null,' : '';
    events.push(chunk(`{${role}"tool_calls":[${start}]${role ? ',"refusal":null' : ''}}`));
    for (const piece of plan.argumentPieces) {
      events.push(chunk(`{"tool_calls":[{"index":0,"function":{"arguments":${JSON.stringify(piece)}}}]}`));
    }
  }
  events.push(chunk('{}', finishReason(plan)));
  if (a.includeUsage) {
    events.push(dataEvent(`${head}],"usage":${JSON.stringify(openaiUsage(plan.usage))}}`));
  }
  events.push(DONE);
  return { status: 200, headers: { ...SSE_HEADERS, ...a.headers }, pieces: events, streaming: true };
}
