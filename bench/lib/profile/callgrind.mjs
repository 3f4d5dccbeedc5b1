/**
 * Self cost per function from a callgrind dump, with JIT-compiled JavaScript (which
 * callgrind only knows by address) named through node's `--perf-basic-prof` map.
 * Used by bench/instructions.mjs `--functions`.
 */

/**
 * Instructions spent in each function itself (not in what it calls).
 * @param {string} dump the text of a callgrind output file
 * @param {string} perfMap the text of /tmp/perf-<pid>.map ('' for none)
 * @returns {Map<string, number>}
 */
export function functionCosts(dump, perfMap) {
  const names = new Map();
  const costs = new Map();
  const lookup = addressNamer(perfMap);
  let current = '';
  let afterCalls = false;
  for (const line of dump.split('\n')) {
    if (line.startsWith('fn=')) {
      current = compressed(names, line.slice(3));
      afterCalls = false;
      continue;
    }
    if (line.startsWith('cfn=')) {
      // Called functions share the id space of fn=, so their names are learnt here too.
      compressed(names, line.slice(4));
      continue;
    }
    if (line.startsWith('calls=')) {
      afterCalls = true;
      continue;
    }
    const cost = /^(?:[+-]?\d+|\*)\s+(\d+)/.exec(line);
    if (!cost) continue;
    // The cost line right after calls= is the call's inclusive cost, not the caller's own.
    if (afterCalls) afterCalls = false;
    else costs.set(current, (costs.get(current) ?? 0) + Number(cost[1]));
  }
  const named = new Map();
  for (const [name, cost] of costs) {
    const key = lookup(name);
    named.set(key, (named.get(key) ?? 0) + cost);
  }
  return named;
}

/**
 * The `limit` costliest functions per request between two dumps `requests` apart.
 * @param {Map<string, number>} before
 * @param {Map<string, number>} after
 * @param {number} requests
 * @param {number} limit
 */
export function perRequestCosts(before, after, requests, limit) {
  return [...after]
    .map(([name, cost]) => ({ name, perRequest: (cost - (before.get(name) ?? 0)) / requests }))
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

/**
 * Instructions spent inside calls to functions whose name matches `pattern`
 * (their inclusive cost, summed over every call site). For the optimizing
 * compiler's entry (`Runtime_CompileOptimized`), which V8 keeps calling long after
 * warm-up as functions deoptimize and are compiled again.
 * @param {string} dump the text of a callgrind output file
 * @param {RegExp} pattern
 */
export function callsInto(dump, pattern) {
  const names = new Map();
  let callee = '';
  let afterCalls = false;
  let total = 0;
  for (const line of dump.split('\n')) {
    if (line.startsWith('fn=')) {
      compressed(names, line.slice(3));
      afterCalls = false;
    } else if (line.startsWith('cfn=')) callee = compressed(names, line.slice(4));
    else if (line.startsWith('calls=')) afterCalls = true;
    else if (afterCalls) {
      const cost = /^(?:[+-]?\d+|\*)\s+(\d+)/.exec(line);
      if (!cost) continue;
      afterCalls = false;
      if (pattern.test(callee)) total += Number(cost[1]);
    }
  }
  return total;
}
