/**
 * Identifiers llmux has to invent: Gemini function calls may come without ids, and a
 * translated message needs one in the client's format.
 */
import { randomBytes } from 'node:crypto';

/** A short random token for ids that must not repeat across responses. */
export function randomToken(): string {
  return randomBytes(12).toString('base64url');
}

/** Anthropic tool-use ids must match `^[a-zA-Z0-9_-]+$`; Gemini names may hold `.` and `:`. */
export function idSafe(text: string): string {
  return text.replace(/[^a-zA-Z0-9_-]/g, '_');
}

/** A tool-call id for a call that arrived without one, stable for a given response and position. */
export function syntheticCallId(scope: string, position: number): string {
  return `call_${idSafe(scope)}_${position}`;
}
