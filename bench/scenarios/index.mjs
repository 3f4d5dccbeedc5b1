/**
 * The scenarios of issue 10, by letter. A scenario is either a list of phases run by
 * the generic phase runner, or (f) its own procedure.
 */
import { phases as a } from './a-saturation.mjs';
import { phases as b } from './b-latency.mjs';
import { phases as c } from './c-stream.mjs';
import { phases as d } from './d-translation.mjs';
import { phases as e } from './e-redis.mjs';
import { run as f } from './f-many-streams.mjs';

/**
 * @typedef {{ kind: 'phases', phases: () => import('../lib/phase.mjs').PhaseDef[] }
 *   | { kind: 'custom', run: (ctx: import('../lib/context.mjs').BenchContext) => Promise<import('./f-many-streams.mjs').StreamsResult> }} Scenario
 */

/** @type {Record<string, Scenario>} */
export const scenarios = {
  a: { kind: 'phases', phases: a },
  b: { kind: 'phases', phases: b },
  c: { kind: 'phases', phases: c },
  d: { kind: 'phases', phases: d },
  e: { kind: 'phases', phases: e },
  f: { kind: 'custom', run: f },
};
