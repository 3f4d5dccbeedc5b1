/**
 * Maps a method and path to what the client is asking for. The path alone tells
 * the client's wire format; Gemini also carries the model and the stream mode in it.
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { WireFormat } from '../formats/canonical.js';
import type { Operation } from '../providers/types.js';
import { llmuxError, type LlmuxError } from '../errors.js';

export type Endpoint =
  | {
      readonly kind: 'api';
      readonly format: WireFormat;
      readonly operation: Operation;
      /** Model named in the path (Gemini), instead of the body. */
      readonly pathModel?: string;
      /** Stream mode decided by the path (Gemini), instead of the body. */
      readonly pathStream?: boolean;
    }
  | { readonly kind: 'models'; readonly format: WireFormat };

interface Rule {
  readonly pattern: RegExp;
  readonly method: 'GET' | 'POST';
  readonly build: (match: RegExpExecArray, query: URLSearchParams, headers: IncomingHttpHeaders) => Endpoint | LlmuxError;
}

const GEMINI_MODEL = /^\/(?:v1beta|v1)\/models\/([^/:]+):(generateContent|streamGenerateContent)$/;

// Clients differ on whether the base URL includes `/v1`, so both spellings are served.
const rules: readonly Rule[] = [
  { pattern: /^(?:\/v1)?\/chat\/completions$/, method: 'POST', build: () => ({ kind: 'api', format: 'openai', operation: 'chat' }) },
  { pattern: /^(?:\/v1)?\/embeddings$/, method: 'POST', build: () => ({ kind: 'api', format: 'openai', operation: 'embeddings' }) },
  { pattern: /^\/v1\/messages$/, method: 'POST', build: () => ({ kind: 'api', format: 'anthropic', operation: 'chat' }) },
  {
    pattern: /^(?:\/v1)?\/models$/,
    method: 'GET',
    // The Anthropic SDK lists models on the same path as OpenAI's; its version header tells them apart.
    build: (_m, _q, headers) => ({ kind: 'models', format: headers['anthropic-version'] ? 'anthropic' : 'openai' }),
  },
  { pattern: /^\/(?:v1beta|v1)\/models$/, method: 'GET', build: () => ({ kind: 'models', format: 'gemini' }) },
  {
    pattern: GEMINI_MODEL,
    method: 'POST',
    build(match, query) {
      const stream = match[2] === 'streamGenerateContent';
      if (stream && query.get('alt') !== 'sse') {
        return llmuxError('LLMUX_ERR_INVALID_REQUEST', ['llmux streams Gemini answers as server-sent events only; add `?alt=sse` to :streamGenerateContent (the @google/genai SDK does).']);
      }
      return { kind: 'api', format: 'gemini', operation: 'chat', pathModel: decodeURIComponent(match[1] ?? ''), pathStream: stream };
    },
  },
];

/** Guesses the client's format from the path alone, to shape errors for paths that match nothing. */
export function formatForPath(path: string): WireFormat {
  if (path.startsWith('/v1beta/') || GEMINI_MODEL.test(path)) return 'gemini';
  if (path === '/v1/messages' || path.startsWith('/v1/messages/')) return 'anthropic';
  return 'openai';
}

export function matchEndpoint(method: string, path: string, query: URLSearchParams, headers: IncomingHttpHeaders): Endpoint | LlmuxError {
  for (const rule of rules) {
    const match = rule.pattern.exec(path);
    if (!match) continue;
    if (method !== rule.method) {
      return llmuxError('LLMUX_ERR_METHOD_NOT_ALLOWED', [method, path, rule.method], { headers: { allow: rule.method } });
    }
    return rule.build(match, query, headers);
  }
  return llmuxError('LLMUX_ERR_NOT_FOUND', [method, path]);
}
