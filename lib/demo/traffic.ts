/**
 * Drives demo traffic at llmux with plain `fetch`, as any OpenAI client would, and
 * records per request who answered, how, and how long it took.
 */
import { performance } from 'node:perf_hooks';

export interface RequestResult {
  readonly ok: boolean;
  readonly status: number;
  readonly stream: boolean;
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

async function one(url: string, model: string, index: number): Promise<RequestResult> {
  const stream = index % 2 === 1;
  const started = performance.now();
  try {
    const response = await fetch(`${url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Bearer demo' },
      body: JSON.stringify({ model, stream, messages: [{ role: 'user', content: `Request ${index}: say hello.` }] }),
    });
    const text = await response.text();
    const failedMidStream = stream && text.includes('"error"');
    return {
      ok: response.ok && !failedMidStream,
      status: response.status,
      stream,
      target: response.headers.get('x-llmux-target') ?? undefined,
      attempts: parseAttempts(response.headers.get('x-llmux-attempts')),
      ms: performance.now() - started,
    };
  } catch {
    return { ok: false, status: 0, stream, target: undefined, attempts: [], ms: performance.now() - started };
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
