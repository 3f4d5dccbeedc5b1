/**
 * Shared by the simulator tests: mocks that are always closed after each test, and a
 * raw HTTP client that reports exactly what arrived before a socket failed or stalled
 * (which `fetch` and the SDKs hide behind one generic error).
 */
import { type IncomingHttpHeaders, request } from 'node:http';
import { afterEach } from 'vitest';
import { type MockProvider, type MockProviderOptions, type ProviderFormat, startMockProvider } from '../../../lib/simulator/index.js';

/** Returns a starter whose mocks are closed after every test of the calling file. */
export function useMocks(): (options: MockProviderOptions) => Promise<MockProvider> {
  const open: MockProvider[] = [];
  afterEach(async () => {
    await Promise.all(open.splice(0).map((mock) => mock.close()));
  });
  return async (options) => {
    const mock = await startMockProvider(options);
    open.push(mock);
    return mock;
  };
}

/** What a raw request saw. */
export interface RawResult {
  readonly status?: number;
  readonly headers?: IncomingHttpHeaders;
  /** Body chunks in arrival order. */
  readonly chunks: readonly string[];
  readonly body: string;
  /** The socket or response error, if the exchange failed. */
  readonly error?: NodeJS.ErrnoException;
  /** The client gave up after `timeoutMs`. */
  readonly timedOut: boolean;
  /** Milliseconds from sending to each chunk's arrival. */
  readonly chunkTimes: readonly number[];
}

/** Options of {@link rawRequest}. */
export interface RawInit {
  readonly method?: string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: unknown;
  /** Abort after this long; the result then has `timedOut`. */
  readonly timeoutMs?: number;
  /** Abort as soon as this many body chunks arrived. */
  readonly stopAfterChunks?: number;
}

/** Sends one request on a fresh connection and collects everything that happens, never throwing. */
export function rawRequest(url: string, init: RawInit = {}): Promise<RawResult> {
  const payload = init.body === undefined ? undefined : typeof init.body === 'string' ? init.body : JSON.stringify(init.body);
  const started = performance.now();
  return new Promise((resolve) => {
    const chunks: string[] = [];
    const chunkTimes: number[] = [];
    let status: number | undefined;
    let headers: IncomingHttpHeaders | undefined;
    let settled = false;
    let timedOut = false;
    const finish = (error?: NodeJS.ErrnoException): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      req.destroy();
      resolve({
        chunks,
        chunkTimes,
        body: chunks.join(''),
        timedOut,
        ...(status === undefined ? {} : { status }),
        ...(headers === undefined ? {} : { headers }),
        ...(error === undefined ? {} : { error }),
      });
    };
    const req = request(url, {
      method: init.method ?? (payload === undefined ? 'GET' : 'POST'),
      agent: false,
      headers: { 'content-type': 'application/json', ...init.headers },
    });
    const timer = setTimeout(() => {
      timedOut = true;
      finish();
    }, init.timeoutMs ?? 5_000);
    req.on('error', (error) => finish(error));
    req.on('response', (res) => {
      status = res.statusCode;
      headers = res.headers;
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        chunks.push(chunk);
        chunkTimes.push(performance.now() - started);
        if (init.stopAfterChunks !== undefined && chunks.length >= init.stopAfterChunks) finish();
      });
      res.on('error', (error) => finish(error));
      res.on('aborted', () => finish(Object.assign(new Error('aborted'), { code: 'ECONNRESET' })));
      res.on('end', () => finish());
    });
    req.end(payload);
  });
}

/** The `data:` payloads of an SSE body, in order. */
export function sseData(body: string): string[] {
  return body
    .split(/\r?\n\r?\n/)
    .flatMap((event) => event.split(/\r?\n/).filter((line) => line.startsWith('data:')))
    .map((line) => line.slice(5).trim());
}

/** The `event:` names of an SSE body, in order. */
export function sseEvents(body: string): string[] {
  return body
    .split(/\r?\n/)
    .filter((line) => line.startsWith('event:'))
    .map((line) => line.slice(6).trim());
}

/** A minimal model call in each format. */
export function modelCall(format: ProviderFormat, url: string, stream = false): [string, RawInit] {
  switch (format) {
    case 'openai':
      return [`${url}/v1/chat/completions`, { body: { model: 'gpt-4o', stream, messages: [{ role: 'user', content: 'hello' }] } }];
    case 'anthropic':
      return [
        `${url}/v1/messages`,
        {
          headers: { 'anthropic-version': '2023-06-01' },
          body: { model: 'claude-haiku-4-5', max_tokens: 10, stream, messages: [{ role: 'user', content: 'hello' }] },
        },
      ];
    case 'gemini':
      return [
        `${url}/v1beta/models/gemini-2.5-flash:${stream ? 'streamGenerateContent?alt=sse' : 'generateContent'}`,
        { body: { contents: [{ role: 'user', parts: [{ text: 'hello' }] }] } },
      ];
  }
}

/** Sends {@link modelCall}'s request raw, with extra client options. */
export function rawModelCall(format: ProviderFormat, url: string, stream: boolean, extra: RawInit = {}): Promise<RawResult> {
  const [target, init] = modelCall(format, url, stream);
  return rawRequest(target, { ...init, ...extra });
}
