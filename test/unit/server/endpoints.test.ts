import { describe, expect, it } from 'vitest';
import { isLlmuxError } from '../../../lib/errors.js';
import { formatForPath, matchEndpoint } from '../../../lib/server/endpoints.js';

const none = new URLSearchParams();

describe('endpoints', () => {
  it.each([
    ['POST', '/v1/chat/completions', { kind: 'api', format: 'openai', operation: 'chat' }],
    ['POST', '/chat/completions', { kind: 'api', format: 'openai', operation: 'chat' }],
    ['POST', '/v1/embeddings', { kind: 'api', format: 'openai', operation: 'embeddings' }],
    ['POST', '/v1/messages', { kind: 'api', format: 'anthropic', operation: 'chat' }],
    ['GET', '/v1/models', { kind: 'models', format: 'openai' }],
    ['GET', '/v1beta/models', { kind: 'models', format: 'gemini' }],
    ['POST', '/v1beta/models/gemini-2.5-flash:generateContent', { kind: 'api', format: 'gemini', operation: 'chat', pathModel: 'gemini-2.5-flash', pathStream: false }],
  ])('%s %s', (method, path, expected) => {
    expect(matchEndpoint(method, path, none, {})).toEqual(expected);
    expect(formatForPath(path)).toBe(expected.format);
  });

  it('tells the Anthropic SDK’s model list from OpenAI’s by its version header', () => {
    expect(matchEndpoint('GET', '/v1/models', none, { 'anthropic-version': '2023-06-01' })).toEqual({ kind: 'models', format: 'anthropic' });
  });

  it('answers a known path with the wrong method with 405 and Allow, an unknown one with 404', () => {
    const wrong = matchEndpoint('GET', '/v1/chat/completions', none, {});
    expect(isLlmuxError(wrong) && wrong.code).toBe('LLMUX_ERR_METHOD_NOT_ALLOWED');
    expect(isLlmuxError(wrong) && wrong.status).toBe(405);
    const missing = matchEndpoint('POST', '/v1/chat/completion', none, {});
    expect(isLlmuxError(missing) && missing.code).toBe('LLMUX_ERR_NOT_FOUND');
    expect(formatForPath('/v1/messages/count_tokens')).toBe('anthropic');
  });
});
