/**
 * Gemini error bodies: `{"error": {"code", "message", "status", "details"}}` with a
 * google.rpc status name (https://ai.google.dev/gemini-api/docs/troubleshooting). A bad
 * API key is a 400 INVALID_ARGUMENT whose details carry reason `API_KEY_INVALID`. In an
 * SSE stream `@google/genai` throws `ApiError` for a `data:` event with an `error` member
 * whose `code` is an HTTP status.
 */
import { type ErrorKind } from '../../errors.js';
import { type CanonicalError, type JsonObject } from '../canonical.js';
import { decodeErrorWith, kindFromStatus, looksLikeContextLength, opaqueErrorMessage } from '../shared/errors.js';
import { isObject } from '../shared/json.js';
import { formatSse } from '../sse.js';

const STATUS_KINDS: Readonly<Record<string, ErrorKind>> = {
  INVALID_ARGUMENT: 'invalid_request',
  FAILED_PRECONDITION: 'invalid_request',
  OUT_OF_RANGE: 'invalid_request',
  UNAUTHENTICATED: 'authentication',
  PERMISSION_DENIED: 'permission',
  NOT_FOUND: 'not_found',
  RESOURCE_EXHAUSTED: 'rate_limit',
  CANCELLED: 'api_error',
  UNKNOWN: 'api_error',
  INTERNAL: 'api_error',
  UNAVAILABLE: 'unavailable',
  DEADLINE_EXCEEDED: 'timeout',
};

function invalidKey(err: JsonObject): boolean {
  const details = err['details'];
  return Array.isArray(details) && details.some((d) => isObject(d) && d['reason'] === 'API_KEY_INVALID');
}

export function errorFromBody(status: number, body: JsonObject): CanonicalError {
  const err = isObject(body['error']) ? body['error'] : body;
  const rpc = typeof err['status'] === 'string' ? err['status'] : undefined;
  const message = typeof err['message'] === 'string' ? err['message'] : opaqueErrorMessage(status, JSON.stringify(body));
  let kind = (rpc === undefined ? undefined : STATUS_KINDS[rpc]) ?? kindFromStatus(status);
  if (invalidKey(err)) kind = 'authentication';
  else if (kind === 'unavailable' && /overload/i.test(message)) kind = 'overloaded';
  return {
    status,
    kind,
    message,
    ...(rpc === undefined ? {} : { code: rpc }),
    ...(kind === 'invalid_request' && looksLikeContextLength(message) ? { contextLengthExceeded: true } : {}),
  };
}

export function decodeError(status: number, body: string): CanonicalError {
  return decodeErrorWith(status, body, errorFromBody);
}

const KINDS: Readonly<Record<ErrorKind, readonly [number, string]>> = {
  invalid_request: [400, 'INVALID_ARGUMENT'],
  authentication: [401, 'UNAUTHENTICATED'],
  permission: [403, 'PERMISSION_DENIED'],
  not_found: [404, 'NOT_FOUND'],
  method_not_allowed: [405, 'UNIMPLEMENTED'],
  request_timeout: [408, 'DEADLINE_EXCEEDED'],
  request_too_large: [413, 'INVALID_ARGUMENT'],
  rate_limit: [429, 'RESOURCE_EXHAUSTED'],
  api_error: [500, 'INTERNAL'],
  bad_gateway: [502, 'UNAVAILABLE'],
  overloaded: [503, 'UNAVAILABLE'],
  unavailable: [503, 'UNAVAILABLE'],
  timeout: [504, 'DEADLINE_EXCEEDED'],
};

function errorObject(error: CanonicalError): JsonObject {
  const [code, status] = KINDS[error.kind];
  return { error: { code, message: error.message, status } };
}

export function encodeError(error: CanonicalError): { readonly status: number; readonly body: JsonObject } {
  return { status: KINDS[error.kind][0], body: errorObject(error) };
}

export function encodeStreamError(error: CanonicalError): string {
  return formatSse(undefined, JSON.stringify(errorObject(error)), '\r\n');
}
