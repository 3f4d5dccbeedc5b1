/** The embedded default backend: state lives in this process only. */
import { randomUUID } from 'node:crypto';
import { foldEwma, type Lease, type StateStore } from './store.js';

export class MemoryStore implements StateStore {
  readonly backend = 'memory';
  readonly #counts = new Map<string, number>();
  readonly #leases = new Set<string>();
  readonly #latency = new Map<string, number>();

  acquire(target: string, limit: number): Promise<Lease | undefined> {
    const count = this.#counts.get(target) ?? 0;
    if (count >= limit) return Promise.resolve(undefined);
    this.#counts.set(target, count + 1);
    const lease = { target, id: randomUUID() };
    this.#leases.add(lease.id);
    return Promise.resolve(lease);
  }

  release(lease: Lease): Promise<void> {
    if (this.#leases.delete(lease.id)) {
      const count = (this.#counts.get(lease.target) ?? 1) - 1;
      if (count > 0) this.#counts.set(lease.target, count);
      else this.#counts.delete(lease.target);
    }
    return Promise.resolve();
  }

  inFlight(targets: readonly string[]): Promise<number[]> {
    return Promise.resolve(targets.map((t) => this.#counts.get(t) ?? 0));
  }

  recordLatency(target: string, ms: number): Promise<void> {
    this.#latency.set(target, foldEwma(this.#latency.get(target), ms));
    return Promise.resolve();
  }

  latency(targets: readonly string[]): Promise<(number | undefined)[]> {
    return Promise.resolve(targets.map((t) => this.#latency.get(t)));
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}
