/**
 * The OpenAI dialect: `/v1/chat/completions`, `/v1/embeddings` and `/v1/models` with
 * Bearer auth, plus the Azure OpenAI paths (`/openai/deployments/{deployment}/…` with a
 * required `api-version` query and an `api-key` header), so one mock can stand in for
 * OpenAI, any OpenAI-compatible provider, or an Azure deployment.
 */
import { type Reply } from './delivery.js';
import {
  bearerToken,
  type CallContext,
  type Dialect,
  type Exchange,
  headerValue,
  type IncomingCall,
  jsonReply,
  type ProviderError,
  simId,
} from './dialect.js';
import { openaiError, openaiErrorReply } from './openai-errors.js';
import { chatExchange, embeddingsExchange } from './openai-requests.js';
import { goDuration, quotaAfter } from './rate-limit.js';

type Headers = Readonly<Record<string, string>>;

const AZURE_PATH = /^\/openai\/deployments\/([^/]+)\/(chat\/completions|embeddings)$/;
const MODEL_PATH = /^\/v1\/models\/(.+)$/;
const AZURE_ACCESS_DENIED =
  'Access denied due to invalid subscription key or wrong API endpoint. Make sure to provide a valid key for an active subscription and use a correct regional API endpoint for your resource.';
const NO_KEY =
  "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY), or as the password field (with blank username) if you're accessing the API from your browser and are prompted for a username. You can obtain an API key from https://platform.openai.com/account/api-keys.";

/** Headers the real API sends on every answer. */
function openaiHeaders(ctx: CallContext, azure: boolean): Record<string, string> {
  const quota = quotaAfter(ctx.served, ctx.now);
  const requestId = simId('req_', ctx);
  const flavour: Record<string, string> = azure
    ? { 'apim-request-id': requestId, 'x-ms-region': 'Simulated Region' }
    : { 'openai-version': '2020-10-01' };
  return {
    'x-request-id': requestId,
    ...flavour,
    'openai-processing-ms': '1',
    'x-ratelimit-limit-requests': String(quota.requestLimit),
    'x-ratelimit-limit-tokens': String(quota.tokenLimit),
    'x-ratelimit-remaining-requests': String(quota.requestsRemaining),
    'x-ratelimit-remaining-tokens': String(quota.tokensRemaining),
    'x-ratelimit-reset-requests': goDuration(quota.resetAt - ctx.now),
    'x-ratelimit-reset-tokens': '0s',
  };
}

/** Azure's own shape for gateway-level errors (bad key, unknown path), unlike its model errors. */
function azureGatewayError(status: number, message: string, headers: Headers): Reply {
  return jsonReply(status, { error: { code: String(status), message } }, headers);
}

export const openaiDialect: Dialect = {
  format: 'openai',
  defaultContextWindow: 128_000,

  accept(call: IncomingCall, ctx: CallContext): Exchange | Reply {
    const path = call.url.pathname;
    const azure = AZURE_PATH.exec(path);
    const headers = openaiHeaders(ctx, azure !== null);
    const notFound = (): Reply => {
      const message = `Invalid URL (${call.method} ${path})`;
      return openaiError(404, { message, type: 'invalid_request_error', param: null, code: null }, headers);
    };

    if (azure) {
      if (!call.url.searchParams.get('api-version')) return azureGatewayError(404, 'Resource not found', headers);
      const key = headerValue(call.headers, 'api-key') ?? bearerToken(call.headers);
      if (ctx.apiKey !== undefined && key !== ctx.apiKey) return azureGatewayError(401, AZURE_ACCESS_DENIED, headers);
      if (call.method !== 'POST') return notFound();
      const deployment = decodeURIComponent(azure[1]!);
      return azure[2] === 'embeddings'
        ? embeddingsExchange(call, ctx, headers, deployment)
        : chatExchange(call, ctx, headers, deployment);
    }

    const authError = checkBearer(call, ctx, headers);
    if (authError) return authError;
    if (call.method === 'POST' && path === '/v1/chat/completions') return chatExchange(call, ctx, headers, undefined);
    if (call.method === 'POST' && path === '/v1/embeddings') return embeddingsExchange(call, ctx, headers, undefined);
    const models = ctx.script.behavior.models;
    if (call.method === 'GET' && path === '/v1/models') {
      return listing({ object: 'list', data: models.map(modelObject) }, headers);
    }
    const one = call.method === 'GET' ? MODEL_PATH.exec(path) : null;
    if (!one) return notFound();
    const id = decodeURIComponent(one[1]!);
    if (models.includes(id)) return listing(modelObject(id), headers);
    const message = `The model '${id}' does not exist`;
    return openaiError(404, { message, type: 'invalid_request_error', param: 'model', code: 'model_not_found' }, headers);
  },

  errorReply(error: ProviderError, ctx: CallContext): Reply {
    return openaiErrorReply(error, openaiHeaders(ctx, false));
  },
};

function checkBearer(call: IncomingCall, ctx: CallContext, headers: Headers): Reply | undefined {
  if (ctx.apiKey === undefined) return undefined;
  const token = bearerToken(call.headers);
  if (token === ctx.apiKey) return undefined;
  if (token === undefined) {
    return openaiError(401, { message: NO_KEY, type: 'invalid_request_error', param: null, code: null }, headers);
  }
  // The API echoes only the ends of a wrong key, so logs never hold a whole one.
  const masked = `${token.slice(0, 3)}***${token.slice(-4)}`;
  const message = `Incorrect API key provided: ${masked}. You can find your API key at https://platform.openai.com/account/api-keys.`;
  return openaiError(401, { message, type: 'invalid_request_error', param: null, code: 'invalid_api_key' }, headers);
}

function listing(body: unknown, headers: Headers): Exchange {
  return { isModelCall: false, stream: false, promptTokens: 0, answer: () => jsonReply(200, body, headers) };
}

function modelObject(id: string): Record<string, unknown> {
  return { id, object: 'model', created: 1_700_000_000, owned_by: 'openai' };
}
