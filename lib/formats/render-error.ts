/** Renders an llmux error in a client format's own error shape, through that format's codec. */
import type { LlmuxError } from '../errors.js';
import type { JsonObject, WireFormat } from './canonical.js';
import { getCodec } from './registry.js';

export function renderError(format: WireFormat, error: LlmuxError): { status: number; body: JsonObject } {
  return getCodec(format).encodeError({ status: error.status, kind: error.kind, message: error.message, code: error.code });
}
