import { describe, expect, it } from 'vitest';
import { Counter, Histogram, Registry, type OpenMetricsContentType } from 'prom-client';
import { CounterFamily, HistogramFamily } from '../../../lib/telemetry/metric-cells.js';

// Each test feeds a family and a real prom-client metric of the same name, labels and
// buckets, on two registries, and expects the same exposition text.

const BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
const COST = { name: 'llmux_cost_usd_total', help: 'US dollars spent.', labelNames: ['route', 'target', 'estimated'] } as const;
const DURATION = { name: 'llmux_request_duration_seconds', help: 'Whole request duration.', labelNames: ['route', 'format', 'stream'], buckets: BUCKETS } as const;

describe('CounterFamily', () => {
  it('exposes what a prom-client Counter fed the same exposes, fractional amounts and escaped label values included', async () => {
    const ours = new Registry();
    const theirs = new Registry();
    const family = new CounterFamily(ours, COST);
    const counter = new Counter({ ...COST, registers: [theirs] });
    const feed: [string, string, string, number][] = [
      ['r', 'a/m', 'false', 0.1],
      ['r', 'a/m', 'false', 0.2],
      ['r', 'b/m', 'true', 0.0000123],
      ['s', 'a/m', 'false', 3],
      ['r', 'b/m', 'true', 0.0000123],
      ['q"uote\\back\nline', 'a/m', 'false', 0],
    ];
    for (const [route, target, estimated, usd] of feed) {
      family.cell(route, target, estimated).inc(usd);
      counter.labels(route, target, estimated).inc(usd);
    }
    const text = await ours.metrics();
    expect(text).toBe(await theirs.metrics());
    expect(text).toContain('\nllmux_cost_usd_total{route="r",target="a/m",estimated="false"} 0.30000000000000004\n');
    expect(text).toContain('\nllmux_cost_usd_total{route="r",target="b/m",estimated="true"} 0.0000246\n');
    expect(text).toContain('\nllmux_cost_usd_total{route="q\\"uote\\\\back\\nline",target="a/m",estimated="false"} 0\n');
  });

  it('counts one per inc() by default, and matches prom-client on an OpenMetrics registry too', async () => {
    const ours = new Registry<OpenMetricsContentType>();
    const theirs = new Registry<OpenMetricsContentType>();
    ours.setContentType(Registry.OPENMETRICS_CONTENT_TYPE);
    theirs.setContentType(Registry.OPENMETRICS_CONTENT_TYPE);
    const family = new CounterFamily(ours, { name: 'llmux_requests_total', help: 'Requests.', labelNames: ['status'] });
    const counter = new Counter({ name: 'llmux_requests_total', help: 'Requests.', labelNames: ['status'], registers: [theirs] });
    for (const status of ['200', '200', '503', '200']) {
      family.cell(status).inc();
      counter.labels(status).inc();
    }
    const text = await ours.metrics();
    expect(text).toBe(await theirs.metrics());
    expect(text).toContain('\nllmux_requests_total{status="200"} 3\n');
  });

  it('ignores negative, NaN and infinite amounts (prom-client would throw or store NaN)', async () => {
    const ours = new Registry();
    const cell = new CounterFamily(ours, COST).cell('r', 'a/m', 'false');
    for (const bad of [-1, Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY]) cell.inc(bad);
    cell.inc(2.5);
    expect(cell.value).toBe(2.5);
    expect(await ours.metrics()).toContain('\nllmux_cost_usd_total{route="r",target="a/m",estimated="false"} 2.5\n');
  });
});

