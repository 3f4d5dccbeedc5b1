/**
 * Anthropic Messages answers, rendered from a reply plan: the `message` object, and the
 * named-event stream `message_start`, `content_block_start`, `ping`,
 * `content_block_delta` (`text_delta`, or `input_json_delta` fragments for a `tool_use`
 * block), `content_block_stop`, `message_delta` (stop reason and output tokens) and
 * `message_stop`, in the order the API documents.
 */
import { type Reply } from './delivery.js';
import { type PlannedUsage, type ReplyPlan } from './reply-script.js';
import { JSON_HEADERS, namedEvent, SSE_HEADERS } from './sse-writer.js';

/** Everything needed to render one Messages answer. */
export interface MessageAnswer {
  readonly plan: ReplyPlan;
  readonly model: string;
  /** `msg_…` */
  readonly id: string;
  readonly headers: Readonly<Record<string, string>>;
}

const PING = namedEvent('ping', '{"type": "ping"}');
const MESSAGE_STOP = namedEvent('message_stop', '{"type":"message_stop"}');

function stopReason(plan: ReplyPlan): string {
  if (plan.kind === 'tool_call') return 'tool_use';
  return plan.finish === 'length' ? 'max_tokens' : 'end_turn';
}

function usageObject(usage: PlannedUsage, outputTokens: number): Record<string, unknown> {
  return {
    input_tokens: usage.inputTokens,
    cache_creation_input_tokens: 0,
    cache_read_input_tokens: 0,
    output_tokens: outputTokens,
    service_tier: 'standard',
  };
}

function contentBlocks(plan: ReplyPlan): Record<string, unknown>[] {
  if (plan.kind === 'text') return [{ type: 'text', text: plan.text.text }];
  const blocks: Record<string, unknown>[] = [];
  if (plan.preamble) blocks.push({ type: 'text', text: plan.preamble.text });
  blocks.push({ type: 'tool_use', id: plan.callId, name: plan.name, input: plan.argumentsValue });
  return blocks;
}

/** A non-streamed `message`. */
export function messageReply(a: MessageAnswer): Reply {
  const body = {
    id: a.id,
    type: 'message',
    role: 'assistant',
    model: a.model,
    content: contentBlocks(a.plan),
    stop_reason: stopReason(a.plan),
    stop_sequence: null,
    usage: usageObject(a.plan.usage, a.plan.usage.outputTokens),
  };
  return { status: 200, headers: { ...JSON_HEADERS, ...a.headers }, pieces: [JSON.stringify(body)], streaming: false };
}

/** A streamed answer: one SSE event per piece. */
export function messageStream(a: MessageAnswer): Reply {
  const { plan } = a;
  const start = {
    type: 'message_start',
    message: {
      id: a.id,
      type: 'message',
      role: 'assistant',
      model: a.model,
      content: [],
      stop_reason: null,
      stop_sequence: null,
      // The API reports a provisional output count at the start and the final one in message_delta.
      usage: usageObject(plan.usage, 1),
    },
  };
  const events = [namedEvent('message_start', JSON.stringify(start))];
  let index = 0;
  const textBlock = (pieces: readonly string[]): void => {
    events.push(blockStart(index, '{"type":"text","text":""}'));
    if (index === 0) events.push(PING);
    for (const piece of pieces) {
      events.push(blockDelta(index, `{"type":"text_delta","text":${JSON.stringify(piece)}}`));
    }
    events.push(blockStop(index));
    index += 1;
  };
  if (plan.kind === 'text') textBlock(plan.text.pieces);
  else {
    if (plan.preamble) textBlock(plan.preamble.pieces);
    events.push(blockStart(index, JSON.stringify({ type: 'tool_use', id: plan.callId, name: plan.name, input: {} })));
    if (index === 0) events.push(PING);
    for (const piece of plan.argumentPieces) {
      events.push(blockDelta(index, `{"type":"input_json_delta","partial_json":${JSON.stringify(piece)}}`));
    }
    events.push(blockStop(index));
  }
  const delta = {
    type: 'message_delta',
    delta: { stop_reason: stopReason(plan), stop_sequence: null },
    usage: { output_tokens: plan.usage.outputTokens },
  };
  events.push(namedEvent('message_delta', JSON.stringify(delta)), MESSAGE_STOP);
  return { status: 200, headers: { ...SSE_HEADERS, ...a.headers }, pieces: events, streaming: true };
}

function blockStart(index: number, block: string): string {
  return namedEvent('content_block_start', `{"type":"content_block_start","index":${index},"content_block":${block}}`);
}

function blockDelta(index: number, delta: string): string {
  return namedEvent('content_block_delta', `{"type":"content_block_delta","index":${index},"delta":${delta}}`);
}

function blockStop(index: number): string {
  return namedEvent('content_block_stop', `{"type":"content_block_stop","index":${index}}`);
}
