/**
 * A parsed YAML file that remembers where every node came from, so a problem
 * found anywhere later (schema, references, interpolation) can name its
 * `file:line:col`.
 */
import { isMap, isScalar, LineCounter, parseDocument, type Document, type Node } from 'yaml';
import { formatKeyPath, type ConfigProblem } from './config-error.js';

export class SourceFile {
  readonly path: string;
  readonly #doc: Document;
  readonly #lines: LineCounter;

  constructor(path: string, text: string) {
    this.path = path;
    this.#lines = new LineCounter();
    this.#doc = parseDocument(text, { lineCounter: this.#lines, prettyErrors: false, uniqueKeys: true });
  }

  /** YAML syntax errors, positioned. */
  syntaxProblems(): ConfigProblem[] {
    return this.#doc.errors.map((error) => {
      const { line, col } = this.#lines.linePos(error.pos[0]);
      return { file: this.path, line, col, key: '', message: error.message.split('\n')[0] ?? error.message };
    });
  }

  /** The plain value of the document (`undefined` for an empty file). */
  value(): unknown {
    return this.#doc.toJS({ maxAliasCount: 100 }) ?? undefined;
  }

  /**
   * Builds a problem at `path`. With `key`, points at that key inside the map at
   * `path` (for "unknown key" problems); otherwise at the deepest existing node.
   */
  problem(path: readonly PropertyKey[], message: string, key?: string): ConfigProblem {
    const position = this.#position(path, key);
    const keyPath = formatKeyPath(key === undefined ? path : [...path, key]);
    return { file: this.path, ...position, key: keyPath, message };
  }

  #position(path: readonly PropertyKey[], key?: string): { line: number; col: number } {
    let node: unknown = this.#doc.contents;
    for (const part of path) {
      const child = isMap(node) || (node && typeof node === 'object' && 'items' in node) ? this.#child(node as Node, part) : undefined;
      if (child === undefined) break;
      node = child;
    }
    if (key !== undefined && isMap(node)) {
      const pair = node.items.find((item) => isScalar(item.key) && String(item.key.value) === key);
      if (pair && isScalar(pair.key)) return this.#at(pair.key.range?.[0]);
    }
    const range = (node as Node | null)?.range;
    return this.#at(range?.[0]);
  }

  #child(node: Node, part: PropertyKey): unknown {
    if (isMap(node)) return node.items.find((item) => isScalar(item.key) && String(item.key.value) === String(part))?.value ?? undefined;
    if ('items' in node && Array.isArray(node.items) && typeof part === 'number') return node.items[part];
    return undefined;
  }

  #at(offset: number | undefined): { line: number; col: number } {
    return offset === undefined ? { line: 1, col: 1 } : this.#lines.linePos(offset);
  }
}