describe('HistogramFamily', () => {
  it('exposes the buckets, +Inf, _sum and _count of a prom-client Histogram fed the same, series in first-use order', async () => {
    const ours = new Registry();
    const theirs = new Registry();
    const family = new HistogramFamily(ours, DURATION);
    const histogram = new Histogram({ ...DURATION, labelNames: [...DURATION.labelNames], buckets: [...BUCKETS], registers: [theirs] });
    const feed: [string, string, string, number][] = [
      ['r', 'openai', 'false', 0.005],
      ['s', 'anthropic', 'true', 10],
      ['r', 'openai', 'false', 0.0050000001],
      ['s', 'anthropic', 'true', 10.5],
      ['r', 'openai', 'false', 0],
      ['r', 'openai', 'true', 1],
      ['r', 'openai', 'false', 0.3],
      ['s', 'anthropic', 'true', 120],
      ['r', 'openai', 'false', -0.5],
    ];
    for (const [route, format, stream, seconds] of feed) {
      family.cell(route, format, stream).observe(seconds);
      histogram.labels(route, format, stream).observe(seconds);
    }
    const text = await ours.metrics();
    expect(text).toBe(await theirs.metrics());
    const r = 'route="r",format="openai",stream="false"';
    const s = 'route="s",format="anthropic",stream="true"';
    // `le` is inclusive: 0.005 counts in the 0.005 bucket, 0.0050000001 only from 0.01 on.
    expect(text).toContain(`\nllmux_request_duration_seconds_bucket{le="0.005",${r}} 3\n`);
    expect(text).toContain(`\nllmux_request_duration_seconds_bucket{le="0.01",${r}} 4\n`);
    expect(text).toContain(`\nllmux_request_duration_seconds_bucket{le="10",${s}} 1\n`);
    // Above the last bound: in +Inf and _count only.
    expect(text).toContain(`\nllmux_request_duration_seconds_bucket{le="+Inf",${s}} 3\n`);
    expect(text).toContain(`\nllmux_request_duration_seconds_sum{${s}} 140.5\n`);
    expect(text).toContain(`\nllmux_request_duration_seconds_count{${s}} 3\n`);
    expect(text.indexOf(`_count{${r}}`)).toBeLessThan(text.indexOf(`_bucket{le="0.005",${s}}`));
  });

  it('observes value / divisor exactly as prom-client observes the quotient', async () => {
    const ours = new Registry();
    const theirs = new Registry();
    const cell = new HistogramFamily(ours, { name: 'llmux_overhead_seconds', help: 'Overhead.', labelNames: [], buckets: BUCKETS }).cell();
    const histogram = new Histogram({ name: 'llmux_overhead_seconds', help: 'Overhead.', buckets: [...BUCKETS], registers: [theirs] });
    for (const ms of [5, 250, 0.37, 12_000, 7.3]) {
      cell.observe(ms, 1000);
      histogram.observe(ms / 1000);
    }
    const text = await ours.metrics();
    expect(text).toBe(await theirs.metrics());
    expect(text).toContain('\nllmux_overhead_seconds_bucket{le="0.005"} 2\n');
    expect(text).toContain('\nllmux_overhead_seconds_count 5\n');
  });

  it('ignores NaN and infinite observations', () => {
    const cell = new HistogramFamily(new Registry(), DURATION).cell('r', 'openai', 'false');
    for (const bad of [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY]) cell.observe(bad);
    cell.observe(20, 1000);
    cell.observe(1, 0);
    expect([cell.count, cell.sum]).toEqual([1, 0.02]);
    expect(Array.from(cell.counts)).toEqual([0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0]);
  });
});

describe('families', () => {
  it('show nothing but HELP and TYPE until used, except one without labels, which starts at zero like prom-client', async () => {
    const ours = new Registry();
    const theirs = new Registry();
    new HistogramFamily(ours, DURATION);
    new Histogram({ ...DURATION, labelNames: [...DURATION.labelNames], buckets: [...BUCKETS], registers: [theirs] });
    new CounterFamily(ours, COST);
    new Counter({ ...COST, registers: [theirs] });
    new HistogramFamily(ours, { name: 'h', help: 'Unlabelled.', labelNames: [], buckets: [1, 2] });
    new Histogram({ name: 'h', help: 'Unlabelled.', buckets: [1, 2], registers: [theirs] });
    new CounterFamily(ours, { name: 'c', help: 'Unlabelled.', labelNames: [] });
    new Counter({ name: 'c', help: 'Unlabelled.', registers: [theirs] });
    const text = await ours.metrics();
    expect(text).toBe(await theirs.metrics());
    expect(text).toContain('# TYPE llmux_request_duration_seconds histogram\n\n# HELP llmux_cost_usd_total');
    expect(text).toContain('\nh_bucket{le="+Inf"} 0\nh_sum 0\nh_count 0\n');
    expect(text.endsWith('# TYPE c counter\nc 0\n')).toBe(true);
  });

  it('hand out one cell per label combination, however the values would concatenate', () => {
    const family = new CounterFamily(new Registry(), COST);
    const cell = family.cell('a', 'bc', 'false');
    expect(family.cell('a', 'bc', 'false')).toBe(cell);
    expect(family.cell('ab', 'c', 'false')).not.toBe(cell);
    expect(family.cell('a,bc', '', 'false')).not.toBe(cell);
    expect(cell.labels).toEqual({ route: 'a', target: 'bc', estimated: 'false' });
  });

  it('forget their series on registry.resetMetrics(), one without labels starting again at zero', async () => {
    const registry = new Registry();
    const family = new CounterFamily(registry, COST);
    const old = family.cell('r', 'a/m', 'false');
    old.inc(5);
    new HistogramFamily(registry, { name: 'h', help: 'Unlabelled.', labelNames: [], buckets: [1] }).cell().observe(0.5);
    registry.resetMetrics();
    old.inc(1);
    expect(await registry.metrics()).toBe('# HELP llmux_cost_usd_total US dollars spent.\n# TYPE llmux_cost_usd_total counter\n\n# HELP h Unlabelled.\n# TYPE h histogram\nh_bucket{le="1"} 0\nh_bucket{le="+Inf"} 0\nh_sum 0\nh_count 0\n');
    expect(family.cell('r', 'a/m', 'false')).not.toBe(old);
  });

  it('refuse what prom-client refuses: a bad name, the label le, a name taken, and (here) unordered buckets', () => {
    const registry = new Registry();
    expect(() => new CounterFamily(registry, { name: 'bad-name', help: 'x', labelNames: [] })).toThrow(/metric name/);
    expect(() => new HistogramFamily(registry, { name: 'h', help: 'x', labelNames: ['le'], buckets: [1] })).toThrow(/le/);
    expect(() => new HistogramFamily(registry, { name: 'h', help: 'x', labelNames: [], buckets: [1, 1] })).toThrow(/increasing/);
    new CounterFamily(registry, { name: 'taken', help: 'x', labelNames: [] });
    expect(() => new Counter({ name: 'taken', help: 'x', registers: [registry] })).toThrow(/already been registered/);
  });
});
