/**
 * Gemini API error bodies, Google's RPC status shape:
 * `{"error": {"code", "message", "status", "details"?}}`. A 429 carries its retry delay
 * in a `google.rpc.RetryInfo` detail rather than in provider headers; an unknown key is
 * a 400 `API_KEY_INVALID`, a missing one a 403 — the codes the real API uses.
 */
import { type Reply } from './delivery.js';
import { jsonReply, type ProviderError } from './dialect.js';

/** A Gemini error answer. */
export function geminiError(
  code: number,
  status: string,
  message: string,
  headers: Readonly<Record<string, string>>,
  details?: readonly unknown[],
): Reply {
  return jsonReply(code, { error: { code, message, status, ...(details ? { details } : {}) } }, headers);
}

const SERVER_ERRORS: Readonly<Record<number, readonly [status: string, message: string]>> = {
  500: [
    'INTERNAL',
    'An internal error has occurred. Please retry or report in https://developers.generativeai.google/guide/troubleshooting',
  ],
  503: ['UNAVAILABLE', 'The model is overloaded. Please try again later.'],
  504: ['DEADLINE_EXCEEDED', 'Deadline expired before operation could complete.'],
};

const CLIENT_ERRORS: Readonly<Record<number, readonly [status: string, message: string]>> = {
  400: ['INVALID_ARGUMENT', 'Request contains an invalid argument.'],
  401: [
    'UNAUTHENTICATED',
    'Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential. See https://developers.google.com/identity/sign-in/web/devconsole-project.',
  ],
  403: ['PERMISSION_DENIED', 'The caller does not have permission'],
  404: [
    'NOT_FOUND',
    'models/simulated-model is not found for API version v1beta, or is not supported for generateContent. Call ListModels to see the list of available models and their supported methods.',
  ],
};

/** The 400 the API gives for a key it does not know. */
export function invalidKeyError(headers: Readonly<Record<string, string>>): Reply {
  const message = 'API key not valid. Please pass a valid API key.';
  return geminiError(400, 'INVALID_ARGUMENT', message, headers, [
    {
      '@type': 'type.googleapis.com/google.rpc.ErrorInfo',
      reason: 'API_KEY_INVALID',
      domain: 'googleapis.com',
      metadata: { service: 'generativelanguage.googleapis.com' },
    },
    { '@type': 'type.googleapis.com/google.rpc.LocalizedMessage', locale: 'en-US', message },
  ]);
}

/** Renders `error` as the Gemini API does. */
export function geminiErrorReply(error: ProviderError, headers: Readonly<Record<string, string>>): Reply {
  switch (error.kind) {
    case 'server': {
      const fallback = error.status >= 502 ? SERVER_ERRORS[503]! : SERVER_ERRORS[500]!;
      const [status, message] = SERVER_ERRORS[error.status] ?? fallback;
      return geminiError(error.status, status, error.message ?? message, headers);
    }
    case 'rate_limit': {
      const { timing } = error;
      return geminiError(
        429,
        'RESOURCE_EXHAUSTED',
        'You exceeded your current quota, please check your plan and billing details. For more information on this error, head to: https://ai.google.dev/gemini-api/docs/rate-limits.',
        { ...headers, ...timing.headers },
        [
          {
            '@type': 'type.googleapis.com/google.rpc.QuotaFailure',
            violations: [
              {
                quotaMetric: 'generativelanguage.googleapis.com/generate_content_free_tier_requests',
                quotaId: 'GenerateRequestsPerMinutePerProjectPerModel-FreeTier',
              },
            ],
          },
          {
            '@type': 'type.googleapis.com/google.rpc.Help',
            links: [
              { description: 'Learn more about Gemini API quotas', url: 'https://ai.google.dev/gemini-api/docs/rate-limits' },
            ],
          },
          { '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: `${Math.ceil(timing.seconds)}s` },
        ],
      );
    }
    case 'context_length':
      return geminiError(
        400,
        'INVALID_ARGUMENT',
        `The input token count (${error.promptTokens}) exceeds the maximum number of tokens allowed (${error.maxTokens}).`,
        headers,
      );
    case 'client': {
      const [status, message] = CLIENT_ERRORS[error.status] ?? CLIENT_ERRORS[400]!;
      return geminiError(error.status, status, error.message ?? message, headers);
    }
  }
}
