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
  /** The client's format on this path (for the models list: when it has no version header). */
  readonly format: WireFormat;
  readonly build: (match: RegExpExecArray, query: URLSearchParams, headers: IncomingHttpHeaders) => Endpoint | LlmuxError;
}

const GEMINI_MODEL = /^\/(?:v1beta|v1)\/models\/([^/:]+):(generateContent|streamGenerateContent)$/;

/** An endpoint that is the same for every request on its path: made once, frozen. */
function constant(endpoint: Endpoint): () => Endpoint {
  const frozen = Object.freeze(endpoint);
  return () => frozen;
}

// Clients differ on whether the base URL includes `/v1`, so both spellings are served.
const rules: readonly Rule[] = [
  { pattern: /^(?:\/v1)?\/chat\/completions$/, method: 'POST', format: 'openai', build: constant({ kind: 'api', format: 'openai', operation: 'chat' }) },
  { pattern: /^(?:\/v1)?\/embeddings$/, method: 'POST', format: 'openai', build: constant({ kind: 'api', format: 'openai', operation: 'embeddings' }) },
  { pattern: /^\/v1\/messages$/, method: 'POST', format: 'anthropic', build: constant({ kind: 'api', format: 'anthropic', operation: 'chat' }) },
  {
    pattern: /^(?:\/v1)?\/models$/,
    method: 'GET',
    format: 'openai',
    // The Anthropic SDK lists models on the same path as OpenAI's; its version header tells them apart.
    build: (_m, _q, headers) => ({ kind: 'models', format: headers['anthropic-version'] ? 'anthropic' : 'openai' }),
  },
  { pattern: /^\/(?:v1beta|v1)\/models$/, method: 'GET', format: 'gemini', build: constant({ kind: 'models', format: 'gemini' }) },
  {
    pattern: GEMINI_MODEL,
    method: 'POST',
    format: 'gemini',
    build(match, query) {
      const stream = match[2] === 'streamGenerateContent';
      if (stream && query.get('alt') !== 'sse') {
        return llmuxError('LLMUX_ERR_INVALID_REQUEST', ['llmux streams Gemini answers as server-sent events only; add `?alt=sse` to :streamGenerateContent (the @google/genai SDK does).']);
      }
      return { kind: 'api', format: 'gemini', operation: 'chat', pathModel: decodeURIComponent(match[1] ?? ''), pathStream: stream };
    },
  },
];

/**
 * The fixed paths and what each serves, for the usual request: one lookup instead
 * of running the rules' patterns (and allocating a match) on every call. Built from
 * the rules themselves, so the two cannot disagree; Gemini's paths carry the model
 * and stay with the patterns.
 */
const FIXED_PATHS: ReadonlyMap<string, Rule> = (() => {
  const paths = new Map<string, Rule>();
  for (const path of ['/v1/chat/completions', '/chat/completions', '/v1/embeddings', '/embeddings', '/v1/messages', '/v1/models', '/models', '/v1beta/models']) {
    const rule = rules.find((r) => r.pattern.test(path));
    if (rule) paths.set(path, rule);
  }
  return paths;
})();

/** Guesses the client's format from the path alone, to shape errors for paths that match nothing. */
export function formatForPath(path: string): WireFormat {
  const fixed = FIXED_PATHS.get(path);
  if (fixed) return fixed.format;
  if (path.startsWith('/v1beta/') || GEMINI_MODEL.test(path)) return 'gemini';
  if (path.startsWith('/v1/messages/')) return 'anthropic';
  return 'openai';
}

export function matchEndpoint(method: string, path: string, query: URLSearchParams, headers: IncomingHttpHeaders): Endpoint | LlmuxError {
  const fixed = FIXED_PATHS.get(path);
  if (fixed) return method === fixed.method ? fixed.build(NO_MATCH, query, headers) : notAllowed(method, path, fixed);
  for (const rule of rules) {
    const match = rule.pattern.exec(path);
    if (!match) continue;
    if (method !== rule.method) return notAllowed(method, path, rule);
    return rule.build(match, query, headers);
  }
  return llmuxError('LLMUX_ERR_NOT_FOUND', [method, path]);
}

function notAllowed(method: string, path: string, rule: Rule): LlmuxError {
  return llmuxError('LLMUX_ERR_METHOD_NOT_ALLOWED', [method, path, rule.method], { headers: { allow: rule.method } });
}

/** Fixed paths' rules read nothing from the match. */
const NO_MATCH = Object.assign([''], { index: 0, input: '' }) as RegExpExecArray;
