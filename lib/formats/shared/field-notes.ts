/**
 * Collects, while a request is decoded or encoded, the fields that cannot travel to
 * another format: those that are dropped (reported in `x-llmux-dropped`) and those
 * that make a cross-format request impossible (rejected when encoded).
 */
import { llmuxError } from '../../errors.js';
import { type CanonicalRequest } from '../canonical.js';

export class FieldNotes {
  private readonly droppedSet = new Set<string>();
  private readonly unsupportedSet = new Set<string>();

  constructor(inherited?: readonly string[]) {
    if (inherited) for (const f of inherited) this.droppedSet.add(f);
  }

  drop(field: string): void {
    this.droppedSet.add(field);
  }

  unsupported(field: string): void {
    this.unsupportedSet.add(field);
  }

  get dropped(): string[] {
    return [...this.droppedSet];
  }

  get unsupportedFields(): string[] {
    return [...this.unsupportedSet];
  }
}

/** Rejects a cross-format request that carries something only its own format can express. */
export function assertExpressible(request: CanonicalRequest, target: string): void {
  const first = request.unsupported?.[0];
  if (first !== undefined) throw llmuxError('LLMUX_ERR_UNSUPPORTED_FIELD', [first, target]);
}

export function unsupportedField(field: string, target: string): never {
  throw llmuxError('LLMUX_ERR_UNSUPPORTED_FIELD', [field, target]);
}
