/**
 * The demo's smart-routing part: a mixed workload sent to the `auto` virtual
 * model, and what it cost against sending every request to the strong tier.
 */
import { builtinPrice } from '../routing/price-table.js';
import { costUsd } from '../telemetry/accounting.js';

interface Job {
  readonly kind: string;
  readonly body: Record<string, unknown>;
}

const weather = [{ type: 'function', function: { name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' } } } } }];
const analysis = `Analyse this incident report and propose fixes. ${'The service returned errors under load after the deploy; latency rose and retries piled up. '.repeat(30)}`;

/** 60% translations and chit-chat, 25% long analyses, 15% tool use: a typical mix. */
function job(i: number): Job {
  const slot = i % 20;
  if (slot < 8) return { kind: 'translation', body: { messages: [{ role: 'user', content: `Translate into French: request number ${i} is on its way.` }] } };
  if (slot < 12) return { kind: 'chit-chat', body: { messages: [{ role: 'user', content: `Say hi to visitor ${i}.` }] } };
  if (slot < 17) return { kind: 'analysis', body: { messages: [{ role: 'user', content: analysis }] } };
  return { kind: 'tool use', body: { messages: [{ role: 'user', content: 'Weather in Paris?' }], tools: weather } };
}

export interface SmartSummary {
  readonly requests: number;
  readonly byRoute: ReadonlyMap<string, { count: number; usd: number }>;
  readonly spentUsd: number;
  readonly allStrongUsd: number;
}

export async function runSmartTraffic(url: string, model: string, requests: number, strongModel: string): Promise<SmartSummary> {
  const strong = builtinPrice(strongModel);
  const byRoute = new Map<string, { count: number; usd: number }>();
  let spentUsd = 0;
  let allStrongUsd = 0;
  for (let i = 0; i < requests; i++) {
    const response = await fetch(`${url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model, ...job(i).body }),
    });
    const body = (await response.json()) as { usage?: { prompt_tokens: number; completion_tokens: number } };
    const usd = Number(response.headers.get('x-llmux-cost-usd') ?? 0);
    const route = response.headers.get('x-llmux-route') ?? '?';
    const entry = byRoute.get(route) ?? { count: 0, usd: 0 };
    byRoute.set(route, { count: entry.count + 1, usd: entry.usd + usd });
    spentUsd += usd;
    if (strong && body.usage) allStrongUsd += costUsd(strong, { inputTokens: body.usage.prompt_tokens, outputTokens: body.usage.completion_tokens });
  }
  return { requests, byRoute, spentUsd, allStrongUsd };
}

export function renderSmartSummary(summary: SmartSummary, strongModel: string): string {
  const lines = [...summary.byRoute].map(([route, { count, usd }]) => `  ${route.padEnd(8)} ${String(count).padStart(4)} requests  $${usd.toFixed(6)}`);
  const saving = summary.allStrongUsd > 0 ? (1 - summary.spentUsd / summary.allStrongUsd) * 100 : 0;
  return [
    `smart routing: ${summary.requests} mixed requests (translations, chit-chat, long analyses, tool use) to model "auto"`,
    ...lines,
    `  spent $${summary.spentUsd.toFixed(6)}; the same requests all on ${strongModel} would cost $${summary.allStrongUsd.toFixed(6)}: ${saving.toFixed(0)}% saved`,
  ].join('\n');
}
