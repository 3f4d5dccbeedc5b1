/**
 * One client request as the router sees it: the raw bytes (for pass-through), the
 * parsed body, and — computed once, only when something asks — its canonical form
 * and token estimate. Rules, strategies, filters, quotas, translation and cost
 * accounting all read the same lazily built values.
 */
import { countTokens } from '../routing/tokenizer.js';
import type { CanonicalRequest, JsonObject, WireFormat } from '../formats/canonical.js';
import { getCodec } from '../formats/registry.js';
import { parseJsonObject, type RequestInfo } from '../formats/request-info.js';
import type { ValueSpan } from '../formats/json-splice.js';
import type { Operation } from '../providers/types.js';
import { estimateTokens, type TokenEstimate } from '../routing/token-estimate.js';

/** What a request needs from a target, by the capabilities targets declare. */
export interface RequestNeeds {
  readonly tools: boolean;
  readonly vision: boolean;
  readonly json: boolean;
  readonly streaming: boolean;
}

export class RequestView {
  #canonical: CanonicalRequest | undefined;
  #estimate: TokenEstimate | undefined;
  #needs: RequestNeeds | undefined;
  #body: JsonObject | undefined;

  constructor(
    readonly format: WireFormat,
    readonly operation: Operation,
    readonly raw: Buffer,
    readonly info: RequestInfo,
    /** The model the client named (route, virtual model, or first of its fallback list). */
    readonly requestedModel: string,
    readonly stream: boolean,
    /** Where the body's top-level `model` value lies (formats whose body names the model). */
    readonly modelSpan?: ValueSpan | undefined,
    /** The body, when the caller already parsed it. */
    body?: JsonObject,
  ) {
    this.#body = body;
  }

  /**
   * The parsed body, parsed on first use: a same-format request that nothing inspects
   * passes through as bytes and is never parsed whole.
   */
  get body(): JsonObject {
    this.#body ??= parseJsonObject(this.raw);
    return this.#body;
  }

  /** Prompt tokens as strategies ask for them (`cost` needs an estimate). */
  estimatedInputTokens(): number {
    return this.tokens().input;
  }

  /** The canonical form; throws an `LlmuxError` (400) when the body is not valid for its format. */
  canonical(): CanonicalRequest {
    this.#canonical ??= getCodec(this.format).decodeRequest(this.body, { model: this.requestedModel, stream: this.stream });
    return this.#canonical;
  }

  /** The canonical form, or `undefined` when the body cannot be decoded (it may still pass through). */
  tryCanonical(): CanonicalRequest | undefined {
    try {
      return this.canonical();
    } catch {
      return undefined;
    }
  }

  tokens(): TokenEstimate {
    if (this.#estimate) return this.#estimate;
    if (this.operation === 'embeddings') {
      const input = this.body.input;
      const texts = typeof input === 'string' ? [input] : Array.isArray(input) ? input.filter((i): i is string => typeof i === 'string') : [];
      this.#estimate = { input: texts.reduce((n, t) => n + countTokens(t), 0), images: 0, tools: 0 };
    } else {
      const canonical = this.tryCanonical();
      // A body the codec cannot read still gets a rough size-based figure.
      this.#estimate = canonical ? estimateTokens(canonical) : { input: Math.ceil(this.raw.length / 4), images: 0, tools: 0 };
    }
    return this.#estimate;
  }

  /**
   * Prompt tokens for an after-the-fact cost estimate: the tokenizer's figure when
   * something already counted it, else the body's length over four, so that an
   * answer without usage does not cost a full decode and tokenization.
   */
  roughInputTokens(): number {
    return this.#estimate?.input ?? Math.ceil(this.raw.length / 4);
  }

  needs(): RequestNeeds {
    if (this.#needs) return this.#needs;
    const canonical = this.operation === 'chat' ? this.tryCanonical() : undefined;
    this.#needs = {
      tools: (canonical?.tools?.length ?? 0) > 0,
      vision: canonical?.messages.some((m) => m.content.some((p) => p.type === 'image' || (p.type === 'tool_result' && p.content.some((c) => c.type === 'image')))) ?? false,
      json: canonical?.responseFormat !== undefined,
      streaming: this.stream,
    };
    return this.#needs;
  }

  /** Text of the last user message (what rules' keywords and regexes look at). */
  lastUserText(): string {
    const messages = this.tryCanonical()?.messages ?? [];
    for (let i = messages.length - 1; i >= 0; i--) {
      const message = messages[i];
      if (message?.role !== 'user') continue;
      const text = message.content.flatMap((p) => (p.type === 'text' ? [p.text] : [])).join('\n');
      if (text) return text;
    }
    return '';
  }

  messageCount(): number {
    return this.tryCanonical()?.messages.length ?? 0;
  }
}
