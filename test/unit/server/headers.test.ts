import { describe, expect, it } from 'vitest';
import { responseHeaders, upstreamHeaders } from '../../../lib/server/headers.js';

describe('upstreamHeaders', () => {
  it("forwards the client's own headers but never its credentials, llmux's control headers or hop-by-hop headers", () => {
    const client = {
      host: 'localhost:4100',
      authorization: 'Bearer sk-client',
      'x-api-key': 'client',
      cookie: 'a=b',
      connection: 'keep-alive',
      'content-length': '999',
      'x-llmux-fallback': 'b',
      'x-forwarded-for': '10.0.0.1',
      'x-custom': 'kept',
      'content-type': 'application/json',
    };
    const headers = upstreamHeaders(client, { authorization: 'Bearer sk-provider', 'accept-encoding': 'identity' }, 42, 'api.example.com');
    expect(headers).toEqual({
      'x-custom': 'kept',
      'content-type': 'application/json',
      authorization: 'Bearer sk-provider',
      'accept-encoding': 'identity',
      'content-length': '42',
      host: 'api.example.com',
    });
    // A new object: the client's headers are left as they were.
    expect(client.authorization).toBe('Bearer sk-client');
  });
});

describe('responseHeaders', () => {
  it('drops hop-by-hop headers, and the length and encoding of a body that llmux rewrites', () => {
    const upstream = { 'content-type': 'application/json', 'content-length': '10', 'content-encoding': 'identity', connection: 'close', 'x-request-id': 'r1' };
    expect(responseHeaders(upstream, true)).toEqual({ 'content-type': 'application/json', 'content-length': '10', 'content-encoding': 'identity', 'x-request-id': 'r1' });
    expect(responseHeaders(upstream, false)).toEqual({ 'content-type': 'application/json', 'x-request-id': 'r1' });
  });
});
