/**
 * A mock AI provider: a real HTTP server on a loopback port that speaks one provider's
 * wire format, records every request, counts concurrency, and injects faults on demand.
 * Integration tests put llmux in front of it, `llmux demo` runs a few in process, and the
 * benchmark runs one as a separate process (see `main.ts`).
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { type Socket } from 'node:net';
import { anthropicDialect } from './anthropic-mock.js';
import {
  defaultBehavior,
  mergeBehavior,
  type MockBehavior,
  type MockBehaviorOptions,
  type ProviderFormat,
} from './behavior.js';
import { type CallContext, type Dialect, type IncomingCall } from './dialect.js';
import { answerRequest, isExchange } from './fault-injector.js';
import { drawRandomFault, type Fault, faultApplies, type FaultInput, type FaultKind, toFault } from './faults.js';
import { geminiDialect } from './gemini-mock.js';
import { openaiDialect } from './openai-mock.js';
import { ReplyScript } from './reply-script.js';

const DIALECTS: Readonly<Record<ProviderFormat, Dialect>> = {
  openai: openaiDialect,
  anthropic: anthropicDialect,
  gemini: geminiDialect,
};

/** How to start a mock; behaviour fields set its initial behaviour. */
export interface MockProviderOptions extends MockBehaviorOptions {
  /** The wire format to speak. */
  readonly format: ProviderFormat;
  /**
   * Name used in the default reply (`Hello from <name>.`) and in listings.
   * @default `<format>-mock`
   */
  readonly name?: string;
  /**
   * Port to listen on; 0 picks a free one.
   * @default 0
   */
  readonly port?: number;
  /**
   * Address to listen on.
   * @default '127.0.0.1'
   */
  readonly host?: string;
  /**
   * The only key accepted; a request without it gets the provider's own auth error.
   * @default undefined (any key, or none, is accepted)
   */
  readonly apiKey?: string;
  /**
   * Source of randomness for random faults, for reproducible runs.
   * @default Math.random
   */
  readonly random?: () => number;
}

/** One request as the mock received it. */
export interface RecordedRequest {
  readonly method: string;
  /** Path and query, as sent. */
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
  /** The raw body. */
  readonly body: Buffer;
  /** The parsed body when it is JSON, else `undefined`. */
  readonly json: unknown;
  /** When the request arrived (epoch ms). */
  readonly time: number;
  /** The fault injected into this request's answer, if any. */
  readonly fault?: FaultKind;
}

/** A running mock provider. */
export interface MockProvider {
  readonly format: ProviderFormat;
  readonly name: string;
  /** Base URL without a trailing slash, e.g. `http://127.0.0.1:43117`. */
  readonly url: string;
  readonly port: number;
  /** Requests received since start or the last `reset()`, oldest first. */
  readonly requests: readonly RecordedRequest[];
  /** Requests being answered right now. */
  readonly inFlight: number;
  /** Highest `inFlight` seen since start or the last `reset()`. */
  readonly maxInFlight: number;
  /** The current behaviour. */
  readonly behavior: MockBehavior;
  /** Scripted faults not yet used. */
  readonly pendingFaults: number;
  /** Changes the behaviour for requests that arrive from now on. */
  setBehavior(patch: MockBehaviorOptions): void;
  /** Queues one-shot faults: each of the next requests (in scope) gets the next fault. */
  enqueue(...faults: FaultInput[]): void;
  /** Resolves once at least `count` requests have been recorded. */
  waitForRequests(count: number, timeoutMs?: number): Promise<readonly RecordedRequest[]>;
  /** Clears recorded requests, queued faults and `maxInFlight`; the behaviour stays. */
  reset(): void;
  /** Stops listening and destroys every open socket, hung ones included. */
  close(): Promise<void>;
}

/** Starts a mock provider and resolves once it listens. */
export async function startMockProvider(options: MockProviderOptions): Promise<MockProvider> {
  const mock = new MockProviderServer(options);
  await mock.listen(options.port ?? 0, options.host ?? '127.0.0.1');
  return mock;
}

interface Waiter {
  readonly count: number;
  readonly resolve: (requests: readonly RecordedRequest[]) => void;
  readonly reject: (error: Error) => void;
  readonly timer: NodeJS.Timeout;
}

class MockProviderServer implements MockProvider {
  readonly format: ProviderFormat;
  readonly name: string;
  readonly #dialect: Dialect;
  readonly #apiKey: string | undefined;
  readonly #random: () => number;
  readonly #server: Server;
  readonly #sockets = new Set<Socket>();
  // A per-mock salt keeps response ids distinct between mocks that share a test.
  readonly #salt = randomBytes(3).toString('hex');
  #behavior: MockBehavior;
  #script: ReplyScript;
  #queue: Fault[] = [];
  #requests: RecordedRequest[] = [];
  #waiters: Waiter[] = [];
  #inFlight = 0;
  #maxInFlight = 0;
  #received = 0;
  #port = 0;
  #closing: Promise<void> | undefined;

