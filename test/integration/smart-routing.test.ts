import { afterEach, describe, expect, it, vi } from 'vitest';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { costUsd } from '../../lib/telemetry/accounting.js';
import { runCli } from '../helpers/cli.js';
import { startHarness, type Harness } from '../helpers/harness.js';

let harness: Harness | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

const CHEAP = { input: 0.15, output: 0.6 };
const STRONG = { input: 3, output: 15 };
const VISION = { input: 1.25, output: 10 };

const tiers = `routes:
  cheap:
    targets: [{ provider: small, model: small-model, price: { input: 0.15, output: 0.6 }, context_window: 1000, capabilities: [json, streaming] }]
    fallbacks: [strong]
  strong:
    targets: [{ provider: big, model: big-model, price: { input: 3, output: 15 }, context_window: 200000 }]
  vision:
    targets: [{ provider: eye, model: eye-model, price: { input: 1.25, output: 10 } }]
  tiny:
    targets: [{ provider: small, model: small-model, capabilities: [json] }]
rules:
  auto:
    default: strong
    match:
      - name: images
        when: { images: true }
        route: vision
      - name: tools
        when: { tools: true }
        route: strong
      - name: translation
        when: { keywords: [translate, 翻译, traduis], input_tokens: { max: 1500 } }
        route: cheap
      - name: tier-header
        when: { headers: { x-llmux-tier: cheap } }
        route: cheap
`;

const PNG_1x1 = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==';

