/**
 * Same format in and out: the client's body goes upstream unchanged except for
 * the top-level `model` value (and the auth headers), and the upstream's answer
 * comes back byte for byte. This is the fast path; nothing is re-serialised.
 */
import type { IncomingMessage } from 'node:http';
import type { WireFormat } from '../formats/canonical.js';
import { findTopLevelValue, spliceJson, type ValueSpan } from '../formats/json-splice.js';
import { getCodec } from '../formats/registry.js';
import type { Operation } from '../providers/types.js';
import type { AttemptHandlers } from '../resilience/attempt-loop.js';
import type { Target } from '../routing/target.js';
import { responseHeaders } from './headers.js';
import { relayBody } from './relay.js';
import type { RequestContext } from './request-context.js';
import type { UpstreamCall } from './upstream.js';

const UPSTREAM_DEFAULTS = { 'accept-encoding': 'identity' } as const;

/** Formats whose body names the model (Gemini names it in the URL instead). */
const modelInBody: Readonly<Record<WireFormat, boolean>> = { openai: true, anthropic: true, gemini: false };

export function passThrough(ctx: RequestContext, raw: Buffer, operation: Operation, format: WireFormat): AttemptHandlers {
  const span: ValueSpan | undefined = modelInBody[format] ? findTopLevelValue(raw, 'model') : undefined;
  // Several targets often share a model name; splice each distinct one once.
  const bodies = new Map<string, Buffer>();
  const bodyFor = (model: string): Buffer => {
    if (!span) return raw;
    let body = bodies.get(model);
    if (!body) {
      const current = raw.subarray(span.start, span.end).toString('utf8');
      body = current === JSON.stringify(model) ? raw : spliceJson(raw, span, model);
      bodies.set(model, body);
    }
    return body;
  };

  return {
    prepare(target: Target): UpstreamCall {
      const { bound, agent } = target.provider;
      return {
        url: bound.endpoint(operation, target.model, ctx.stream),
        body: bodyFor(target.model),
        headers: { ...UPSTREAM_DEFAULTS, ...bound.headers },
        agent,
      };
    },
    async deliver(_target: Target, response: IncomingMessage, first: Buffer | null): Promise<void> {
      const { res } = ctx;
      ctx.measureOverhead();
      res.writeHead(response.statusCode ?? 502, { ...responseHeaders(response.headers, true), ...ctx.llmuxHeaders() });
      const isStream = String(response.headers['content-type'] ?? '').startsWith('text/event-stream');
      const codec = getCodec(format);
      await relayBody(response, res, first, {
        onBroken: isStream
          ? (error) =>
              codec.encodeStreamError({
                status: 502,
                kind: 'bad_gateway',
                message: `the upstream stream from ${ctx.target ?? 'the target'} broke off: ${error.message}`,
                code: 'LLMUX_ERR_UPSTREAM_STREAM_BROKEN',
              })
          : undefined,
      });
    },
  };
}
