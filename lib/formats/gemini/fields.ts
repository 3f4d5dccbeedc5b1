/**
 * Gemini's REST API is protobuf JSON: it answers in lowerCamelCase but accepts the proto
 * names too, and its own curl examples send `system_instruction`, `inline_data`,
 * `generation_config` … so a Gemini client body is read under either spelling.
 */
import { type JsonObject, type JsonValue } from '../canonical.js';

const snakeNames = new Map<string, string>();

function snake(camel: string): string {
  let name = snakeNames.get(camel);
  if (name === undefined) {
    name = camel.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
    snakeNames.set(camel, name);
  }
  return name;
}

/** The field under its camelCase name, else under its snake_case name. */
export function field(obj: JsonObject, camel: string): JsonValue | undefined {
  const v = obj[camel];
  return v === undefined ? obj[snake(camel)] : v;
}

/** Both spellings of a field, for the set of fields a decoder handles itself. */
export function spellings(...camel: string[]): string[] {
  return camel.flatMap((c) => [c, snake(c)]);
}
