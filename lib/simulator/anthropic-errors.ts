/**
 * Anthropic's error bodies: `{"type": "error", "error": {"type", "message"}, "request_id"}`
 * with the error types of the Messages API (`invalid_request_error`,
 * `authentication_error`, `rate_limit_error`, `overloaded_error` on 529 …), and the
 * `anthropic-ratelimit-*` headers whose resets are RFC 3339 instants.
 */
import { type Reply } from './delivery.js';
import { jsonReply, type ProviderError } from './dialect.js';
import { exhaustedQuota, type QuotaSnapshot, rfc3339 } from './rate-limit.js';

/** `anthropic-ratelimit-*` headers for a quota. */
export function anthropicRateLimitHeaders(quota: QuotaSnapshot): Record<string, string> {
  const reset = rfc3339(quota.resetAt);
  const headers: Record<string, string> = {
    'anthropic-ratelimit-requests-limit': String(quota.requestLimit),
    'anthropic-ratelimit-requests-remaining': String(quota.requestsRemaining),
    'anthropic-ratelimit-requests-reset': reset,
  };
  for (const family of ['tokens', 'input-tokens', 'output-tokens']) {
    headers[`anthropic-ratelimit-${family}-limit`] = String(quota.tokenLimit);
    headers[`anthropic-ratelimit-${family}-remaining`] = String(quota.tokensRemaining);
    headers[`anthropic-ratelimit-${family}-reset`] = reset;
  }
  return headers;
}

/** An Anthropic error answer; `headers` must hold the `request-id` the body repeats. */
export function anthropicError(
  status: number,
  type: string,
  message: string,
  headers: Readonly<Record<string, string>>,
): Reply {
  return jsonReply(status, { type: 'error', error: { type, message }, request_id: headers['request-id'] ?? null }, headers);
}

const CLIENT_ERRORS: Readonly<Record<number, readonly [type: string, message: string]>> = {
  400: ['invalid_request_error', 'Invalid request.'],
  401: ['authentication_error', 'invalid x-api-key'],
  403: ['permission_error', 'Your API key does not have permission to use the specified resource.'],
  404: ['not_found_error', 'Not found'],
  413: ['request_too_large', 'Request exceeds the maximum allowed number of bytes.'],
};

/** Renders `error` as Anthropic does, on top of the mock's usual headers. */
export function anthropicErrorReply(
  error: ProviderError,
  headers: Readonly<Record<string, string>>,
): Reply {
  switch (error.kind) {
    case 'server':
      return error.status === 529
        ? anthropicError(529, 'overloaded_error', error.message ?? 'Overloaded', headers)
        : anthropicError(error.status, 'api_error', error.message ?? 'Internal server error', headers);
    case 'rate_limit': {
      const { timing } = error;
      return anthropicError(
        429,
        'rate_limit_error',
        'This request would exceed the rate limit for your organization (org-simulator) of 10,000 requests per minute. For details, refer to: https://docs.claude.com/en/api/rate-limits. You can see the response headers for current usage. Please reduce the prompt length or the maximum tokens requested, or try again later. You may also contact sales at https://www.anthropic.com/contact-sales to discuss your options for a rate limit increase.',
        { ...headers, ...anthropicRateLimitHeaders(exhaustedQuota(timing.resetAt)), ...timing.headers },
      );
    }
    case 'context_length':
      return anthropicError(
        400,
        'invalid_request_error',
        `prompt is too long: ${error.promptTokens} tokens > ${error.maxTokens} maximum`,
        headers,
      );
    case 'client': {
      const [type, message] = CLIENT_ERRORS[error.status] ?? CLIENT_ERRORS[400]!;
      return anthropicError(error.status, type, error.message ?? message, headers);
    }
  }
}
