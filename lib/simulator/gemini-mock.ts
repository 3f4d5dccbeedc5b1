/**
 * The Gemini dialect: `POST /v1beta/models/{model}:generateContent`,
 * `:streamGenerateContent` (SSE with `?alt=sse`, a JSON array without), `:countTokens`
 * and `GET /v1beta/models` (the `v1` paths work too). The key comes in `x-goog-api-key`
 * or `?key=`. Bodies are checked like the real API does: `contents` present, roles only
 * `user`/`model`, and function responses in the turn right after the function call,
 * one response part per call part.
 */
import { type Reply } from './delivery.js';
import {
  asArray,
  asObject,
  type CallContext,
  type Dialect,
  type Exchange,
  headerValue,
  type IncomingCall,
  jsonReply,
  type ProviderError,
  simId,
} from './dialect.js';
import { contentReply, contentStream } from './gemini-content.js';
import { geminiError, geminiErrorReply, invalidKeyError } from './gemini-errors.js';
import { type ConversationFacts, estimateTokens } from './reply-script.js';

const CALL_PATH = /^\/(v1|v1beta)\/models\/([^/:]+):(generateContent|streamGenerateContent|countTokens)$/;
const LIST_PATH = /^\/(v1|v1beta)\/models$/;
const MODEL_PATH = /^\/(v1|v1beta)\/models\/([^/:]+)$/;
const HEADERS = { vary: 'Origin, X-Origin, Referer', server: 'scaffolding on HTTPServer2' };

export const geminiDialect: Dialect = {
  format: 'gemini',
  defaultContextWindow: 1_048_576,

  accept(call: IncomingCall, ctx: CallContext): Exchange | Reply {
    if (ctx.apiKey !== undefined) {
      const key = headerValue(call.headers, 'x-goog-api-key') ?? call.url.searchParams.get('key') ?? undefined;
      if (key === undefined) {
        return geminiError(
          403,
          'PERMISSION_DENIED',
          "Method doesn't allow unregistered callers (callers without established identity). Please use API Key or other form of API consumer identity to call this API.",
          HEADERS,
        );
      }
      if (key !== ctx.apiKey) return invalidKeyError(HEADERS);
    }
    const path = call.url.pathname;
    const match = call.method === 'POST' ? CALL_PATH.exec(path) : null;
    if (match) return generate(call, ctx, decodeURIComponent(match[2]!), match[3]!);
    if (call.method === 'GET' && LIST_PATH.test(path)) {
      const models = ctx.script.behavior.models.map((id) => modelObject(id, ctx));
      return listing({ models });
    }
    const one = call.method === 'GET' ? MODEL_PATH.exec(path) : null;
    if (one) {
      const id = decodeURIComponent(one[2]!);
      if (!ctx.script.behavior.models.includes(id)) return notFound(id, one[1]!);
      return listing(modelObject(id, ctx));
    }
    return geminiError(404, 'NOT_FOUND', `Method not found: ${call.method} ${path}`, HEADERS);
  },

  errorReply(error: ProviderError): Reply {
    return geminiErrorReply(error, HEADERS);
  },
};

function notFound(model: string, version: string): Reply {
  return geminiError(
    404,
    'NOT_FOUND',
    `models/${model} is not found for API version ${version}, or is not supported for generateContent. Call ListModels to see the list of available models and their supported methods.`,
    HEADERS,
  );
}

function modelObject(id: string, ctx: CallContext): Record<string, unknown> {
  return {
    name: `models/${id}`,
    version: '001',
    displayName: id,
    description: `Simulated ${id} (${ctx.mockName})`,
    inputTokenLimit: ctx.script.behavior.maxContextTokens ?? geminiDialect.defaultContextWindow,
    outputTokenLimit: 65_536,
    supportedGenerationMethods: ['generateContent', 'countTokens'],
  };
}

function listing(body: unknown): Exchange {
  return { isModelCall: false, stream: false, promptTokens: 0, answer: () => jsonReply(200, body, HEADERS) };
}

