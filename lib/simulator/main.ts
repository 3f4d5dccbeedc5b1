/**
 * Runs one mock provider as its own process, for the benchmark (which must not share an
 * event loop with the proxy under test). Prints one JSON line, `{"url": …}`, once
 * listening, and exits 0 on SIGTERM or SIGINT.
 *
 *   node dist/lib/simulator/main.js --format openai --port 0 --chunks 20 \
 *     --first-byte-delay-ms 50 --chunk-delay-ms 0 --name upstream-a
 */
import { realpathSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { type ProviderFormat } from './behavior.js';
import { type FaultKind, FAULT_KINDS, type RandomFault } from './faults.js';
import { type MockProvider, type MockProviderOptions, startMockProvider } from './mock-provider.js';

const FORMATS: readonly ProviderFormat[] = ['openai', 'anthropic', 'gemini'];

const USAGE = `usage: main.js --format openai|anthropic|gemini [--port 0] [--host 127.0.0.1] [--name NAME]
  [--api-key KEY] [--text TEXT] [--chunks N] [--first-byte-delay-ms MS] [--chunk-delay-ms MS]
  [--embedding-dimensions N] [--fault KIND[=PROBABILITY]]...`;

/** Reads the command line into mock options; throws with a usage message on bad input. */
export function parseMockArgs(argv: readonly string[]): MockProviderOptions {
  const { values } = parseArgs({
    args: [...argv],
    strict: true,
    options: {
      format: { type: 'string' },
      port: { type: 'string' },
      host: { type: 'string' },
      name: { type: 'string' },
      'api-key': { type: 'string' },
      text: { type: 'string' },
      chunks: { type: 'string' },
      'first-byte-delay-ms': { type: 'string' },
      'chunk-delay-ms': { type: 'string' },
      'embedding-dimensions': { type: 'string' },
      fault: { type: 'string', multiple: true },
    },
  });
  const format = values.format as ProviderFormat | undefined;
  if (format === undefined || !FORMATS.includes(format)) {
    throw new Error(`--format must be one of ${FORMATS.join(', ')}\n${USAGE}`);
  }
  const num = (flag: string, raw: string | undefined): number | undefined => {
    if (raw === undefined) return undefined;
    const n = Number(raw);
    if (!Number.isFinite(n) || n < 0) throw new Error(`--${flag} must be a number >= 0, got ${raw}\n${USAGE}`);
    return n;
  };
  const options: Record<string, unknown> = {
    format,
    port: num('port', values.port),
    host: values.host,
    name: values.name,
    apiKey: values['api-key'],
    text: values.text,
    chunks: num('chunks', values.chunks),
    firstByteDelayMs: num('first-byte-delay-ms', values['first-byte-delay-ms']),
    chunkDelayMs: num('chunk-delay-ms', values['chunk-delay-ms']),
    embeddingDimensions: num('embedding-dimensions', values['embedding-dimensions']),
    faults: values.fault?.map(parseFault),
  };
  for (const key of Object.keys(options)) if (options[key] === undefined) delete options[key];
  return options as unknown as MockProviderOptions;
}

function parseFault(spec: string): RandomFault {
  const [kind = '', probability = '1'] = spec.split('=');
  if (!FAULT_KINDS.includes(kind as FaultKind)) {
    throw new Error(`--fault: unknown kind ${kind}; one of ${FAULT_KINDS.join(', ')}`);
  }
  const p = Number(probability);
  if (!(p >= 0 && p <= 1)) throw new Error(`--fault ${spec}: probability must be between 0 and 1`);
  return { fault: kind as FaultKind, probability: p };
}

/** Starts the mock the command line describes and announces its URL on `out`. */
export async function runMockCli(
  argv: readonly string[],
  out: NodeJS.WritableStream = process.stdout,
): Promise<MockProvider> {
  const mock = await startMockProvider(parseMockArgs(argv));
  out.write(`${JSON.stringify({ url: mock.url, port: mock.port, format: mock.format, name: mock.name })}\n`);
  return mock;
}

function isMainModule(): boolean {
  const script = process.argv[1];
  if (!script) return false;
  try {
    return import.meta.url === pathToFileURL(realpathSync(script)).href;
  } catch {
    return false;
  }
}

if (isMainModule()) {
  runMockCli(process.argv.slice(2)).then(
    (mock) => {
      const stop = (): void => {
        void mock.close().then(() => process.exit(0));
      };
      process.once('SIGTERM', stop);
      process.once('SIGINT', stop);
    },
    (error: unknown) => {
      console.error(error instanceof Error ? error.message : String(error));
      process.exit(2);
    },
  );
}
