/**
 * Gemini `Schema` (an OpenAPI 3.0 subset with upper-case `type` enums and `nullable`)
 * → JSON Schema, for tool parameters and response schemas given in Gemini's older
 * `parameters` / `responseSchema` fields. (Encoding to Gemini uses its JSON-Schema
 * fields, `parametersJsonSchema` and `responseJsonSchema`, so no reverse mapping exists.)
 * https://ai.google.dev/api/caching#Schema
 */
import { type JsonObject, type JsonValue } from '../canonical.js';
import { isObject } from '../shared/json.js';

/** Gemini-only keys with no JSON Schema meaning. */
const GEMINI_ONLY = new Set(['propertyOrdering', 'property_ordering', 'nullable', 'example']);

export function schemaToJsonSchema(value: JsonValue): JsonValue {
  if (Array.isArray(value)) return value.map(schemaToJsonSchema);
  if (!isObject(value)) return value;
  const out: JsonObject = {};
  for (const [key, v] of Object.entries(value)) {
    if (GEMINI_ONLY.has(key)) continue;
    if (key === 'type' && typeof v === 'string') {
      if (v !== 'TYPE_UNSPECIFIED') out['type'] = v.toLowerCase();
    } else if (key === 'properties' && isObject(v)) {
      const props: JsonObject = {};
      for (const [name, prop] of Object.entries(v)) props[name] = schemaToJsonSchema(prop);
      out['properties'] = props;
    } else if (key === 'items' || key === 'anyOf' || key === 'any_of') {
      out[key === 'any_of' ? 'anyOf' : key] = schemaToJsonSchema(v);
    } else {
      out[key] = v;
    }
  }
  if (value['nullable'] === true) {
    const type = out['type'];
    const values = out['enum'];
    if (Array.isArray(values) && !values.includes(null)) out['enum'] = [...values, null];
    if (typeof type === 'string') out['type'] = [type, 'null'];
    else return { anyOf: [out, { type: 'null' }] };
  }
  return out;
}
