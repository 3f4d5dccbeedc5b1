/**
 * Counters and histograms for the per-request hot path: registered in a prom-client
 * `Registry`, which still writes the text exposition, but not stored by prom-client.
 *
 * prom-client turns the label object into a string key on every `inc()` and
 * `observe()`, even through a child kept from `labels()` (prometheus/client_js#38);
 * at a few thousand requests a second that was most of what a request's metrics
 * cost, in time and garbage. Here a family hands out one cell per label combination,
 * found through one Map per label position (no key is built), and updating a cell is
 * arithmetic on numbers it already holds. `get()` returns what prom-client's own
 * `Counter` and `Histogram` return, so the exposition is the same text.
 *
 * Invalid numbers are dropped, never thrown: llmux records metrics in a response's
 * `close` handler, where a throw would be an uncaught exception. A counter ignores
 * negative and non-finite amounts, a histogram non-finite observations.
 */
import { validateMetricName, type Registry, type RegistryContentType } from 'prom-client';

/** Label names of a family: at most four, so that a lookup takes its values as arguments, not an array. */
export type LabelNames = readonly [] | readonly [string] | readonly [string, string] | readonly [string, string, string] | readonly [string, string, string, string];
/** One value per label name, in the same order (the intersection tells the compiler they fit `cell()`'s four parameters). */
export type LabelValuesOf<N extends LabelNames> = { readonly [K in keyof N]: string } & [string?, string?, string?, string?];
type Labels = Readonly<Record<string, string>>;

export interface FamilyConfig<N extends LabelNames> {
  readonly name: string;
  readonly help: string;
  readonly labelNames: N;
}

export interface HistogramConfig<N extends LabelNames> extends FamilyConfig<N> {
  /** Upper bounds of the buckets, finite and increasing (`+Inf` is always added). */
  readonly buckets: readonly number[];
}

/** One exposition line, as registry.js formats it: `metricName{labels} value` (`metricName` defaults to the family's name). */
export interface Sample {
  readonly labels: Readonly<Record<string, string | number>>;
  readonly value: number;
  readonly metricName?: string;
}

/** What prom-client's `Counter#get()` and `Histogram#get()` resolve to. */
export interface MetricSnapshot {
  readonly name: string;
  readonly help: string;
  readonly type: 'counter' | 'histogram';
  readonly values: Sample[];
  readonly aggregator: 'sum';
}

/** All that registry.js uses of a metric: `metrics()`, `getMetricsAsJSON()`, `resetMetrics()`. */
export interface CollectableMetric {
  /** Not readonly: an OpenMetrics registry strips a counter's `_total` in place. */
  name: string;
  readonly type: 'counter' | 'histogram';
  get(): MetricSnapshot | Promise<MetricSnapshot>;
  reset(): void;
}

declare module 'prom-client' {
  // index.d.ts admits only prom-client's own four classes, though registry.js takes any CollectableMetric.
  // eslint-disable-next-line @typescript-eslint/no-unused-vars -- merging with the class needs its type parameter, unused or not
  interface Registry<BoundRegistryContentType extends RegistryContentType = PrometheusContentType> {
    registerMetric(metric: CollectableMetric): void;
  }
}

const MAX_LABELS = 4;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/** One node per label value so far; the cell hangs off the node of the last label. */
class LabelNode<C> {
  readonly #next = new Map<string | undefined, LabelNode<C>>();
  cell: C | undefined;

  child(value: string | undefined): LabelNode<C> {
    let node = this.#next.get(value);
    if (!node) {
      node = new LabelNode();
      this.#next.set(value, node);
    }
    return node;
  }
}

/** The label tree and the cells in creation order, which is the order prom-client exposes series in. */
abstract class Family<N extends LabelNames, C> implements CollectableMetric {
  abstract readonly type: 'counter' | 'histogram';
  name: string;
  readonly help: string;
  readonly labelNames: N;
  protected readonly cells: C[] = [];
  #root = new LabelNode<C>();
  readonly #create: (labels: Labels) => C;

  constructor(registry: Registry<RegistryContentType>, config: FamilyConfig<N>, create: (labels: Labels) => C) {
    if (!validateMetricName(config.name)) throw new Error(`invalid metric name ${config.name}`);
    if (config.labelNames.length > MAX_LABELS || !config.labelNames.every((l) => LABEL_NAME.test(l))) throw new Error(`invalid label names for ${config.name}`);
    this.name = config.name;
    this.help = config.help;
    this.labelNames = config.labelNames;
    this.#create = create;
    this.reset();
    registry.registerMetric(this);
  }

  /**
   * The cell for these label values (in `labelNames` order), created on first use and
   * exposed from then on. Finding an existing one allocates nothing.
   */
  cell(...values: LabelValuesOf<N>): C;
  cell(v0?: string, v1?: string, v2?: string, v3?: string): C {
    const depth = this.labelNames.length;
    let node = this.#root;
    if (depth > 0) node = node.child(v0);
    if (depth > 1) node = node.child(v1);
    if (depth > 2) node = node.child(v2);
    if (depth > 3) node = node.child(v3);
    return node.cell ?? this.#add(node, [v0, v1, v2, v3]);
  }

