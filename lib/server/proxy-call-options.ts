/**
 * The options llmux hands http-proxy-3 for each upstream call, shaped so that
 * http-proxy-3 and Node's http client do as little per-request copying as they can.
 * Each workaround here was found by counting instructions per request
 * (`npm run bench:instructions -- --functions 40`); none changes what is sent.
 */
import type { Agent } from 'node:http';
import type { Stream } from 'node:stream';
import type { ServerOptions } from 'http-proxy-3';

/**
 * http-proxy-3 reads a dozen fields of its target on every request; on a WHATWG URL
 * each is a getter. A plain object with the same values, made once per endpoint URL
 * (endpoint URLs are cached per provider), costs nothing to read.
 */
export interface PlainTarget {
  /** Path and query, as the upstream request line carries them. */
  readonly path: string;
  readonly href: string;
  readonly protocol: string;
  readonly host: string;
  readonly hostname: string;
  readonly port: string;
  readonly pathname: string;
  readonly search: string;
}

const plainTargets = new WeakMap<URL, PlainTarget>();

export function plainTarget(url: URL): PlainTarget {
  let target = plainTargets.get(url);
  if (!target) {
    const { href, protocol, host, hostname, port, pathname, search } = url;
    target = Object.freeze({ path: `${pathname}${search}`, href, protocol, host, hostname, port, pathname, search });
    plainTargets.set(url, target);
  }
  return target;
}

/**
 * The object http-proxy-3 fills in as the options of `http.request` (its `ssl`
 * option is where it starts from). It copies ten fields of the target into it on
 * every request (`socketPath`, `pfx`, `key`, `passphrase`, `cert`, `ca`, `ciphers`,
 * `secureProtocol`, plus `localAddress` and the fetch path's `url`), undefined for
 * every target llmux has. Node then copies every key of those options three times
 * per request, twice into null-prototype objects that V8 keeps as dictionaries
 * (`ClientRequest`, and `Agent#addRequest`'s merge with the agent's own options):
 * dropping them measured 43,000–48,000 fewer instructions per request, about a
 * tenth of llmux's request (bench/README.md, *Instructions per request*). These
 * setters drop what is assigned to those keys, so they never become own
 * properties and Node copies only the eight that matter. None of the dropped keys
 * can carry anything: upstream TLS settings live on each provider's agent, and a
 * plain target has none of these fields.
 */
class OutgoingOptions {
  set socketPath(_: unknown) {}
  set pfx(_: unknown) {}
  set key(_: unknown) {}
  set passphrase(_: unknown) {}
  set cert(_: unknown) {}
  set ca(_: unknown) {}
  set ciphers(_: unknown) {}
  set secureProtocol(_: unknown) {}
  set localAddress(_: unknown) {}
  set url(_: unknown) {}
}

/**
 * One call's options for http-proxy-3, always built here so that every call (and the
 * server-wide template, with everything undefined) has the same keys in the same order.
 */
export function callOptions(target: PlainTarget | undefined, agent: Agent | undefined, body: { pipe: Stream['pipe'] } | undefined): ServerOptions {
  return {
    // The upstream path goes in as the request's own URL, taken verbatim (`toProxy`)
    // and not joined to the target's path: http-proxy-3 would otherwise parse both
    // with `new URL` on every request.
    prependPath: false,
    selfHandleResponse: true,
    toProxy: true,
    // The upstream's `host` is already in the headers (upstreamHeaders): no per-call port arithmetic to redo it.
    changeOrigin: false,
    xfwd: false,
    // http-proxy-3 treats a target object like a URL: it reads the same fields.
    target: target as unknown as URL,
    agent,
    buffer: body as unknown as Stream,
    // A fresh one per call: http-proxy-3 fills it in and Node copies it, so it cannot be shared.
    ssl: target ? new OutgoingOptions() : undefined,
  };
}
