import { describe, expect, it } from 'vitest';
import { type ErrorKind, llmuxError } from '../../../lib/errors.js';
import { type CanonicalError, type JsonObject, type WireFormat } from '../../../lib/formats/canonical.js';
import { getCodec } from '../../../lib/formats/registry.js';
import { toCanonicalError } from '../../../lib/formats/shared/errors.js';
import { FORMATS, decodeSse, readJson } from './support.js';

interface Case {
  readonly status: number;
  readonly kind: ErrorKind;
  readonly contextLengthExceeded?: boolean;
  readonly body: JsonObject;
}

/** What each client format receives for a kind: HTTP status and its own error type. */
const CLIENT: Record<WireFormat, Partial<Record<ErrorKind, [number, string]>>> = {
  openai: {
    invalid_request: [400, 'invalid_request_error'],
    authentication: [401, 'authentication_error'],
    permission: [403, 'permission_error'],
    not_found: [404, 'not_found_error'],
    rate_limit: [429, 'rate_limit_error'],
    api_error: [500, 'server_error'],
    overloaded: [503, 'server_error'],
  },
  anthropic: {
    invalid_request: [400, 'invalid_request_error'],
    authentication: [401, 'authentication_error'],
    permission: [403, 'permission_error'],
    not_found: [404, 'not_found_error'],
    rate_limit: [429, 'rate_limit_error'],
    api_error: [500, 'api_error'],
    overloaded: [529, 'overloaded_error'],
  },
  gemini: {
    invalid_request: [400, 'INVALID_ARGUMENT'],
    authentication: [401, 'UNAUTHENTICATED'],
    permission: [403, 'PERMISSION_DENIED'],
    not_found: [404, 'NOT_FOUND'],
    rate_limit: [429, 'RESOURCE_EXHAUSTED'],
    api_error: [500, 'INTERNAL'],
    overloaded: [503, 'UNAVAILABLE'],
  },
};

function typeOf(format: WireFormat, body: JsonObject): unknown {
  const err = body['error'] as JsonObject;
  return format === 'gemini' ? err['status'] : err['type'];
}

describe.each(FORMATS)('errors from a %s upstream', (upstream) => {
  const cases = readJson<Case[]>('errors', `${upstream}.json`);

  it.each(cases.map((c) => [c.status, c.kind, c] as const))('HTTP %i is %s', (_status, _kind, c) => {
    const decoded = getCodec(upstream).decodeError(c.status, JSON.stringify(c.body));
    expect(decoded.kind).toBe(c.kind);
    expect(decoded.status).toBe(c.status);
    expect(decoded.message.length).toBeGreaterThan(0);
    expect(Boolean(decoded.contextLengthExceeded)).toBe(Boolean(c.contextLengthExceeded));

    for (const client of FORMATS) {
      const { status, body } = getCodec(client).encodeError(decoded);
      const expected = CLIENT[client][c.kind];
      expect(expected, `no expectation for ${c.kind}`).toBeDefined();
      expect(status).toBe(expected?.[0]);
      expect(typeOf(client, body)).toBe(expected?.[1]);
      const message = (body['error'] as JsonObject)['message'];
      expect(message).toBe(decoded.message);
      if (client === 'anthropic') expect(body['type']).toBe('error');
      if (client === 'gemini') expect((body['error'] as JsonObject)['code']).toBe(status);
      if (client === 'openai') expect(body['error']).toHaveProperty('param', null);
    }
  });

  it('tolerates a body that is not JSON', () => {
    const html = '<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body><center><h1>502 Bad Gateway</h1></center></body></html>';
    const e = getCodec(upstream).decodeError(502, html);
    expect(e).toMatchObject({ status: 502, kind: 'bad_gateway' });
    expect(e.message).toContain('HTTP 502');
    expect(e.message).toContain('502 Bad Gateway');
    expect(getCodec(upstream).decodeError(503, '')).toMatchObject({ kind: 'unavailable', message: expect.stringContaining('empty body') });
    expect(getCodec(upstream).decodeError(429, '{"unexpected": true}').kind).toBe('rate_limit');
  });
});

describe("llmux's own errors", () => {
  it.each(FORMATS)('render in the %s shape', (format) => {
    const err = toCanonicalError(llmuxError('LLMUX_ERR_NO_TARGET', ['route-fast', 'openai-main: breaker open until 12:00:05']));
    const { status, body } = getCodec(format).encodeError(err);
    expect(status).toBe(503);
    expect(JSON.stringify(body)).toContain('breaker open until 12:00:05');
    if (format === 'openai') expect((body['error'] as JsonObject)['code']).toBe('LLMUX_ERR_NO_TARGET');
  });
});

describe('terminal stream errors', () => {
  const error: CanonicalError = { status: 429, kind: 'rate_limit', message: 'Rate limited after the first byte.' };

  it('openai: a data event with an error member', () => {
    const text = getCodec('openai').encodeStreamError(error);
    expect(text).toBe(
      'data: {"error":{"message":"Rate limited after the first byte.","type":"rate_limit_error","param":null,"code":null}}\n\n',
    );
  });

  it('anthropic: an error event', () => {
    expect(getCodec('anthropic').encodeStreamError(error)).toBe(
      'event: error\ndata: {"type":"error","error":{"type":"rate_limit_error","message":"Rate limited after the first byte."}}\n\n',
    );
  });

  it('gemini: a data event with an error member and an HTTP code', () => {
    expect(getCodec('gemini').encodeStreamError(error)).toBe(
      'data: {"error":{"code":429,"message":"Rate limited after the first byte.","status":"RESOURCE_EXHAUSTED"}}\r\n\r\n',
    );
  });

  it.each(FORMATS)('%s stream errors decode back to the same kind', (format) => {
    const events = decodeSse(format, getCodec(format).encodeStreamError(error));
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ type: 'error', error: { kind: 'rate_limit', message: error.message } });
  });
});