function body(kind: 'translate' | 'translate-zh' | 'analysis' | 'tools' | 'image' | 'long-translate'): Record<string, unknown> {
  switch (kind) {
    case 'translate':
      return { model: 'auto', messages: [{ role: 'user', content: 'Please translate "good morning" into French.' }] };
    case 'translate-zh':
      return { model: 'auto', messages: [{ role: 'user', content: '请把这句话翻译成英文：今天天气很好。' }] };
    case 'analysis':
      return { model: 'auto', messages: [{ role: 'user', content: `Analyse the trade-offs of these architectures in depth. ${'Consider latency, cost and failure modes. '.repeat(40)}` }] };
    case 'tools':
      return {
        model: 'auto',
        messages: [{ role: 'user', content: 'What is the weather in Paris?' }],
        tools: [{ type: 'function', function: { name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' } } } } }],
      };
    case 'image':
      return { model: 'auto', messages: [{ role: 'user', content: [{ type: 'text', text: 'What is in this image?' }, { type: 'image_url', image_url: { url: `data:image/png;base64,${PNG_1x1}` } }] }] };
    case 'long-translate':
      return { model: 'cheap', messages: [{ role: 'user', content: `Translate this into German: ${'The committee met to discuss the budget for the next fiscal year. '.repeat(150)}` }] };
  }
}

async function chat(url: string, payload: Record<string, unknown>, headers: Record<string, string> = {}) {
  const response = await fetch(`${url}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(payload) });
  const json = (await response.json()) as { usage?: { prompt_tokens: number; completion_tokens: number }; error?: { message: string } };
  return { status: response.status, headers: response.headers, json };
}

describe('smart routing and cost accounting', () => {
  it('routes a mixed workload by the tiered auto policy and reports each request\'s exact cost', async () => {
    harness = await startHarness({ mocks: { small: { format: 'openai' }, big: { format: 'openai' }, eye: { format: 'openai' } }, policy: tiers });
    const workload = [
      ['translate', 'cheap', CHEAP, 'auto:translation'],
      ['translate-zh', 'cheap', CHEAP, 'auto:translation'],
      ['analysis', 'strong', STRONG, 'auto:default'],
      ['tools', 'strong', STRONG, 'auto:tools'],
      ['image', 'vision', VISION, 'auto:images'],
      ['translate', 'cheap', CHEAP, 'auto:translation'],
      ['analysis', 'strong', STRONG, 'auto:default'],
    ] as const;
    let reported = 0;
    let independent = 0;
    for (const [kind, route, price, rule] of workload) {
      const r = await chat(harness.url, body(kind));
      expect(r.status).toBe(200);
      expect(r.headers.get('x-llmux-route')).toBe(route);
      expect(r.headers.get('x-llmux-rule')).toBe(rule);
      const usage = r.json.usage!;
      const expected = costUsd(price, { inputTokens: usage.prompt_tokens, outputTokens: usage.completion_tokens });
      const header = Number(r.headers.get('x-llmux-cost-usd'));
      expect(header).toBeCloseTo(expected, 8);
      reported += header;
      independent += expected;
    }
    expect(reported).toBeCloseTo(independent, 8);
    expect(harness.mocks.small!.requests).toHaveLength(3);
    expect(harness.mocks.big!.requests).toHaveLength(3);
    expect(harness.mocks.eye!.requests).toHaveLength(1);
  });

  it('accounts streamed answers from their usage, or from an estimate marked as such', async () => {
    harness = await startHarness({ mocks: { small: { format: 'openai', usage: { inputTokens: 40, outputTokens: 20 } }, big: { format: 'anthropic', usage: { inputTokens: 100, outputTokens: 50 } }, eye: { format: 'openai' } }, policy: tiers, captureLogs: true });
    const stream = async (payload: Record<string, unknown>): Promise<void> => {
      const r = await fetch(`${harness!.url}/v1/chat/completions`, { method: 'POST', body: JSON.stringify({ ...payload, stream: true }) });
      expect(await r.text()).toContain('[DONE]');
    };
    await stream({ ...body('translate'), stream_options: { include_usage: true } });
    await stream(body('translate'));
    await stream(body('analysis'));
    await new Promise((resolve) => setImmediate(resolve));
    const lines = harness.logs().filter((l) => l.msg === 'request');
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatchObject({ route: 'cheap', tokens_in: 40, tokens_out: 20, cost_usd: costUsd(CHEAP, { inputTokens: 40, outputTokens: 20 }) });
    expect(lines[0]!.cost_estimated).toBeUndefined();
    // Without include_usage the OpenAI stream reports nothing: llmux counts the prompt and the streamed text itself.
    expect(lines[1]).toMatchObject({ route: 'cheap', cost_estimated: true });
    expect(lines[1]!.tokens_out).toBeGreaterThan(0);
    // Translated from Anthropic: the usage travels through the translator.
    expect(lines[2]).toMatchObject({ route: 'strong', tokens_in: 100, tokens_out: 50, cost_usd: costUsd(STRONG, { inputTokens: 100, outputTokens: 50 }) });
  });

  it('picks a route by header, and the cheap tier by keyword in any language', async () => {
    harness = await startHarness({ mocks: { small: { format: 'openai' }, big: { format: 'openai' }, eye: { format: 'openai' } }, policy: tiers });
    const plain = await chat(harness.url, body('analysis'));
    expect(plain.headers.get('x-llmux-route')).toBe('strong');
    const byHeader = await chat(harness.url, body('analysis'), { 'x-llmux-tier': 'cheap' });
    expect(byHeader.headers.get('x-llmux-rule')).toBe('auto:tier-header');
    expect(byHeader.headers.get('x-llmux-route')).toBe('cheap');
    for (const text of ['Traduis ceci en anglais : bonjour', '翻译：早上好', 'Could you TRANSLATE this?']) {
      const r = await chat(harness.url, { model: 'auto', messages: [{ role: 'user', content: text }] });
      expect(r.headers.get('x-llmux-rule')).toBe('auto:translation');
    }
  });

  it('sends a request too long for the small-context target to the big-context one, and never a tool request to a target without tools', async () => {
    harness = await startHarness({ mocks: { small: { format: 'openai' }, big: { format: 'openai' }, eye: { format: 'openai' } }, policy: tiers });
    const long = await chat(harness.url, body('long-translate'));
    expect(long.status).toBe(200);
    expect(long.headers.get('x-llmux-route')).toBe('strong');
    expect(harness.mocks.small!.requests).toHaveLength(0);
    const tools = await chat(harness.url, { ...body('tools'), model: 'cheap' });
    expect(tools.headers.get('x-llmux-route')).toBe('strong');
    expect(harness.mocks.small!.requests).toHaveLength(0);
  });

  it('budget exhaustion switches to the cheaper tier (or answers 429) and resets in the next window', async () => {
    harness = await startHarness({
      mocks: { small: { format: 'openai' }, big: { format: 'openai', usage: { inputTokens: 1000, outputTokens: 1000 } } },
      policy: `routes:
  premium:
    targets: [{ provider: big, model: big-model, price: { input: 3, output: 15 } }]
    budget: { usd: 0.03, period: hour, on_exceed: fallback }
    fallbacks: [economy]
  strict:
    targets: [{ provider: big, model: big-model, price: { input: 3, output: 15 } }]
    budget: { usd: 0.03, period: hour, on_exceed: reject }
  economy:
    targets: [{ provider: small, model: small-model, price: { input: 0.15, output: 0.6 } }]
`,
    });
    // Each premium answer costs 1000 × $3/M + 1000 × $15/M = $0.018: the second one crosses $0.03.
    const routes: string[] = [];
    for (let i = 0; i < 4; i++) routes.push((await chat(harness.url, { ...body('translate'), model: 'premium' })).headers.get('x-llmux-route')!);
    expect(routes).toEqual(['premium', 'premium', 'economy', 'economy']);
    for (let i = 0; i < 2; i++) expect((await chat(harness.url, { ...body('translate'), model: 'strict' })).status).toBe(200);
    const refused = await chat(harness.url, { ...body('translate'), model: 'strict' });
    expect(refused.status).toBe(429);
    expect(refused.json.error?.message).toMatch(/over its budget/);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    // The next hour starts from zero: move the clock (only Date; timers and sockets stay real).
    vi.useFakeTimers({ toFake: ['Date'] });
    try {
      vi.setSystemTime(Date.now() + 3_600_000);
      const nextHour = await chat(harness.url, { ...body('translate'), model: 'strict' });
      expect(nextHour.status).toBe(200);
      expect((await chat(harness.url, { ...body('translate'), model: 'premium' })).headers.get('x-llmux-route')).toBe('premium');
    } finally {
      vi.useRealTimers();
    }
  });

  it('explains its decisions without sending anything', async () => {
    harness = await startHarness({ mocks: { small: { format: 'openai' }, big: { format: 'openai' }, eye: { format: 'openai' } }, policy: tiers });
    const file = (name: string, content: unknown): string => {
      const path = join(harness!.config.dir, name);
      writeFileSync(path, JSON.stringify(content));
      return path;
    };
    const translate = await runCli(['explain', '-c', harness.config.proxyFile, file('t.json', body('translate'))]);
    expect(translate.code).toBe(0);
    expect(translate.stdout).toContain('rule images → vision: no (images absent)');
    expect(translate.stdout).toContain('rule translation → cheap: MATCHES');
    expect(translate.stdout).toContain('route chain: cheap → strong');
    expect(translate.stdout).toContain('would send to: small/small-model');

    const tools = await runCli(['explain', '-c', harness.config.proxyFile, file('tools.json', { ...body('tools'), model: 'cheap' })]);
    expect(tools.stdout).toMatch(/filtered {2}small\/small-model: lacks tools/);
    expect(tools.stdout).toContain('would send to: big/big-model');

    const anthropic = await runCli([
      'explain', '-c', harness.config.proxyFile,
      file('a.json', { format: 'anthropic', headers: { 'X-Llmux-Tier': 'cheap' }, body: { model: 'auto', max_tokens: 100, messages: [{ role: 'user', content: 'hello' }] } }),
    ]);
    expect(anthropic.stdout).toContain('rule tier-header → cheap: MATCHES');

    const hopeless = await runCli(['explain', '-c', harness.config.proxyFile, file('h.json', { ...body('long-translate'), tools: body('tools').tools, model: 'cheap' })]);
    expect(hopeless.stdout).toContain('filtered  small/small-model');
    expect(hopeless.stdout).toContain('would send to: big/big-model');
    // Every target filtered: cheap lacks tools and its fallback is too small for this prompt.
    const none = await runCli(['explain', '-c', harness.config.proxyFile, file('n.json', { model: 'tiny', messages: [{ role: 'user', content: 'x' }], tools: body('tools').tools })]);
    expect(none.code).toBe(0);
    expect(none.stdout).toMatch(/filtered {2}small\/small-model: lacks tools/);
    expect(none.stdout).toContain('every target is filtered: the client would get 503');
    for (const mock of Object.values(harness.mocks)) expect(mock.requests).toHaveLength(0);
  });
});
