/**
 * Costs per function from a callgrind dump, with JIT-compiled JavaScript (which
 * callgrind only knows by address) named through node's `--perf-basic-prof` map.
 * Used by bench/instructions.mjs.
 */

/**
 * One pass over a dump: each function's own instructions (`self`, not what it
 * calls), and the instructions spent inside calls to each function (`calledInto`,
 * its inclusive cost summed over every call site).
 * @param {string} dump the text of a callgrind output file
 * @returns {{ self: Map<string, number>, calledInto: Map<string, number> }}
 */
function parseDump(dump) {
  const names = new Map();
  const self = new Map();
  const calledInto = new Map();
  let current = '';
  let callee = '';
  let afterCalls = false;
  for (const line of dump.split('\n')) {
    if (line.startsWith('fn=')) {
      current = compressed(names, line.slice(3));
      afterCalls = false;
    } else if (line.startsWith('cfn=')) {
      // Called functions share the id space of fn=, so their names are learnt here too.
      callee = compressed(names, line.slice(4));
    } else if (line.startsWith('calls=')) afterCalls = true;
    else {
      const cost = /^(?:[+-]?\d+|\*)\s+(\d+)/.exec(line);
      if (!cost) continue;
      // The cost line right after calls= is the call's inclusive cost, not the caller's own.
      const into = afterCalls ? calledInto : self;
      const name = afterCalls ? callee : current;
      into.set(name, (into.get(name) ?? 0) + Number(cost[1]));
      afterCalls = false;
    }
  }
  return { self, calledInto };
}

/**
 * Instructions spent in each function itself, JavaScript named through `perfMap`.
 * @param {string} dump the text of a callgrind output file
 * @param {string} perfMap the text of /tmp/perf-<pid>.map ('' for none)
 * @returns {Map<string, number>}
 */
export function functionCosts(dump, perfMap) {
  const lookup = addressNamer(perfMap);
  const named = new Map();
  for (const [name, cost] of parseDump(dump).self) {
    const key = lookup(name);
    named.set(key, (named.get(key) ?? 0) + cost);
  }
  return named;
}

/**
 * Instructions spent inside calls to functions whose name matches `pattern`. For the
 * optimizing compiler's entry (`Runtime_CompileOptimized`), which V8 keeps calling long
 * after warm-up as functions deoptimize and are compiled again.
 * @param {string} dump the text of a callgrind output file
 * @param {RegExp} pattern
 */
export function callsInto(dump, pattern) {
  let total = 0;
  for (const [name, cost] of parseDump(dump).calledInto) if (pattern.test(name)) total += cost;
  return total;
}

/**
 * The `limit` costliest functions per request of a dump that covered `requests` requests.
 * @param {Map<string, number>} costs
 * @param {number} requests
 * @param {number} limit
 */
export function perRequestCosts(costs, requests, limit) {
  return [...costs]
    .map(([name, cost]) => ({ name, perRequest: cost / requests }))
    .sort((a, b) => b.perRequest - a.perRequest)
    .slice(0, limit);
}

/** `(12) name` defines id 12; a later `(12)` refers to it. */
function compressed(/** @type {Map<string, string>} */ names, /** @type {string} */ field) {
  const match = /^\((\d+)\)(?: (.*))?$/.exec(field);
  if (!match) return field;
  const [, id, name] = match;
  if (name !== undefined) names.set(id, name);
  return names.get(id) ?? field;
}

/** Maps callgrind's `0x…` names of unknown code to the JIT function whose range holds the address. */
function addressNamer(/** @type {string} */ perfMap) {
  const ranges = perfMap
    .split('\n')
    .map((line) => /^([0-9a-f]+) ([0-9a-f]+) (.*)$/.exec(line))
    .filter((match) => match !== null)
    .map(([, start, size, name]) => ({ start: Number.parseInt(start, 16), end: Number.parseInt(start, 16) + Number.parseInt(size, 16), name }))
    .sort((a, b) => a.start - b.start);
  return (/** @type {string} */ name) => {
    if (!/^0x[0-9a-f]+$/.test(name) || ranges.length === 0) return name;
    const address = Number.parseInt(name, 16);
    let low = 0;
    let high = ranges.length - 1;
    while (low < high) {
      const mid = (low + high + 1) >> 1;
      if (ranges[mid].start <= address) low = mid;
      else high = mid - 1;
    }
    const range = ranges[low];
    return range.start <= address && address < range.end ? `JS ${range.name}` : name;
  };
}
