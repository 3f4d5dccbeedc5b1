/** The Gemini generateContent wire format (`models/{model}:generateContent`, `:streamGenerateContent?alt=sse`). */
import { type FormatCodec } from '../codec.js';
import { decodeError, encodeError, encodeStreamError } from './errors.js';
import { decodeRequest, encodeRequest } from './request.js';
import { decodeResponse, encodeResponse } from './response.js';
import { createStreamDecoder } from './stream-decoder.js';
import { createStreamEncoder } from './stream-encoder.js';
import { usageFromGemini } from './usage.js';
import { field } from './fields.js';

export const geminiCodec: FormatCodec = {
  name: 'gemini',
  decodeRequest,
  encodeRequest,
  decodeResponse,
  usageField: 'usageMetadata',
  readUsage: (body) => usageFromGemini(field(body, 'usageMetadata')),
  encodeResponse,
  createStreamDecoder,
  createStreamEncoder,
  decodeError,
  encodeError,
  encodeStreamError,
};
