/**
 * The one registry of errors llmux raises. Every error has a stable code
 * (`LLMUX_ERR_*`), the HTTP status a client receives, a canonical kind that each
 * client format maps to its own error type, and a message that tells the user
 * what to change. Raw Node errors never reach a client: they become the `cause`.
 */

/**
 * Canonical error kinds. Each wire format (OpenAI, Anthropic, Gemini) renders these
 * as its own `type` / `status` strings, so the registry stays format-neutral.
 */
export type ErrorKind =
  | 'invalid_request'
  | 'authentication'
  | 'permission'
  | 'not_found'
  | 'method_not_allowed'
  | 'request_too_large'
  | 'request_timeout'
  | 'rate_limit'
  | 'api_error'
  | 'overloaded'
  | 'bad_gateway'
  | 'unavailable'
  | 'timeout';

interface ErrorSpec {
  readonly status: number;
  readonly kind: ErrorKind;
  readonly message: (...args: never[]) => string;
}

const list = (names: readonly string[]): string => (names.length ? names.join(', ') : '(none configured)');

/** Every error llmux can raise, by stable code. */
export const ERRORS = {
  LLMUX_ERR_INVALID_JSON: {
    status: 400,
    kind: 'invalid_request',
    message: (detail: string) => `The request body is not valid JSON (${detail}). Send a JSON object.`,
  },
  LLMUX_ERR_INVALID_REQUEST: {
    status: 400,
    kind: 'invalid_request',
    message: (detail: string) => detail,
  },
  LLMUX_ERR_UNSUPPORTED_FIELD: {
    status: 400,
    kind: 'invalid_request',
    message: (field: string, target: string) =>
      `The request uses \`${field}\`, which ${target} cannot express. Remove it, or route this model to a provider that supports it.`,
  },
  LLMUX_ERR_UNKNOWN_ROUTE: {
    status: 404,
    kind: 'not_found',
    message: (model: string, routes: readonly string[]) =>
      `The model \`${model}\` does not exist: llmux has no route of that name. Known routes: ${list(routes)}.`,
  },
  LLMUX_ERR_NOT_FOUND: {
    status: 404,
    kind: 'not_found',
    message: (method: string, path: string) =>
      `No endpoint at ${method} ${path}. llmux serves POST /v1/chat/completions, POST /v1/embeddings, POST /v1/messages, POST /v1beta/models/{model}:generateContent and GET /v1/models.`,
  },
  LLMUX_ERR_METHOD_NOT_ALLOWED: {
    status: 405,
    kind: 'method_not_allowed',
    message: (method: string, path: string, allowed: string) =>
      `${method} is not allowed on ${path}; use ${allowed}.`,
  },
  LLMUX_ERR_BODY_TOO_LARGE: {
    status: 413,
    kind: 'request_too_large',
    message: (limit: number) =>
      `The request body is larger than the limit of ${limit} bytes. Send a smaller request, or raise limits.max_body_bytes in proxy.yaml.`,
  },
  LLMUX_ERR_CLIENT_TIMEOUT: {
    status: 408,
    kind: 'request_timeout',
    message: (ms: number) => `The request body did not arrive within ${ms} ms. Send the whole body promptly.`,
  },
  LLMUX_ERR_UNAUTHORIZED: {
    status: 401,
    kind: 'authentication',
    message: () => 'Missing or invalid client key. Send one of the keys configured under auth.keys in proxy.yaml.',
  },
  LLMUX_ERR_FORBIDDEN_ROUTE: {
    status: 403,
    kind: 'permission',
    message: (route: string) => `This client key may not use the route \`${route}\`.`,
  },
  LLMUX_ERR_NO_TARGET: {
    status: 503,
    kind: 'unavailable',
    message: (route: string, reasons: string) => `No target of route \`${route}\` can serve this request: ${reasons}.`,
  },
  LLMUX_ERR_UPSTREAM_UNREACHABLE: {
    status: 502,
    kind: 'bad_gateway',
    message: (route: string, detail: string) => `No upstream of route \`${route}\` could be reached: ${detail}.`,
  },
  LLMUX_ERR_UPSTREAM_TIMEOUT: {
    status: 504,
    kind: 'timeout',
    message: (route: string, detail: string) => `Every upstream of route \`${route}\` timed out: ${detail}.`,
  },
  LLMUX_ERR_UPSTREAM_BAD_RESPONSE: {
    status: 502,
    kind: 'bad_gateway',
    message: (route: string, detail: string) => `The upstreams of route \`${route}\` sent malformed answers: ${detail}.`,
  },
  LLMUX_ERR_RATE_LIMITED: {
    status: 429,
    kind: 'rate_limit',
    message: (route: string, detail: string) => `Every upstream of route \`${route}\` is rate-limited: ${detail}. Retry after the time in Retry-After.`,
  },
  LLMUX_ERR_UPSTREAM_STREAM_BROKEN: {
    status: 502,
    kind: 'bad_gateway',
    message: (target: string, detail: string) => `The stream from ${target} broke off: ${detail}.`,
  },
  LLMUX_ERR_BUDGET_EXCEEDED: {
    status: 429,
    kind: 'rate_limit',
    message: (route: string, detail: string) => `Route \`${route}\` is over its budget: ${detail}. Retry after the time in Retry-After, or raise the budget.`,
  },
  LLMUX_ERR_KEY_BUDGET_EXCEEDED: {
    status: 429,
    kind: 'rate_limit',
    message: (key: string, detail: string) => `The client key \`${key}\` is over its budget: ${detail}.`,
  },
  LLMUX_ERR_SHUTTING_DOWN: {
    status: 503,
    kind: 'unavailable',
    message: () => 'llmux is shutting down; retry against another replica.',
  },
  LLMUX_ERR_OVERLOADED: {
    status: 503,
    kind: 'overloaded',
    message: (limit: number) => `llmux is at its limit of ${limit} concurrent requests; retry shortly.`,
  },
  LLMUX_ERR_PROXY_AUTH_REQUIRED: {
    status: 407,
    kind: 'authentication',
    message: () =>
      'Proxy authentication required: send Proxy-Authorization: Basic with a username and password from forward_proxy.auth in proxy.yaml (e.g. HTTPS_PROXY=http://user:pass@127.0.0.1:4100).',
  },
  LLMUX_ERR_FORWARD_DISABLED: {
    status: 403,
    kind: 'permission',
    message: () =>
      "llmux's forward proxy is off: set forward_proxy.enabled: true in proxy.yaml, or point the client's base URL at llmux instead of using it as HTTPS_PROXY.",
  },
  LLMUX_ERR_FORWARD_HOST_FORBIDDEN: {
    status: 403,
    kind: 'permission',
    message: (host: string) =>
      `llmux neither intercepts nor tunnels ${host}. Add it to forward_proxy.intercept to serve it through llmux or to forward_proxy.tunnel to pass it through, or list it in the client's NO_PROXY.`,
  },
  LLMUX_ERR_FORWARD_PLAIN_HTTP: {
    status: 403,
    kind: 'permission',
    message: (host: string) =>
      `llmux forwards plain-HTTP (absolute-form) requests only to intercepted hosts, and ${host} is not one. Use https:// (tunnelled as forward_proxy.tunnel allows) or add the host to forward_proxy.intercept.`,
  },
  LLMUX_ERR_FORWARD_PRIVATE_ADDRESS: {
    status: 403,
    kind: 'permission',
    message: (host: string, address: string) =>
      `${host} is (or resolves to) ${address}, a loopback, private, link-local or unspecified address; llmux tunnels there only with forward_proxy.allow_private: true.`,
  },
  LLMUX_ERR_FORWARD_REMOTE_CLIENT: {
    status: 403,
    kind: 'permission',
    message: (client: string) =>
      `llmux opens tunnels for clients on other machines (this one is ${client}) only when forward_proxy.auth is configured, so that it is never an open proxy.`,
  },
  LLMUX_ERR_TUNNEL_UNREACHABLE: {
    status: 502,
    kind: 'bad_gateway',
    message: (target: string, detail: string) => `The tunnel target ${target} could not be reached: ${detail}.`,
  },
  LLMUX_ERR_BAD_CONNECT: {
    status: 400,
    kind: 'invalid_request',
    message: (authority: string) => `CONNECT needs a host:port target, got ${JSON.stringify(authority)}.`,
  },
  LLMUX_ERR_INTERNAL: {
    status: 500,
    kind: 'api_error',
    message: (requestId: string) => `llmux failed unexpectedly while handling request ${requestId}; see its log.`,
  },
} as const satisfies Record<string, ErrorSpec>;

