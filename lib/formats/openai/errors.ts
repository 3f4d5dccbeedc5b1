/**
 * OpenAI error bodies: `{"error": {"message", "type", "param", "code"}}`
 * (https://platform.openai.com/docs/guides/error-codes). The openai SDK picks its error
 * class from the HTTP status; in a stream it throws `APIError` on any `data:` event
 * whose JSON has an `error` member (openai-node `src/core/streaming.ts`).
 */
import { type ErrorKind } from '../../errors.js';
import { type CanonicalError, type JsonObject } from '../canonical.js';
import { decodeErrorWith, kindFromStatus, looksLikeContextLength, opaqueErrorMessage } from '../shared/errors.js';
import { isObject } from '../shared/json.js';
import { formatSse } from '../sse.js';

const TYPE_KINDS: Readonly<Record<string, ErrorKind>> = {
  invalid_request_error: 'invalid_request',
  authentication_error: 'authentication',
  permission_error: 'permission',
  not_found_error: 'not_found',
  rate_limit_error: 'rate_limit',
  insufficient_quota: 'rate_limit',
  server_error: 'api_error',
  api_error: 'api_error',
};

/** An error object already parsed (an error response body, or an error event in a stream). */
export function errorFromBody(status: number, body: JsonObject): CanonicalError {
  const err = isObject(body['error']) ? body['error'] : body;
  const message = typeof err['message'] === 'string' ? err['message'] : opaqueErrorMessage(status, JSON.stringify(body));
  const rawCode = err['code'];
  const code = typeof rawCode === 'string' ? rawCode : typeof err['type'] === 'string' ? err['type'] : undefined;
  // The HTTP status is what OpenAI's own SDK trusts; the type only refines a vague one.
  const typed = typeof err['type'] === 'string' ? TYPE_KINDS[err['type']] : undefined;
  let kind = status >= 400 && status !== 500 ? kindFromStatus(status) : (typed ?? kindFromStatus(status));
  if (kind === 'unavailable' && /overload/i.test(message)) kind = 'overloaded';
  return {
    status,
    kind,
    message,
    ...(code === undefined ? {} : { code }),
    ...(looksLikeContextLength(message, code) ? { contextLengthExceeded: true } : {}),
  };
}

export function decodeError(status: number, body: string): CanonicalError {
  return decodeErrorWith(status, body, errorFromBody);
}

const KINDS: Readonly<Record<ErrorKind, readonly [number, string]>> = {
  invalid_request: [400, 'invalid_request_error'],
  authentication: [401, 'authentication_error'],
  permission: [403, 'permission_error'],
  not_found: [404, 'not_found_error'],
  method_not_allowed: [405, 'invalid_request_error'],
  request_timeout: [408, 'invalid_request_error'],
  request_too_large: [413, 'invalid_request_error'],
  rate_limit: [429, 'rate_limit_error'],
  api_error: [500, 'server_error'],
  bad_gateway: [502, 'server_error'],
  // OpenAI has no 529: an overloaded upstream is a 503 to its clients.
  overloaded: [503, 'server_error'],
  unavailable: [503, 'server_error'],
  timeout: [504, 'server_error'],
};

function errorObject(error: CanonicalError): JsonObject {
  const [, type] = KINDS[error.kind];
  return { error: { message: error.message, type, param: null, code: error.code ?? null } };
}

export function encodeError(error: CanonicalError): { readonly status: number; readonly body: JsonObject } {
  return { status: KINDS[error.kind][0], body: errorObject(error) };
}

export function encodeStreamError(error: CanonicalError): string {
  return formatSse(undefined, JSON.stringify(errorObject(error)));
}
