/**
 * Gemini `GenerateContentResponse` answers, rendered from a reply plan. A stream is a
 * series of complete responses, each with `candidates[0].content.parts` holding the new
 * text; the last one carries `finishReason` and the full `usageMetadata` (earlier ones
 * only the prompt count). With `alt=sse` each response is a `data:` event ended by CRLF
 * pairs; without it the API streams one JSON array, element by element. A function call
 * arrives whole in one part, never in fragments.
 */
import { type Reply } from './delivery.js';
import { type PlannedUsage, type ReplyPlan } from './reply-script.js';
import { crlfDataEvent, SSE_HEADERS } from './sse-writer.js';

/** Everything needed to render one generateContent answer. */
export interface ContentAnswer {
  readonly plan: ReplyPlan;
  readonly model: string;
  readonly responseId: string;
  readonly headers: Readonly<Record<string, string>>;
}

const JSON_UTF8 = { 'content-type': 'application/json; charset=UTF-8' };

type Part = Record<string, unknown>;

function finishReason(plan: ReplyPlan): string {
  return plan.kind === 'text' && plan.finish === 'length' ? 'MAX_TOKENS' : 'STOP';
}

function usageMetadata(usage: PlannedUsage, final: boolean): Record<string, unknown> {
  const prompt = { promptTokenCount: usage.inputTokens };
  const details = { promptTokensDetails: [{ modality: 'TEXT', tokenCount: usage.inputTokens }] };
  if (!final) return { ...prompt, totalTokenCount: usage.inputTokens, ...details };
  return {
    ...prompt,
    candidatesTokenCount: usage.outputTokens,
    totalTokenCount: usage.inputTokens + usage.outputTokens,
    ...details,
  };
}

function response(a: ContentAnswer, parts: readonly Part[], final: boolean): Record<string, unknown> {
  const candidate = {
    content: { parts, role: 'model' },
    ...(final ? { finishReason: finishReason(a.plan) } : {}),
    index: 0,
  };
  return {
    candidates: [candidate],
    usageMetadata: usageMetadata(a.plan.usage, final),
    modelVersion: a.model,
    responseId: a.responseId,
  };
}

function functionCallPart(plan: ReplyPlan): Part | undefined {
  return plan.kind === 'tool_call' ? { functionCall: { name: plan.name, args: plan.argumentsValue } } : undefined;
}

/** A non-streamed `GenerateContentResponse`. */
export function contentReply(a: ContentAnswer): Reply {
  const { plan } = a;
  const parts: Part[] = [];
  const text = plan.kind === 'text' ? plan.text.text : plan.preamble?.text;
  if (text !== undefined) parts.push({ text });
  const call = functionCallPart(plan);
  if (call) parts.push(call);
  return {
    status: 200,
    headers: { ...JSON_UTF8, ...a.headers },
    pieces: [JSON.stringify(response(a, parts, true))],
    streaming: false,
  };
}

/** A streamed answer, as SSE (`alt=sse`) or as a progressively sent JSON array. */
export function contentStream(a: ContentAnswer, sse: boolean): Reply {
  const { plan } = a;
  const textPieces = plan.kind === 'text' ? plan.text.pieces : (plan.preamble?.pieces ?? []);
  const call = functionCallPart(plan);
  const chunks: string[] = [];
  textPieces.forEach((piece, i) => {
    const last = call === undefined && i === textPieces.length - 1;
    chunks.push(JSON.stringify(response(a, [{ text: piece }], last)));
  });
  if (call) chunks.push(JSON.stringify(response(a, [call], true)));
  if (sse) {
    return { status: 200, headers: { ...SSE_HEADERS, ...a.headers }, pieces: chunks.map(crlfDataEvent), streaming: true };
  }
  const pieces = chunks.map((chunk, i) => (i === 0 ? `[${chunk}` : `,\r\n${chunk}`));
  pieces.push(']');
  return { status: 200, headers: { ...JSON_UTF8, ...a.headers }, pieces, streaming: true };
}
