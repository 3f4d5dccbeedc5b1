/**
 * `llmux status [--url URL] [-c proxy.yaml] [--json]`: fetches `/admin/state` from
 * a running llmux's admin listener and prints it as a table.
 *
 * Where to look: `--url`, else the `admin` block of the config given with `-c`
 * (or LLMUX_CONFIG), else the default admin address. Only that block is read and
 * interpolated, so status works on a machine that lacks the provider keys the
 * rest of the file references. From anywhere but loopback, /admin/* needs the
 * admin token: `--token`, LLMUX_ADMIN_TOKEN, or `admin.token` from `-c`.
 */
import { readFile } from 'node:fs/promises';
import { isIP } from 'node:net';
import { parse } from 'yaml';
import { interpolate, type InterpolationIssue } from '../lib/config/interpolate.js';
import { adminSchema } from '../lib/config/schema.js';
import { adminStateViewSchema, renderStatus } from './status-table.js';

export const DEFAULT_ADMIN_URL = 'http://127.0.0.1:4101';
const TIMEOUT_MS = 5_000;

export interface StatusFlags {
  readonly url?: string;
  readonly config?: string;
  readonly json?: boolean;
  readonly token?: string;
}

interface Target {
  readonly url: string;
  readonly token?: string | undefined;
}

/** A failure to report as one line on stderr, exit 1. */
class StatusError extends Error {}

/** Accepts `http://host:port`, with or without a trailing `/`, `/admin` or `/admin/state`. */
function baseUrl(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new StatusError(`--url ${raw} is not a URL; use e.g. ${DEFAULT_ADMIN_URL}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new StatusError(`--url ${raw} must be http:// or https://`);
  return `${url.origin}${url.pathname.replace(/\/+$/, '').replace(/\/admin(\/state)?$/, '')}`;
}

/** The admin listener's address (and token) from proxy.yaml, with the schema's defaults. */
async function targetFromConfig(file: string): Promise<Target> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new StatusError(`cannot read ${file}: ${error instanceof Error ? error.message : String(error)}`);
  }
  let document: unknown;
  try {
    document = parse(text);
  } catch (error) {
    throw new StatusError(`${file} is not valid YAML (run llmux validate -c ${file}): ${error instanceof Error ? error.message : String(error)}`);
  }
  const raw = document && typeof document === 'object' && 'admin' in document ? document.admin : undefined;
  const issues: InterpolationIssue[] = [];
  const parsed = adminSchema.safeParse(interpolate(raw ?? {}, process.env, issues, ['admin']));
  const problem = issues[0]?.message ?? (parsed.success ? undefined : parsed.error.issues.map((i) => `admin.${i.path.join('.')}: ${i.message}`)[0]);
  if (problem !== undefined || !parsed.success) {
    throw new StatusError(`${file}: ${problem ?? 'invalid admin block'} (run llmux validate -c ${file}, or pass --url)`);
  }
  const admin = parsed.data;
  if (!admin.enabled) throw new StatusError(`${file} disables the admin listener (admin.enabled: false); there is no status to read`);
  if (admin.port === 0) throw new StatusError(`${file} gives admin.port: 0 (a free port picked at start); pass --url with the port llmux logged`);
  // A wildcard bind is reachable on loopback; an IPv6 literal needs brackets in a URL.
  const host = admin.host === '0.0.0.0' ? '127.0.0.1' : admin.host === '::' ? '::1' : admin.host;
  return { url: `http://${isIP(host) === 6 ? `[${host}]` : host}:${admin.port}`, token: admin.token };
}

function describeFetchError(error: unknown): string {
  if (error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError')) return `no answer within ${TIMEOUT_MS / 1000} s`;
  const cause = error instanceof Error ? error.cause : undefined;
  if (cause instanceof Error) {
    const code = 'code' in cause && typeof cause.code === 'string' ? cause.code : undefined;
    return code ? `${code}: ${cause.message}` : cause.message;
  }
  return error instanceof Error ? error.message : String(error);
}

async function fetchState(base: string, token: string | undefined): Promise<unknown> {
  const url = `${base}/admin/state`;
  const headers: Record<string, string> = { accept: 'application/json' };
  if (token) headers.authorization = `Bearer ${token}`;
  let response: Response;
  try {
    response = await fetch(url, { headers, signal: AbortSignal.timeout(TIMEOUT_MS) });
  } catch (error) {
    throw new StatusError(
      `cannot connect to llmux at ${url} (${describeFetchError(error)}). Is llmux running with its admin listener there? Pass --url, or -c proxy.yaml to read admin.host and admin.port.`,
    );
  }
  const text = await response.text();
  if (response.status === 403) throw new StatusError(`${url} answered 403: from this address /admin/* needs the admin token${token ? ', and the one sent was not it' : ''}; pass --token (or LLMUX_ADMIN_TOKEN)`);
  if (!response.ok) throw new StatusError(`${url} answered HTTP ${response.status}: ${text.slice(0, 200)}`);
  try {
    return JSON.parse(text);
  } catch {
    throw new StatusError(`${url} did not answer JSON; is that llmux's admin listener?`);
  }
}

export async function statusCommand(flags: StatusFlags): Promise<number> {
  try {
    const config = flags.config ?? process.env.LLMUX_CONFIG;
    const target: Target = flags.url ? { url: baseUrl(flags.url) } : config ? await targetFromConfig(config) : { url: DEFAULT_ADMIN_URL };
    const base = target.url;
    const body = await fetchState(base, flags.token ?? process.env.LLMUX_ADMIN_TOKEN ?? target.token);
    if (flags.json) {
      console.log(JSON.stringify(body, null, 2));
      return 0;
    }
    const state = adminStateViewSchema.safeParse(body);
    if (!state.success) {
      const issue = state.error.issues[0];
      throw new StatusError(`${base}/admin/state does not look like llmux's state (${issue ? `${issue.path.join('.')}: ${issue.message}` : 'unexpected shape'})`);
    }
    const color = process.stdout.isTTY === true && !process.env.NO_COLOR;
    process.stdout.write(renderStatus(state.data, { url: base, color }));
    return 0;
  } catch (error) {
    if (!(error instanceof StatusError)) throw error;
    console.error(`llmux status: ${error.message}`);
    return 1;
  }
}
