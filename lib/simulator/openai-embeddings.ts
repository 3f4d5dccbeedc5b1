/**
 * OpenAI Embeddings answers with deterministic vectors: the same input always maps to
 * the same unit vector, so a test can tell which input a vector belongs to after it
 * passed through a proxy. Supports `encoding_format: "base64"`, which the official SDK
 * asks for by default and decodes as little-endian float32.
 */
import { type Reply } from './delivery.js';
import { asArray } from './dialect.js';
import { estimateTokens } from './reply-script.js';
import { JSON_HEADERS } from './sse-writer.js';

/** A unit vector derived from `text` (FNV-1a seed, mulberry32 stream). */
export function embeddingVector(text: string, dimensions: number): Float32Array {
  let seed = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    seed ^= text.charCodeAt(i);
    seed = Math.imul(seed, 0x01000193);
  }
  const vector = new Float32Array(dimensions);
  let norm = 0;
  for (let i = 0; i < dimensions; i++) {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    const value = ((t ^ (t >>> 14)) >>> 0) / 4294967296 - 0.5;
    vector[i] = value;
    norm += value * value;
  }
  const scale = norm > 0 ? 1 / Math.sqrt(norm) : 0;
  for (let i = 0; i < dimensions; i++) vector[i] = vector[i]! * scale;
  return vector;
}

/** The `input` of an embeddings request as a list of texts (token arrays are joined as text). */
export function embeddingInputs(input: unknown): string[] | undefined {
  if (typeof input === 'string') return [input];
  if (!Array.isArray(input) || input.length === 0) return undefined;
  if (input.every((item) => typeof item === 'number')) return [input.join(' ')];
  const texts: string[] = [];
  for (const item of input) {
    if (typeof item === 'string') texts.push(item);
    else if (Array.isArray(item)) texts.push(asArray(item).join(' '));
    else return undefined;
  }
  return texts;
}

/** Everything needed to render one embeddings answer. */
export interface EmbeddingAnswer {
  readonly inputs: readonly string[];
  readonly model: string;
  readonly dimensions: number;
  readonly base64: boolean;
  readonly headers: Readonly<Record<string, string>>;
}

/** A `list` of `embedding` objects with usage. */
export function embeddingsReply(a: EmbeddingAnswer): Reply {
  let promptTokens = 0;
  const data = a.inputs.map((text, index) => {
    promptTokens += estimateTokens(text.length);
    const vector = embeddingVector(text, a.dimensions);
    const embedding = a.base64
      ? Buffer.from(vector.buffer, vector.byteOffset, vector.byteLength).toString('base64')
      : Array.from(vector);
    return { object: 'embedding', index, embedding };
  });
  const body = {
    object: 'list',
    data,
    model: a.model,
    usage: { prompt_tokens: promptTokens, total_tokens: promptTokens },
  };
  return { status: 200, headers: { ...JSON_HEADERS, ...a.headers }, pieces: [JSON.stringify(body)], streaming: false };
}