function generate(call: IncomingCall, ctx: CallContext, model: string, method: string): Exchange | Reply {
  const invalid = (message: string): Reply => geminiError(400, 'INVALID_ARGUMENT', message, HEADERS);
  if (call.invalidJson) return invalid('Invalid JSON payload received. Unexpected token.');
  const body = asObject(call.json);
  if (!body) return invalid('Invalid JSON payload received. Unexpected token.');
  const contents = asArray(body.contents);
  if (contents.length === 0) return invalid('* GenerateContentRequest.contents: contents is not specified\n');
  const problem = checkContents(contents);
  if (problem) return invalid(problem);
  const behavior = ctx.script.behavior;
  if (behavior.rejectUnknownModels && !behavior.models.includes(model)) return notFound(model, 'v1beta');

  const facts = contentFacts(body, contents);
  const promptTokens = estimateTokens(facts.promptChars);
  if (method === 'countTokens') {
    const body = { totalTokens: promptTokens, promptTokensDetails: [{ modality: 'TEXT', tokenCount: promptTokens }] };
    return { isModelCall: false, stream: false, promptTokens, answer: () => jsonReply(200, body, HEADERS) };
  }
  const stream = method === 'streamGenerateContent';
  const sse = call.url.searchParams.get('alt') === 'sse';
  return {
    isModelCall: true,
    stream,
    promptTokens,
    answer: () => {
      const plan = ctx.script.plan(facts, () => '');
      const answer = { plan, model, responseId: simId('', ctx), headers: HEADERS };
      return stream ? contentStream(answer, sse) : contentReply(answer);
    },
  };
}

function partsOf(content: unknown, key: string): Record<string, unknown>[] {
  return asArray(asObject(content)?.parts)
    .map(asObject)
    .filter((p): p is Record<string, unknown> => p !== undefined && key in p);
}

function checkContents(contents: readonly unknown[]): string | undefined {
  for (const [i, content] of contents.entries()) {
    const role = asObject(content)?.role;
    // Older SDKs sent function responses with role `function`; the API still takes it.
    if (role !== undefined && role !== 'user' && role !== 'model' && role !== 'function') {
      return 'Please use a valid role: user, model.';
    }
    const responses = partsOf(content, 'functionResponse').length;
    const calls = partsOf(content, 'functionCall').length;
    const previousCalls = partsOf(contents[i - 1], 'functionCall').length;
    if (responses > 0 && previousCalls === 0) {
      return 'Please ensure that function response turn comes immediately after a function call turn.';
    }
    if (responses > 0 && responses !== previousCalls) {
      return 'Please ensure that the number of function response parts is equal to the number of function call parts of the function call turn.';
    }
    const previous = contents[i - 1];
    const afterUserTurn = asObject(previous)?.role !== 'model' || partsOf(previous, 'functionResponse').length > 0;
    if (calls > 0 && i > 0 && !afterUserTurn) {
      return 'Please ensure that function call turn comes immediately after a user turn or after a function response turn.';
    }
  }
  return undefined;
}

function contentFacts(body: Record<string, unknown>, contents: readonly unknown[]): ConversationFacts {
  let promptChars = partsOf(body.systemInstruction, 'text').reduce((sum, p) => sum + String(p.text).length, 0);
  for (const content of contents) {
    for (const p of partsOf(content, 'text')) promptChars += String(p.text).length;
    for (const p of partsOf(content, 'functionCall')) {
      const fc = asObject(p.functionCall);
      promptChars += String(fc?.name ?? '').length + JSON.stringify(fc?.args ?? {}).length;
    }
    for (const p of partsOf(content, 'functionResponse')) promptChars += resultText(p).length;
  }
  const results = partsOf(contents.at(-1), 'functionResponse').map(resultText);
  const hasTools = asArray(body.tools).some((t) => asArray(asObject(t)?.functionDeclarations).length > 0);
  return { promptChars, hasTools, ...(results.length > 0 ? { toolResult: results.join('\n') } : {}) };
}

/** A function response's payload as text: a lone string field is the result itself, anything else is JSON. */
function resultText(part: Record<string, unknown>): string {
  const response = asObject(asObject(part.functionResponse)?.response);
  const values = response ? Object.values(response) : [];
  if (values.length === 1 && typeof values[0] === 'string') return values[0];
  return JSON.stringify(response ?? {});
}
