/**
 * The live objects a long-lived owner keeps track of (requests in flight, open
 * tunnels, leases): added when they start, deleted when they end, rarely iterated.
 *
 * An array with swap-removal, each member remembering its slot under a symbol, and
 * not a `Set`: a long-lived Set with an entry added and deleted per request rehashes
 * every few dozen changes, and V8 (Node 20) leaves each outgrown table, in the old
 * generation like the Set, pointing at the entries it held and at its successor.
 * Until the next full collection those dead tables keep every member they ever saw
 * reachable, so young-generation collections copied and promoted whole finished
 * requests (README, "The garbage collector": 2.3 KB promoted per request with the
 * upstream stubbed out, 0.09 without the Set).
 */
type Slotted = Record<symbol, number | undefined>;

export class LiveSet<T extends object> implements Iterable<T> {
  readonly #items: T[] = [];
  readonly #slot = Symbol('LiveSet slot');

  get size(): number {
    return this.#items.length;
  }

  has(item: T): boolean {
    const slot = (item as unknown as Slotted)[this.#slot];
    return slot !== undefined && this.#items[slot] === item;
  }

  add(item: T): void {
    if (this.has(item)) return;
    (item as unknown as Slotted)[this.#slot] = this.#items.length;
    this.#items.push(item);
  }

  /** Removes `item` (the last member takes its slot); false when it was not a member. */
  delete(item: T): boolean {
    if (!this.has(item)) return false;
    const slotted = item as unknown as Slotted;
    const slot = slotted[this.#slot] as number;
    slotted[this.#slot] = undefined;
    const last = this.#items.pop() as T;
    if (last !== item) {
      this.#items[slot] = last;
      (last as unknown as Slotted)[this.#slot] = slot;
    }
    return true;
  }

  clear(): void {
    for (const item of this.#items) (item as unknown as Slotted)[this.#slot] = undefined;
    this.#items.length = 0;
  }

  /** Over a copy: members may end (and be deleted) while the caller walks them. */
  [Symbol.iterator](): Iterator<T> {
    return [...this.#items][Symbol.iterator]();
  }
}
