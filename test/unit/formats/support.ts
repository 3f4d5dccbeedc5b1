/**
 * Shared pieces of the format tests: fixtures, golden files, seeded chunking and a
 * reference accumulator that rebuilds a message from canonical stream events.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';
import { type CanonicalError, type FinishReason, type StreamEvent, type Usage, type WireFormat } from '../../../lib/formats/canonical.js';
import { createSseReader } from '../../../lib/formats/sse.js';
import { getCodec } from '../../../lib/formats/registry.js';
import { seededRandom } from '../../helpers/seeded-random.js';

export const FORMATS: readonly WireFormat[] = ['openai', 'anthropic', 'gemini'];

export const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), '../../fixtures/formats');

export function fixturePath(...parts: string[]): string {
  return join(FIXTURES, ...parts);
}

export function readFixture(...parts: string[]): string {
  return readFileSync(fixturePath(...parts), 'utf8');
}

export function readJson<T>(...parts: string[]): T {
  return JSON.parse(readFixture(...parts)) as T;
}

/**
 * Compares `actual` with a golden file. `UPDATE_GOLDEN=1` (re)writes missing or changed
 * files instead; without it a missing golden file fails the test.
 */
export function expectGolden(actual: string, ...parts: string[]): void {
  const path = fixturePath(...parts);
  if (process.env['UPDATE_GOLDEN'] === '1') {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, actual);
    return;
  }
  expect(existsSync(path), `golden file ${path} is missing (run with UPDATE_GOLDEN=1 once, then review it)`).toBe(true);
  expect(actual).toBe(readFileSync(path, 'utf8'));
}

/** OpenAI chunks carry the wall-clock `created`; golden files hold 0 instead. */
export function normalizeCreated(text: string): string {
  return text.replace(/("created":\s*)\d+/g, (_, key: string) => `${key}0`);
}

export { seededRandom };

/** Splits bytes at random points (chunks of 1..maxSize bytes), including inside UTF-8 characters. */
export function randomChunks(bytes: Uint8Array, seed: number, maxSize = 40): Uint8Array[] {
  const random = seededRandom(seed);
  const chunks: Uint8Array[] = [];
  for (let i = 0; i < bytes.length; ) {
    const size = 1 + Math.floor(random() * maxSize);
    chunks.push(bytes.subarray(i, i + size));
    i += size;
  }
  return chunks;
}

export function byteChunks(bytes: Uint8Array): Uint8Array[] {
  const chunks: Uint8Array[] = [];
  for (let i = 0; i < bytes.length; i++) chunks.push(bytes.subarray(i, i + 1));
  return chunks;
}

export interface RebuiltMessage {
  id?: string;
  text: string;
  toolCalls: { id: string; name: string; arguments: string }[];
  finish?: FinishReason;
  usage?: Usage;
  error?: CanonicalError;
  ended: boolean;
}

/** Folds canonical stream events into the message they describe. */
export function rebuild(events: readonly StreamEvent[]): RebuiltMessage {
  const message: RebuiltMessage = { text: '', toolCalls: [], ended: false };
  const calls = new Map<number, { id: string; name: string; arguments: string }>();
  for (const event of events) {
    switch (event.type) {
      case 'start':
        message.id = event.id;
        if (event.usage) message.usage = event.usage;
        break;
      case 'text_delta':
        message.text += event.text;
        break;
      case 'tool_call_start': {
        const call = { id: event.id, name: event.name, arguments: '' };
        calls.set(event.index, call);
        message.toolCalls.push(call);
        break;
      }
      case 'tool_call_delta': {
        const call = calls.get(event.index);
        if (call) call.arguments += event.argumentsDelta;
        break;
      }
      case 'finish':
        message.finish = event.reason;
        break;
      case 'usage':
        message.usage = event.usage;
        break;
      case 'error':
        message.error = event.error;
        break;
      case 'end':
        message.ended = true;
        break;
      case 'block_stop':
        break;
    }
  }
  return message;
}

/** Decodes a whole SSE text of `format` with llmux's own decoder. */
export function decodeSse(format: WireFormat, text: string): StreamEvent[] {
  const reader = createSseReader();
  const decoder = getCodec(format).createStreamDecoder();
  const events: StreamEvent[] = [];
  for (const e of reader.push(new TextEncoder().encode(text))) events.push(...decoder.decode(e));
  for (const e of reader.end()) events.push(...decoder.decode(e));
  events.push(...decoder.end());
  return events;
}