  /** Kept out of `cell()`: an arrow function there (capturing `this`) made V8 allocate a context on every call, found or not. */
  #add(node: LabelNode<C>, values: readonly (string | undefined)[]): C {
    const labels: Record<string, string> = {};
    this.labelNames.forEach((name, i) => {
      const value = values[i];
      if (typeof value !== 'string') throw new TypeError(`${this.name}: label ${name} needs a string value`);
      labels[name] = value;
    });
    node.cell = this.#create(Object.freeze(labels));
    this.cells.push(node.cell);
    return node.cell;
  }

  /**
   * Forgets every series, as prom-client's `reset()` does; cells handed out before
   * are no longer exposed. A family without labels starts again with its one series at zero.
   */
  reset(): void {
    this.cells.length = 0;
    this.#root = new LabelNode();
    if (this.labelNames.length === 0) this.#add(this.#root, []);
  }

  abstract get(): MetricSnapshot;
}

/** One counter series. */
export class CounterCell {
  value = 0;

  constructor(readonly labels: Labels) {}

  /** Adds `amount` (default 1); a negative, NaN or infinite amount is ignored. */
  inc(amount = 1): void {
    if (amount >= 0 && amount < Infinity) this.value += amount;
  }
}

/** A counter with labels, like prom-client's `Counter`. */
export class CounterFamily<const N extends LabelNames> extends Family<N, CounterCell> {
  readonly type = 'counter';

  constructor(registry: Registry<RegistryContentType>, config: FamilyConfig<N>) {
    super(registry, config, (labels) => new CounterCell(labels));
  }

  /** The series in the shape of prom-client's `Counter#get()`. */
  get(): MetricSnapshot {
    return { name: this.name, help: this.help, type: this.type, values: this.cells.map((c) => ({ labels: c.labels, value: c.value })), aggregator: 'sum' };
  }
}

/** One histogram series: observations per bucket (not cumulative), their sum and their count. */
export class HistogramCell {
  /** `counts[i]` counts observations in (bounds[i-1], bounds[i]]; those above the last bound show only in `count`. */
  readonly counts: Float64Array;
  sum = 0;
  count = 0;

  constructor(
    readonly labels: Labels,
    /** Upper bounds, increasing; shared by every cell of the family. */
    readonly bounds: Float64Array,
  ) {
    this.counts = new Float64Array(bounds.length);
  }

  /**
   * Counts `value / divisor` in the first bucket whose bound is at least that (`le` is
   * inclusive); NaN and ±Infinity are ignored. Dividing here lets a caller change units
   * (ms to seconds) with numbers it already holds: a quotient computed at the call site
   * is a fresh heap number whenever V8 does not inline the call.
   */
  observe(value: number, divisor = 1): void {
    const v = value / divisor;
    if (!Number.isFinite(v)) return;
    // A linear scan: a dozen bounds, and most observations fall in the first few.
    const bounds = this.bounds;
    for (let i = 0; i < bounds.length; i++) {
      if (v <= (bounds[i] as number)) {
        this.counts[i] = (this.counts[i] as number) + 1;
        break;
      }
    }
    this.sum += v;
    this.count++;
  }
}

/** A histogram with labels, like prom-client's `Histogram`. */
export class HistogramFamily<const N extends LabelNames> extends Family<N, HistogramCell> {
  readonly type = 'histogram';
  readonly #bounds: Float64Array;

  constructor(registry: Registry<RegistryContentType>, config: HistogramConfig<N>) {
    const bounds = Float64Array.from(config.buckets);
    if (bounds.some((b, i) => !Number.isFinite(b) || (i > 0 && b <= (bounds[i - 1] as number)))) throw new Error(`${config.name}: buckets must be finite and increasing`);
    if (config.labelNames.some((l) => l === 'le')) throw new Error(`${config.name}: le is a reserved label name`);
    super(registry, config, (labels) => new HistogramCell(labels, bounds));
    this.#bounds = bounds;
  }

  /** The series in the shape and order of prom-client's `Histogram#get()`: cumulative buckets, `+Inf`, `_sum`, `_count`. */
  get(): MetricSnapshot {
    const bucket = `${this.name}_bucket`;
    const sum = `${this.name}_sum`;
    const count = `${this.name}_count`;
    const values: Sample[] = [];
    for (const cell of this.cells) {
      let cumulative = 0;
      this.#bounds.forEach((le, i) => {
        cumulative += cell.counts[i] as number;
        values.push({ labels: { le, ...cell.labels }, value: cumulative, metricName: bucket });
      });
      values.push({ labels: { le: '+Inf', ...cell.labels }, value: cell.count, metricName: bucket });
      values.push({ labels: cell.labels, value: cell.sum, metricName: sum });
      values.push({ labels: cell.labels, value: cell.count, metricName: count });
    }
    return { name: this.name, help: this.help, type: this.type, values, aggregator: 'sum' };
  }
}
