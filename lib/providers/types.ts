/**
 * A provider kind knows how to reach one family of upstream APIs: its config keys,
 * its wire format, the URL of each operation, and its auth headers. The core only
 * talks to this interface; the closed set of kinds lives in `registry.ts`.
 */
import type { z } from 'zod';
import type { WireFormat } from '../formats/canonical.js';
import type { HealthCheckConfig } from '../config/resilience-schema.js';

/** What a client asked to do, independent of any provider's URL scheme. */
export type Operation = 'chat' | 'embeddings';

/** Config keys every provider kind shares (the output of each kind's schema). */
export interface ProviderBaseConfig {
  /** The registry name of the kind (`openai`, `azure-openai` …). */
  readonly kind: string;
  /** Upstream base URL, without a trailing slash. */
  readonly base_url: string;
  /** The key llmux sends upstream; usually `${ENV_VAR}` or `${file:/path}`. */
  readonly api_key?: string | undefined;
  /** Extra headers sent with every upstream request. */
  readonly headers: Readonly<Record<string, string>>;
  /** Active health probe settings, when enabled. */
  readonly health_check?: HealthCheckConfig | undefined;
  /** Forward the client's own key instead of `api_key`. */
  readonly passthrough_auth?: boolean | undefined;
}

/** Settings a translated request needs from its provider. */
export interface RequestDefaults {
  /** The API version the upstream is called with (Anthropic's `anthropic-version`). */
  readonly apiVersion?: string | undefined;
  /** `max_tokens` for formats that require one when the client gave none. */
  readonly defaultMaxTokens?: number | undefined;
}

/** A provider kind bound to one validated `providers.<name>` entry. */
export interface BoundProvider {
  readonly format: WireFormat;
  readonly requestDefaults: RequestDefaults;
  readonly operations: readonly Operation[];
  /** Absolute upstream URL of an operation on a model. */
  endpoint(operation: Operation, model: string, stream: boolean): URL;
  /** Auth, version and configured extra headers, computed once when the config loads. */
  readonly headers: Readonly<Record<string, string>>;
  /** True when the client's own key goes upstream (`passthrough_auth`). */
  readonly passthroughAuth: boolean;
  /** `headers` with `key` in this kind's auth header instead of the configured key. */
  headersWithKey(key: string): Readonly<Record<string, string>>;
}

export interface ProviderKind<S extends z.ZodType<ProviderBaseConfig> = z.ZodType<ProviderBaseConfig>> {
  readonly kind: string;
  /** The wire format the upstream speaks; decides whether a request can pass through. */
  readonly format: WireFormat;
  /** One line for `llmux validate --help` and docs. */
  readonly description: string;
  /** The config schema of this kind, `kind` literal included; strict (unknown keys are errors). */
  readonly schema: S;
  readonly operations: readonly Operation[];
  /** Binds a config produced by this kind's own `schema`. */
  bind(config: ProviderBaseConfig): BoundProvider;
}

export interface ProviderKindDefinition<S extends z.ZodType<ProviderBaseConfig>, C = z.output<S>> {
  readonly kind: string;
  readonly format: WireFormat;
  readonly description: string;
  readonly schema: S;
  readonly operations: readonly Operation[];
  endpoint(config: C, operation: Operation, model: string, stream: boolean): URL;
  /** Auth (and version) headers; the configured extra `headers` are merged in by `bind`. */
  authHeaders(config: C): Readonly<Record<string, string>>;
  /** Settings translated requests need (API version, default max tokens). */
  requestDefaults?(config: C): RequestDefaults;
}

/** Erases a kind's config type behind `bind`, so the registry can hold every kind. */
export function defineProviderKind<S extends z.ZodType<ProviderBaseConfig>>(
  def: ProviderKindDefinition<S>,
): ProviderKind<S> {
  return {
    kind: def.kind,
    format: def.format,
    description: def.description,
    schema: def.schema,
    operations: def.operations,
    bind(raw) {
      // `raw` is the output of `def.schema` (the registry dispatches on `kind`).
      const config = raw as z.output<S>;
      const endpoints = new Map<string, URL>();
      return {
        format: def.format,
        operations: def.operations,
        requestDefaults: Object.freeze(def.requestDefaults?.(config) ?? {}),
        endpoint: (operation, model, stream) => {
          // One URL per operation, model and mode, built once: targets ask for the same few.
          const key = `${operation}\u0000${stream ? 1 : 0}\u0000${model}`;
          let url = endpoints.get(key);
          if (!url) {
            url = def.endpoint(config, operation, model, stream);
            if (endpoints.size < 1_000) endpoints.set(key, url);
          }
          return url;
        },
        headers: Object.freeze({ ...config.headers, ...def.authHeaders(config) }),
        passthroughAuth: config.passthrough_auth === true,
        headersWithKey: (key) => Object.freeze({ ...config.headers, ...def.authHeaders({ ...config, api_key: key }) }),
      };
    },
  };
}
