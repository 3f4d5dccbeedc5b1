/**
 * Typed reads from untrusted JSON bodies. A wrongly typed field is a malformed request
 * (400, naming the field), never a crash further down.
 */
import { llmuxError } from '../../errors.js';
import { type JsonObject, type JsonValue } from '../canonical.js';

export function isObject(value: JsonValue | undefined): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function invalid(path: string, expected: string): never {
  throw llmuxError('LLMUX_ERR_INVALID_REQUEST', [`\`${path}\` must be ${expected}.`]);
}

/** `undefined` for an absent or null field; throws when present with another type. */
export function optString(obj: JsonObject, key: string, path = key): string | undefined {
  const v = obj[key];
  if (v === undefined || v === null) return undefined;
  return typeof v === 'string' ? v : invalid(path, 'a string');
}

export function optNumber(obj: JsonObject, key: string, path = key): number | undefined {
  const v = obj[key];
  if (v === undefined || v === null) return undefined;
  return typeof v === 'number' && Number.isFinite(v) ? v : invalid(path, 'a number');
}

export function optBoolean(obj: JsonObject, key: string, path = key): boolean | undefined {
  const v = obj[key];
  if (v === undefined || v === null) return undefined;
  return typeof v === 'boolean' ? v : invalid(path, 'a boolean');
}

export function optArray(obj: JsonObject, key: string, path = key): JsonValue[] | undefined {
  const v = obj[key];
  if (v === undefined || v === null) return undefined;
  return Array.isArray(v) ? v : invalid(path, 'an array');
}

export function optObject(obj: JsonObject, key: string, path = key): JsonObject | undefined {
  const v = obj[key];
  if (v === undefined || v === null) return undefined;
  return isObject(v) ? v : invalid(path, 'an object');
}

export function reqString(obj: JsonObject, key: string, path = key): string {
  return optString(obj, key, path) ?? invalid(path, 'a string');
}

export function reqArray(obj: JsonObject, key: string, path = key): JsonValue[] {
  return optArray(obj, key, path) ?? invalid(path, 'an array');
}

export function asObject(value: JsonValue | undefined, path: string): JsonObject {
  return isObject(value) ? value : invalid(path, 'an object');
}

/** Parses a JSON text that should hold an object; `undefined` when it is not JSON or not an object. */
export function parseObject(text: string): JsonObject | undefined {
  try {
    const v = JSON.parse(text) as JsonValue;
    return isObject(v) ? v : undefined;
  } catch {
    return undefined;
  }
}

/** Parses tool-call arguments (a JSON text) into the object Anthropic and Gemini carry. */
export function parseArguments(text: string, where: string): JsonObject {
  if (text.trim() === '') return {};
  const obj = parseObject(text);
  if (!obj) {
    throw llmuxError('LLMUX_ERR_INVALID_REQUEST', [`The arguments of ${where} are not a JSON object.`]);
  }
  return obj;
}

/** An `unmapped` entry is only worth reporting when the client set something meaningful. */
export function isSet(value: JsonValue | undefined): boolean {
  return value !== undefined && value !== null && value !== false;
}
