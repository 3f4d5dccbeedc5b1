/**
 * OpenAI's error bodies: `{"error": {"message", "type", "param", "code"}}`, with the
 * wording the API uses for each case (copied from real responses quoted in public bug
 * reports), and the `x-ratelimit-*` headers of a 429.
 */
import { type Reply } from './delivery.js';
import { jsonReply, type ProviderError } from './dialect.js';
import { exhaustedQuota, goDuration } from './rate-limit.js';

export interface OpenAIErrorBody {
  readonly message: string;
  readonly type: string;
  readonly param: string | null;
  readonly code: string | number | null;
}

const SERVER_MESSAGES: Readonly<Record<number, Omit<OpenAIErrorBody, 'param'>>> = {
  500: {
    message: 'The server had an error while processing your request. Sorry about that!',
    type: 'server_error',
    code: null,
  },
  // Cloudflare answers for OpenAI when the origin fails, with its own type and a numeric code.
  502: { message: 'Bad gateway.', type: 'cf_bad_gateway', code: 502 },
  503: {
    message:
      'That model is currently overloaded with other requests. You can retry your request, or contact us through our help center at help.openai.com if the error persists.',
    type: 'server_error',
    code: null,
  },
};

/** Renders `error` as OpenAI does, on top of the mock's usual headers. */
export function openaiErrorReply(error: ProviderError, headers: Readonly<Record<string, string>>): Reply {
  switch (error.kind) {
    case 'server': {
      const stock = SERVER_MESSAGES[error.status] ?? SERVER_MESSAGES[500]!;
      const body = { ...stock, param: null, ...(error.message ? { message: error.message } : {}) };
      return openaiError(error.status, body, headers);
    }
    case 'rate_limit': {
      const { timing } = error;
      const quota = exhaustedQuota(timing.resetAt);
      const wait = goDuration(timing.seconds * 1000);
      return openaiError(
        429,
        {
          message: `Rate limit reached for requests in organization org-simulator on requests per min (RPM): Limit ${quota.requestLimit}, Used ${quota.requestLimit}, Requested 1. Please try again in ${wait}. Visit https://platform.openai.com/account/rate-limits to learn more.`,
          type: 'requests',
          param: null,
          code: 'rate_limit_exceeded',
        },
        {
          ...headers,
          'x-ratelimit-limit-requests': String(quota.requestLimit),
          'x-ratelimit-remaining-requests': '0',
          'x-ratelimit-reset-requests': wait,
          'x-ratelimit-limit-tokens': String(quota.tokenLimit),
          'x-ratelimit-remaining-tokens': String(quota.tokensRemaining),
          'x-ratelimit-reset-tokens': wait,
          ...timing.headers,
        },
      );
    }
    case 'context_length':
      return openaiError(
        400,
        {
          message: `This model's maximum context length is ${error.maxTokens} tokens. However, your messages resulted in ${error.promptTokens} tokens. Please reduce the length of the messages.`,
          type: 'invalid_request_error',
          param: 'messages',
          code: 'context_length_exceeded',
        },
        headers,
      );
    case 'client':
      return openaiError(error.status, clientBody(error.status, error.message), headers);
  }
}

function clientBody(status: number, message: string | undefined): OpenAIErrorBody {
  switch (status) {
    case 401:
      return {
        message:
          message ??
          'Incorrect API key provided: sk-sim***. You can find your API key at https://platform.openai.com/account/api-keys.',
        type: 'invalid_request_error',
        param: null,
        code: 'invalid_api_key',
      };
    case 403:
      return {
        message: message ?? 'Country, region, or territory not supported',
        type: 'request_forbidden',
        param: null,
        code: 'unsupported_country_region_territory',
      };
    case 404:
      return {
        message: message ?? 'The model `simulated-model` does not exist or you do not have access to it.',
        type: 'invalid_request_error',
        param: null,
        code: 'model_not_found',
      };
    default:
      return { message: message ?? 'Invalid request.', type: 'invalid_request_error', param: null, code: null };
  }
}

/** An OpenAI error answer. */
export function openaiError(status: number, error: OpenAIErrorBody, headers: Readonly<Record<string, string>>): Reply {
  return jsonReply(status, { error }, headers);
}

/** The error for a body that is not JSON. */
export const INVALID_JSON_ERROR: OpenAIErrorBody = {
  message:
    "We could not parse the JSON body of your request. (HINT: This likely means you aren't using your HTTP library correctly. The OpenAI API expects a JSON payload, but what was sent was not valid JSON. If you have trouble figuring out how to fix this, please contact us through our help center at help.openai.com.)",
  type: 'invalid_request_error',
  param: null,
  code: null,
};
