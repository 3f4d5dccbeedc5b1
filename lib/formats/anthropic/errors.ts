/**
 * Anthropic error bodies: `{"type": "error", "error": {"type", "message"}, "request_id"}`
 * (https://platform.claude.com/docs/en/api/errors). In a stream the same body arrives as
 * `event: error`, which `@anthropic-ai/sdk` turns into an `APIError` of that type.
 */
import { type ErrorKind } from '../../errors.js';
import { type CanonicalError, type JsonObject } from '../canonical.js';
import { decodeErrorWith, kindFromStatus, looksLikeContextLength, opaqueErrorMessage } from '../shared/errors.js';
import { isObject } from '../shared/json.js';
import { formatSse } from '../sse.js';

const TYPE_KINDS: Readonly<Record<string, ErrorKind>> = {
  invalid_request_error: 'invalid_request',
  authentication_error: 'authentication',
  billing_error: 'permission',
  permission_error: 'permission',
  not_found_error: 'not_found',
  request_too_large: 'request_too_large',
  rate_limit_error: 'rate_limit',
  timeout_error: 'timeout',
  api_error: 'api_error',
  overloaded_error: 'overloaded',
};

export function errorFromBody(status: number, body: JsonObject): CanonicalError {
  const err = isObject(body['error']) ? body['error'] : body;
  const type = typeof err['type'] === 'string' ? err['type'] : undefined;
  const message = typeof err['message'] === 'string' ? err['message'] : opaqueErrorMessage(status, JSON.stringify(body));
  const kind = (type === undefined ? undefined : TYPE_KINDS[type]) ?? kindFromStatus(status);
  return {
    status,
    kind,
    message,
    ...(type === undefined ? {} : { code: type }),
    ...(kind === 'invalid_request' && looksLikeContextLength(message) ? { contextLengthExceeded: true } : {}),
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
  request_timeout: [408, 'timeout_error'],
  request_too_large: [413, 'request_too_large'],
  rate_limit: [429, 'rate_limit_error'],
  api_error: [500, 'api_error'],
  bad_gateway: [502, 'api_error'],
  unavailable: [503, 'api_error'],
  timeout: [504, 'timeout_error'],
  overloaded: [529, 'overloaded_error'],
};

function errorObject(error: CanonicalError): JsonObject {
  return { type: 'error', error: { type: KINDS[error.kind][1], message: error.message } };
}

export function encodeError(error: CanonicalError): { readonly status: number; readonly body: JsonObject } {
  return { status: KINDS[error.kind][0], body: errorObject(error) };
}

export function encodeStreamError(error: CanonicalError): string {
  return formatSse('error', JSON.stringify(errorObject(error)));
}
