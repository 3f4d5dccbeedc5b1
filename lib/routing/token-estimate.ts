/**
 * Estimated prompt tokens of a request, computed once per request (on first use)
 * and shared by rules, the cost strategy, tpm quotas, context-window checks and
 * cost accounting. Text is counted with a real BPE tokenizer (o200k_base, the
 * GPT-4o family's); other providers' tokenizers differ by a few percent, which is
 * close enough to route and budget by. Images follow the providers' documented
 * size rules (OpenAI's 512 px tiles: 85 + 170 per tile), tools count their JSON.
 */
import { countTokens } from './tokenizer.js';
import type { CanonicalMessage, CanonicalRequest, ImagePart } from '../formats/canonical.js';
import { imageSize, type ImageSize } from './image-size.js';

/** Per-message framing tokens (role markers), as OpenAI documents for chat models. */
const PER_MESSAGE = 3;
/** Tokens that prime every reply. */
const REPLY_PRIMING = 3;
/** When an image's size is unknown (a URL): a 1024×1024 image at high detail. */
const DEFAULT_IMAGE: ImageSize = { width: 1024, height: 1024 };

export interface TokenEstimate {
  /** Everything in the prompt: text, images, tool definitions, framing. */
  readonly input: number;
  readonly images: number;
  readonly tools: number;
}

/** OpenAI's rule: fit in 2048², shortest side to 768, then 170 per 512 px tile plus 85. */
export function imageTokens(size: ImageSize = DEFAULT_IMAGE): number {
  let { width, height } = size;
  if (width <= 0 || height <= 0) return 85;
  const fit = Math.min(1, 2048 / Math.max(width, height));
  width *= fit;
  height *= fit;
  const shrink = Math.min(1, 768 / Math.min(width, height));
  width *= shrink;
  height *= shrink;
  return 85 + 170 * Math.ceil(width / 512) * Math.ceil(height / 512);
}

function imageCost(part: ImagePart): number {
  return imageTokens(part.source.kind === 'base64' ? imageSize(part.source.data) : undefined);
}

function messageTokens(message: CanonicalMessage): { text: number; images: number } {
  let text = PER_MESSAGE;
  let images = 0;
  for (const part of message.content) {
    if (part.type === 'text') text += countTokens(part.text);
    else if (part.type === 'image') images += imageCost(part);
    else if (part.type === 'tool_call') text += countTokens(part.name) + countTokens(part.arguments);
    else {
      for (const inner of part.content) {
        if (inner.type === 'text') text += countTokens(inner.text);
        else images += imageCost(inner);
      }
    }
  }
  return { text, images };
}

export function estimateTokens(request: CanonicalRequest): TokenEstimate {
  let input = REPLY_PRIMING;
  let images = 0;
  for (const part of request.system ?? []) input += countTokens(part.text);
  if (request.system?.length) input += PER_MESSAGE;
  for (const message of request.messages) {
    const counted = messageTokens(message);
    input += counted.text;
    images += counted.images;
  }
  const tools = request.tools?.length ? countTokens(JSON.stringify(request.tools)) : 0;
  return { input: input + images + tools, images, tools };
}
