/**
 * Drives demo traffic at llmux with plain `fetch`, taking turns as an OpenAI, an
 * Anthropic and a Gemini client (streamed and not), and records per request who
 * answered, how, and how long it took.
 */
import { performance } from 'node:perf_hooks';

export type ClientFormat = 'openai' | 'anthropic' | 'gemini';
export const CLIENT_FORMATS: readonly ClientFormat[] = ['openai', 'anthropic', 'gemini'];

export interface RequestResult {
  readonly ok: boolean;
  readonly status: number;
  readonly stream: boolean;
  readonly format: ClientFormat;
  /** `x-llmux-target` of the answer, when there was one. */
  readonly target: string | undefined;
  /** Per-target outcomes from `x-llmux-attempts`. */
  readonly attempts: readonly { readonly target: string; readonly outcome: string }[];
  readonly ms: number;
}

export interface TrafficOptions {
  readonly url: string;
  readonly model: string;
  readonly requests: number;
  readonly concurrency: number;
  readonly onResult: (result: RequestResult, done: number) => void;
}

export function parseAttempts(header: string | null): RequestResult['attempts'] {
  if (!header) return [];
  return header
    .split(';')
    .slice(1)
    .map((part) => part.trim())
    .filter(Boolean)
    .map((part) => {
      const at = part.lastIndexOf('=');
      return { target: part.slice(0, at), outcome: part.slice(at + 1) };
    });
}

interface Call {
  readonly path: string;
  readonly headers: Record<string, string>;
  readonly body: unknown;
}

function callFor(format: ClientFormat, model: string, stream: boolean, prompt: string): Call {
  switch (format) {
    case 'openai':
      return { path: '/v1/chat/completions', headers: { authorization: 'Bearer demo' }, body: { model, stream, messages: [{ role: 'user', content: prompt }] } };
    case 'anthropic':
      return {
        path: '/v1/messages',
        headers: { 'x-api-key': 'demo', 'anthropic-version': '2023-06-01' },
        body: { model, stream, max_tokens: 256, messages: [{ role: 'user', content: prompt }] },
      };
    case 'gemini':
      return {
        path: `/v1beta/models/${model}:${stream ? 'streamGenerateContent?alt=sse' : 'generateContent'}`,
        headers: { 'x-goog-api-key': 'demo' },
        body: { contents: [{ role: 'user', parts: [{ text: prompt }] }] },
      };
  }
}

/** A stream that ended in an error event (each format writes `error` into its event). */
const streamFailed = (text: string): boolean => /"error"\s*:/.test(text) || text.includes('event: error');

async function one(url: string, model: string, index: number): Promise<RequestResult> {
  const format = CLIENT_FORMATS[index % CLIENT_FORMATS.length] as ClientFormat;
  const stream = Math.floor(index / CLIENT_FORMATS.length) % 2 === 1;
  const call = callFor(format, model, stream, `Request ${index}: say hello.`);
  const started = performance.now();
  try {
    const response = await fetch(`${url}${call.path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...call.headers },
      body: JSON.stringify(call.body),
    });
    const text = await response.text();
    return {
      ok: response.ok && !(stream && streamFailed(text)),
      status: response.status,
      stream,
      format,
      target: response.headers.get('x-llmux-target') ?? undefined,
      attempts: parseAttempts(response.headers.get('x-llmux-attempts')),
      ms: performance.now() - started,
    };
  } catch {
    return { ok: false, status: 0, stream, format, target: undefined, attempts: [], ms: performance.now() - started };
  }
}

export async function driveTraffic(options: TrafficOptions): Promise<RequestResult[]> {
  const results: RequestResult[] = [];
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < options.requests) {
      const result = await one(options.url, options.model, next++);
      results.push(result);
      options.onResult(result, results.length);
    }
  };
  await Promise.all(Array.from({ length: Math.min(options.concurrency, options.requests) }, worker));
  return results;
}