export type ErrorCode = keyof typeof ERRORS;
type MessageArgs<C extends ErrorCode> = Parameters<(typeof ERRORS)[C]['message']>;

export interface LlmuxErrorOptions {
  /** The underlying error (a Node socket error, a parse error …); never shown to the client. */
  readonly cause?: unknown;
  /** Headers to add to the error response (e.g. `allow`, `retry-after`). */
  readonly headers?: Readonly<Record<string, string>>;
  /** Overrides the registry status (used when relaying an upstream status). */
  readonly status?: number;
}

/** An error with a stable code, meant to be shown to a client in its own format. */
export class LlmuxError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly kind: ErrorKind;
  readonly headers: Readonly<Record<string, string>>;

  constructor(code: ErrorCode, message: string, options: LlmuxErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'LlmuxError';
    this.code = code;
    this.status = options.status ?? ERRORS[code].status;
    this.kind = ERRORS[code].kind;
    this.headers = options.headers ?? {};
  }
}

/** Builds the registry error `code`; its arguments are typed by the message template. */
export function llmuxError<C extends ErrorCode>(code: C, args: MessageArgs<C>, options?: LlmuxErrorOptions): LlmuxError {
  const template = ERRORS[code].message as (...a: MessageArgs<C>) => string;
  return new LlmuxError(code, template(...args), options);
}

export function isLlmuxError(err: unknown): err is LlmuxError {
  return err instanceof LlmuxError;
}
