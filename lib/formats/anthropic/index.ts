/** The Anthropic Messages wire format (`POST /v1/messages`). */
import { type FormatCodec } from '../codec.js';
import { decodeError, encodeError, encodeStreamError } from './errors.js';
import { decodeRequest, encodeRequest } from './request.js';
import { decodeResponse, encodeResponse } from './response.js';
import { createStreamDecoder } from './stream-decoder.js';
import { createStreamEncoder } from './stream-encoder.js';
import { usageFromAnthropic } from './usage.js';

export { ANTHROPIC_LATEST_VERSION } from './version.js';

export const anthropicCodec: FormatCodec = {
  name: 'anthropic',
  decodeRequest,
  encodeRequest,
  decodeResponse,
  usageField: 'usage',
  readUsage: (body) => usageFromAnthropic(body['usage']),
  encodeResponse,
  createStreamDecoder,
  createStreamEncoder,
  decodeError,
  encodeError,
  encodeStreamError,
};