  constructor(options: MockProviderOptions) {
    const { format, name, apiKey, random, port: _port, host: _host, ...behavior } = options;
    this.format = format;
    this.name = name ?? `${format}-mock`;
    this.#dialect = DIALECTS[format];
    this.#apiKey = apiKey;
    this.#random = random ?? Math.random;
    this.#behavior = mergeBehavior(defaultBehavior(format), behavior);
    this.#script = new ReplyScript(this.#behavior, this.name);
    this.#server = createServer((req, res) => this.#onRequest(req, res));
    this.#server.on('connection', (socket) => {
      this.#sockets.add(socket);
      socket.once('close', () => this.#sockets.delete(socket));
    });
  }

  listen(port: number, host: string): Promise<void> {
    return new Promise((resolve, reject) => {
      this.#server.once('error', reject);
      this.#server.listen(port, host, () => {
        this.#server.off('error', reject);
        const address = this.#server.address();
        this.#port = typeof address === 'object' && address !== null ? address.port : port;
        resolve();
      });
    });
  }

  get url(): string {
    return `http://127.0.0.1:${this.#port}`;
  }
  get port(): number {
    return this.#port;
  }
  get requests(): readonly RecordedRequest[] {
    return this.#requests;
  }
  get inFlight(): number {
    return this.#inFlight;
  }
  get maxInFlight(): number {
    return this.#maxInFlight;
  }
  get behavior(): MockBehavior {
    return this.#behavior;
  }
  get pendingFaults(): number {
    return this.#queue.length;
  }

  setBehavior(patch: MockBehaviorOptions): void {
    this.#behavior = mergeBehavior(this.#behavior, patch);
    this.#script = new ReplyScript(this.#behavior, this.name);
  }

  enqueue(...faults: FaultInput[]): void {
    this.#queue.push(...faults.map(toFault));
  }

  waitForRequests(count: number, timeoutMs = 10_000): Promise<readonly RecordedRequest[]> {
    if (this.#requests.length >= count) return Promise.resolve(this.#requests);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#waiters = this.#waiters.filter((w) => w.timer !== timer);
        reject(new Error(`${this.name}: ${this.#requests.length} of ${count} requests arrived within ${timeoutMs} ms`));
      }, timeoutMs);
      this.#waiters.push({ count, resolve, reject, timer });
    });
  }

  reset(): void {
    this.#requests = [];
    this.#queue = [];
    this.#maxInFlight = this.#inFlight;
  }

  close(): Promise<void> {
    this.#closing ??= new Promise((resolve) => {
      for (const waiter of this.#waiters) {
        clearTimeout(waiter.timer);
        waiter.reject(new Error(`${this.name} closed before ${waiter.count} requests arrived`));
      }
      this.#waiters = [];
      this.#server.close(() => resolve());
      for (const socket of this.#sockets) socket.destroy();
      this.#server.closeAllConnections();
    });
    return this.#closing;
  }

  #onRequest(req: IncomingMessage, res: ServerResponse): void {
    const time = Date.now();
    this.#inFlight += 1;
    this.#maxInFlight = Math.max(this.#maxInFlight, this.#inFlight);
    res.once('close', () => {
      this.#inFlight -= 1;
    });
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('error', () => undefined);
    req.on('end', () => this.#answer(req, res, chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks), time));
  }

  #answer(req: IncomingMessage, res: ServerResponse, body: Buffer, time: number): void {
    const call = parseCall(req, body);
    const seq = this.#received++;
    const ctx: CallContext = {
      mockName: this.name,
      apiKey: this.#apiKey,
      script: this.#script,
      idSuffix: this.#salt + seq.toString(36).padStart(18, '0'),
      served: seq,
      now: time,
    };
    const accepted = this.#dialect.accept(call, ctx);
    const isModelCall = isExchange(accepted) && accepted.isModelCall;
    const fault = this.#takeFault(isModelCall);
    this.#record({
      method: call.method,
      path: req.url ?? '/',
      headers: req.headers,
      body,
      json: call.json,
      time,
      ...(fault ? { fault: fault.kind } : {}),
    });
    answerRequest({ res, dialect: this.#dialect, ctx, accepted, fault });
  }

  #takeFault(isModelCall: boolean): Fault | undefined {
    // Only the head of the queue is eligible, so scripted faults keep their order.
    const head = this.#queue[0];
    if (head !== undefined && faultApplies(head, isModelCall)) return this.#queue.shift();
    return drawRandomFault(this.#behavior.faults, isModelCall, this.#random);
  }

  #record(request: RecordedRequest): void {
    this.#requests.push(request);
    const ready = this.#waiters.filter((w) => this.#requests.length >= w.count);
    if (ready.length === 0) return;
    this.#waiters = this.#waiters.filter((w) => !ready.includes(w));
    for (const waiter of ready) {
      clearTimeout(waiter.timer);
      waiter.resolve(this.#requests);
    }
  }
}

function parseCall(req: IncomingMessage, body: Buffer): IncomingCall {
  let json: unknown;
  let invalidJson = false;
  if (body.length > 0) {
    try {
      json = JSON.parse(body.toString('utf8')) as unknown;
    } catch {
      invalidJson = true;
    }
  }
  return {
    method: req.method ?? 'GET',
    url: new URL(req.url ?? '/', 'http://mock.invalid'),
    headers: req.headers,
    body,
    json,
    invalidJson,
  };
}
