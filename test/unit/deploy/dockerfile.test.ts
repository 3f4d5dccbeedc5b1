/**
 * The Dockerfile is not built in CI (no container engine), so this reads it and
 * checks what would break silently: the stages, the non-root user, the ports, the
 * command, and that the build context (.dockerignore) still holds every source
 * directory the TypeScript build compiles.
 */
import { describe, expect, it } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';

const root = (path: string): string => fileURLToPath(new URL(`../../../${path}`, import.meta.url));
const dockerfile = readFileSync(root('Dockerfile'), 'utf8');
const ignore = readFileSync(root('.dockerignore'), 'utf8')
  .split('\n')
  .map((l) => l.trim())
  .filter((l) => l && !l.startsWith('#'));

/** Instructions with their arguments, continuation lines joined, comments dropped. */
const instructions = dockerfile
  .replace(/\\\n/g, ' ')
  .split('\n')
  .map((l) => l.trim())
  .filter((l) => l && !l.startsWith('#'))
  .map((l) => {
    const [op = '', ...rest] = l.split(/\s+/);
    return { op: op.toUpperCase(), args: rest.join(' ') };
  });

const stages = (): { name: string; body: string[] }[] => {
  const out: { name: string; body: string[] }[] = [];
  for (const { op, args } of instructions) {
    if (op === 'FROM') out.push({ name: /\bAS\s+(\S+)/i.exec(args)?.[1] ?? '', body: [] });
    else out.at(-1)?.body.push(`${op} ${args}`);
  }
  return out;
};

const execForm = (op: string): string[] => z.array(z.string()).parse(JSON.parse(instructions.find((i) => i.op === op)?.args ?? 'null'));

describe('Dockerfile', () => {
  it('builds in one stage and runs dist/ with production dependencies in another', () => {
    const [build, runtime, ...more] = stages();
    expect(more).toEqual([]);
    expect(build?.body).toEqual(expect.arrayContaining([expect.stringMatching(/^RUN npm ci\b/), 'RUN npm run build']));
    expect(runtime?.body).toEqual(expect.arrayContaining([expect.stringMatching(/^RUN npm ci --omit=dev\b/), `COPY --from=${build?.name} /src/dist ./dist`]));
    // Nothing but dist/ and the package files reaches the runtime stage.
    const copies = runtime?.body.filter((l) => l.startsWith('COPY')) ?? [];
    expect(copies).toEqual(['COPY package.json package-lock.json ./', `COPY --from=${build?.name} /src/dist ./dist`]);
  });

  it('runs as a numeric non-root user, exposes both listeners and starts the daemon on /etc/llmux/proxy.yaml', () => {
    const user = instructions.filter((i) => i.op === 'USER').at(-1)?.args ?? '';
    expect(user).toMatch(/^[1-9]\d*(:\d+)?$/);
    expect(instructions.find((i) => i.op === 'EXPOSE')?.args).toBe('4100 4101');
    expect([...execForm('ENTRYPOINT'), ...execForm('CMD')]).toEqual(['node', 'dist/cmd/llmux.js', 'start', '-c', '/etc/llmux/proxy.yaml']);
    // The entry point is where the build puts it.
    const bin = z.object({ bin: z.object({ llmux: z.string() }) }).parse(JSON.parse(readFileSync(root('package.json'), 'utf8'))).bin.llmux;
    expect(bin).toBe('dist/cmd/llmux.js');
  });

  it('the build context holds every directory the build compiles, and everything COPY names', () => {
    const build = z.object({ include: z.array(z.string()) }).parse(JSON.parse(readFileSync(root('tsconfig.build.json'), 'utf8')));
    expect(ignore[0]).toBe('**'); // everything out, then allow-list
    for (const dir of build.include) {
      expect(ignore).toContain(`!${dir}/**`);
      expect(dockerfile).toContain(`COPY ${dir} ./${dir}`);
    }
    const sources = instructions
      .filter((i) => i.op === 'COPY' && !i.args.startsWith('--from'))
      .flatMap((i) => i.args.split(/\s+/).slice(0, -1));
    for (const source of sources) {
      expect(existsSync(root(source)), source).toBe(true);
      expect(ignore.some((line) => line === `!${source}` || line === `!${source}/**`), source).toBe(true);
    }
  });
});
