import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { HEAP_GROWING_PERCENT, holdHeapGrowth } from '../../../lib/server/heap-growth.js';

describe('holdHeapGrowth', () => {
  it('sets V8\'s heap growing percent', () => {
    const set: string[] = [];
    holdHeapGrowth(40, (flags) => set.push(flags));
    holdHeapGrowth(undefined, (flags) => set.push(flags));
    expect(set).toEqual(['--heap-growing-percent=40', `--heap-growing-percent=${HEAP_GROWING_PERCENT}`]);
  });

  it('refuses a growth that is not a whole number above zero', () => {
    for (const bad of [0, -5, 2.5, Number.NaN]) expect(() => holdHeapGrowth(bad, () => {})).toThrow(RangeError);
  });

  it('is a flag this Node\'s V8 knows (an unknown one is only complained about on stderr)', () => {
    const module = fileURLToPath(new URL('../../../dist/lib/server/heap-growth.js', import.meta.url));
    const child = spawnSync(process.execPath, ['--input-type=module', '-e', `import { holdHeapGrowth } from ${JSON.stringify(module)}; holdHeapGrowth(); console.log('set');`], {
      encoding: 'utf8',
    });
    expect(child.stdout.trim()).toBe('set');
    expect(child.stderr).toBe('');
  });
});
