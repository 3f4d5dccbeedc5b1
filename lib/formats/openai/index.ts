/** The OpenAI Chat Completions wire format (`POST /v1/chat/completions`). */
import { type FormatCodec } from '../codec.js';
import { decodeError, encodeError, encodeStreamError } from './errors.js';
import { decodeRequest, encodeRequest } from './request.js';
import { decodeResponse, encodeResponse } from './response.js';
import { createStreamDecoder } from './stream-decoder.js';
import { createStreamEncoder } from './stream-encoder.js';
import { usageFromOpenAI } from './usage.js';

export const openaiCodec: FormatCodec = {
  name: 'openai',
  decodeRequest,
  encodeRequest,
  decodeResponse,
  usageField: 'usage',
  readUsage: (body) => usageFromOpenAI(body['usage']),
  encodeResponse,
  createStreamDecoder,
  createStreamEncoder,
  decodeError,
  encodeError,
  encodeStreamError,
};
