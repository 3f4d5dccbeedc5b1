/** The closed registry of wire formats; the pipeline reaches every format through it. */
import { anthropicCodec } from './anthropic/index.js';
import { type WireFormat } from './canonical.js';
import { type FormatCodec } from './codec.js';
import { geminiCodec } from './gemini/index.js';
import { openaiCodec } from './openai/index.js';

export const codecs: Readonly<Record<WireFormat, FormatCodec>> = Object.freeze({
  openai: openaiCodec,
  anthropic: anthropicCodec,
  gemini: geminiCodec,
});

export function getCodec(format: WireFormat): FormatCodec {
  return codecs[format];
}
