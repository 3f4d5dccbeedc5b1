/**
 * The `forward_proxy:` block of proxy.yaml: llmux as an `HTTPS_PROXY` / `HTTP_PROXY`
 * for applications that cannot change their base URL. Off by default, because turning
 * it on makes the listener answer CONNECT and creates a certificate authority on disk.
 */
import { z } from 'zod';

/** `api.openai.com`, or `*.openai.azure.com` (any subdomain, not the bare domain). */
const HOST_PATTERN = /^(\*\.)?[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?(\.[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?)*$/;

export const hostPattern = z
  .string()
  .trim()
  .toLowerCase()
  .transform((host) => host.replace(/\.$/, ''))
  .refine((host) => HOST_PATTERN.test(host) || /^[0-9a-f:.]+$/.test(host), {
    error: 'must be a host name (api.openai.com), a pattern with a leading *. (*.openai.azure.com) or an IP address, without a port',
  });

const interceptEntry = z.preprocess(
  (value) => (typeof value === 'string' ? { host: value } : value),
  z.strictObject({
    /** Host (or `*.` pattern) whose TLS llmux terminates and whose requests run through the pipeline. */
    host: hostPattern,
    /**
     * Provider (a name under `providers:`) that serves models that are not a route, with
     * the model name unchanged. Unset: the provider whose `base_url` is on the requested
     * host, if exactly one is; otherwise such models get 404 as usual.
     */
    provider: z.string().min(1).optional(),
  }),
);

const credential = z.strictObject({
  username: z.string().min(1),
  password: z.string().min(1),
});

export const DEFAULT_INTERCEPT = ['api.openai.com', 'api.anthropic.com', 'generativelanguage.googleapis.com', '*.openai.azure.com'] as const;

export const forwardProxySchema = z.strictObject({
  /** Answer CONNECT and absolute-form requests on the main listener. @default false */
  enabled: z.boolean().default(false),
  /** Hosts whose traffic is decrypted and served by llmux. @default the four AI API hosts */
  intercept: z.array(interceptEntry).default(DEFAULT_INTERCEPT.map((host) => ({ host }))),
  /**
   * CONNECT to any other host: `deny` (403), `allow` (a blind TCP tunnel), or a list
   * of host patterns to tunnel. @default deny
   */
  tunnel: z
    .union([z.enum(['deny', 'allow']), z.array(hostPattern).min(1)], {
      error: (issue) => (issue.code === 'invalid_union' ? 'must be deny, allow, or a list of host patterns' : undefined),
    })
    .default('deny'),
  /** Tunnel to loopback, private, link-local and unspecified addresses (after DNS resolution). @default false */
  allow_private: z.boolean().default(false),
  /** Directory of the CA (`ca.crt`, `ca.key`); relative to proxy.yaml, `~` is the home directory. @default ~/.llmux/ca */
  ca_dir: z.string().min(1).default('~/.llmux/ca'),
  /** Time allowed to connect a blind tunnel's upstream, in ms. @default 10000 */
  connect_timeout_ms: z.number().int().positive().default(10_000),
  /** Require `Proxy-Authorization: Basic` with one of these credentials. @default none */
  auth: z
    .union([credential.transform((one) => [one]), z.array(credential).min(1)], {
      error: (issue) => (issue.code === 'invalid_union' ? 'must be { username, password } or a list of them' : undefined),
    })
    .default([]),
});

export type ForwardProxyConfig = z.output<typeof forwardProxySchema>;
