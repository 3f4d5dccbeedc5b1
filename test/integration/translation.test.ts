/**
 * The official SDKs as clients of llmux, each client format served by each
 * provider kind (9 pairs), streamed and not, with tools, and errors.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import OpenAI from 'openai';
import Anthropic from '@anthropic-ai/sdk';
import { GoogleGenAI, FunctionCallingConfigMode, type Content } from '@google/genai';
import { startHarness, type Harness } from '../helpers/harness.js';

type Kind = 'openai' | 'anthropic' | 'gemini';
const kinds: readonly Kind[] = ['openai', 'anthropic', 'gemini'];
const TEXT = 'The quick brown fox jumps over the lazy dog.';
const TOOL = { name: 'get_weather', arguments: { city: 'Paris', unit: 'celsius' } };

let harness: Harness;
beforeAll(async () => {
  const mocks = Object.fromEntries(
    kinds.flatMap((kind) => [
      [`${kind}-text`, { format: kind, text: TEXT, chunks: 5, usage: { inputTokens: 11, outputTokens: 9 } }],
      [`${kind}-tool`, { format: kind, toolCall: { ...TOOL, argumentChunks: 4 }, usage: { inputTokens: 21, outputTokens: 7 } }],
    ]),
  );
  const routes = kinds
    .flatMap((kind) => [
      `  via-${kind}:\n    targets: [{ provider: ${kind}-text, model: ${kind === 'gemini' ? 'gemini-2.5-flash' : kind === 'anthropic' ? 'claude-sonnet-4-6' : 'gpt-4o-mini'} }]\n    retries: { attempts: 1 }`,
      `  tools-${kind}:\n    targets: [{ provider: ${kind}-tool, model: ${kind === 'gemini' ? 'gemini-2.5-flash' : kind === 'anthropic' ? 'claude-sonnet-4-6' : 'gpt-4o-mini'} }]\n    retries: { attempts: 1 }`,
    ])
    .join('\n');
  harness = await startHarness({ mocks, policy: `routes:\n${routes}\n` });
});
afterAll(async () => {
  await harness.close();
});

const openai = (): OpenAI => new OpenAI({ baseURL: `${harness.url}/v1`, apiKey: 'client-key', maxRetries: 0 });
const anthropic = (): Anthropic => new Anthropic({ baseURL: harness.url, apiKey: 'client-key', maxRetries: 0 });
const gemini = (): GoogleGenAI => new GoogleGenAI({ apiKey: 'client-key', httpOptions: { baseUrl: harness.url } });

const weatherParameters = {
  type: 'object' as const,
  properties: { city: { type: 'string' }, unit: { type: 'string', enum: ['celsius', 'fahrenheit'] } },
  required: ['city'],
};

describe.each(kinds)('served by a %s provider', (upstream) => {
  describe('openai SDK client', () => {
    it('chat.completions.create', async () => {
      const completion = await openai().chat.completions.create({ model: `via-${upstream}`, messages: [{ role: 'system', content: 'Be brief.' }, { role: 'user', content: 'Say the sentence.' }] });
      expect(completion.choices[0]!.message.content).toBe(TEXT);
      expect(completion.choices[0]!.finish_reason).toBe('stop');
      expect(completion.usage).toMatchObject({ prompt_tokens: 11, completion_tokens: 9 });
    });

    it('chat.completions.stream().finalChatCompletion()', async () => {
      const final = await openai()
        .chat.completions.stream({ model: `via-${upstream}`, messages: [{ role: 'user', content: 'Say the sentence.' }], stream_options: { include_usage: true } })
        .finalChatCompletion();
      expect(final.choices[0]!.message.content).toBe(TEXT);
      expect(final.choices[0]!.finish_reason).toBe('stop');
      expect(final.usage).toMatchObject({ prompt_tokens: 11, completion_tokens: 9 });
    });

    it('tool calls with parsed arguments, streamed and not', async () => {
      const tools = [{ type: 'function' as const, function: { name: 'get_weather', parameters: weatherParameters } }];
      const messages = [{ role: 'user' as const, content: 'Weather in Paris?' }];
      const plain = await openai().chat.completions.create({ model: `tools-${upstream}`, messages, tools });
      const call = plain.choices[0]!.message.tool_calls![0]!;
      expect(call.type === 'function' && JSON.parse(call.function.arguments)).toEqual(TOOL.arguments);
      expect(plain.choices[0]!.finish_reason).toBe('tool_calls');
      const streamed = await openai().chat.completions.stream({ model: `tools-${upstream}`, messages, tools }).finalChatCompletion();
      const streamedCall = streamed.choices[0]!.message.tool_calls![0]!;
      expect(streamedCall.type === 'function' && JSON.parse(streamedCall.function.arguments)).toEqual(TOOL.arguments);
      expect(streamed.choices[0]!.finish_reason).toBe('tool_calls');
    });

    it('a multi-turn tool conversation: call, result, answer', async () => {
      const tools = [{ type: 'function' as const, function: { name: 'get_weather', parameters: weatherParameters } }];
      const first = await openai().chat.completions.create({ model: `tools-${upstream}`, messages: [{ role: 'user', content: 'Weather in Paris?' }], tools });
      const assistant = first.choices[0]!.message;
      const callId = assistant.tool_calls![0]!.id;
      const second = await openai().chat.completions.create({
        model: `tools-${upstream}`,
        tools,
        messages: [{ role: 'user', content: 'Weather in Paris?' }, assistant, { role: 'tool', tool_call_id: callId, content: '21 degrees and sunny' }],
      });
      expect(second.choices[0]!.message.content).toContain('21 degrees and sunny');
      expect(second.choices[0]!.finish_reason).toBe('stop');
    });
  });

  describe('anthropic SDK client', () => {
    it('messages.create', async () => {
      const message = await anthropic().messages.create({ model: `via-${upstream}`, max_tokens: 256, system: 'Be brief.', messages: [{ role: 'user', content: 'Say the sentence.' }] });
      expect(message.content).toEqual([expect.objectContaining({ type: 'text', text: TEXT })]);
      expect(message.stop_reason).toBe('end_turn');
      expect(message.usage).toMatchObject({ input_tokens: 11, output_tokens: 9 });
    });

    it('messages.stream().finalMessage()', async () => {
      const message = await anthropic().messages.stream({ model: `via-${upstream}`, max_tokens: 256, messages: [{ role: 'user', content: 'Say the sentence.' }] }).finalMessage();
      expect(message.content).toEqual([expect.objectContaining({ type: 'text', text: TEXT })]);
      expect(message.stop_reason).toBe('end_turn');
      expect(message.usage.output_tokens).toBe(9);
    });

    it('tool_use with parsed input, streamed and not, then the tool_result turn', async () => {
      const tools = [{ name: 'get_weather', input_schema: weatherParameters }];
      const ask = { model: `tools-${upstream}`, max_tokens: 256, tools, messages: [{ role: 'user' as const, content: 'Weather in Paris?' }] };
      const plain = await anthropic().messages.create(ask);
      const use = plain.content.find((b) => b.type === 'tool_use');
      expect(use?.type === 'tool_use' && use.input).toEqual(TOOL.arguments);
      expect(plain.stop_reason).toBe('tool_use');
      const streamed = await anthropic().messages.stream(ask).finalMessage();
      const streamedUse = streamed.content.find((b) => b.type === 'tool_use');
      expect(streamedUse?.type === 'tool_use' && streamedUse.input).toEqual(TOOL.arguments);
      const answer = await anthropic().messages.create({
        ...ask,
        messages: [
          ...ask.messages,
          { role: 'assistant', content: plain.content },
          { role: 'user', content: [{ type: 'tool_result', tool_use_id: use!.type === 'tool_use' ? use!.id : '', content: '21 degrees and sunny' }] },
        ],
      });
      expect(answer.content).toEqual([expect.objectContaining({ type: 'text', text: expect.stringContaining('21 degrees and sunny') })]);
    });
  });

  describe('@google/genai SDK client', () => {
    it('models.generateContent', async () => {
      const response = await gemini().models.generateContent({ model: `via-${upstream}`, contents: 'Say the sentence.', config: { systemInstruction: 'Be brief.' } });
      expect(response.text).toBe(TEXT);
      expect(response.candidates?.[0]?.finishReason).toBe('STOP');
      expect(response.usageMetadata).toMatchObject({ promptTokenCount: 11, candidatesTokenCount: 9 });
    });

    it('models.generateContentStream', async () => {
      let text = '';
      let finish: string | undefined;
      let usage: number | undefined;
      for await (const chunk of await gemini().models.generateContentStream({ model: `via-${upstream}`, contents: 'Say the sentence.' })) {
        text += chunk.text ?? '';
        finish = chunk.candidates?.[0]?.finishReason ?? finish;
        usage = chunk.usageMetadata?.candidatesTokenCount ?? usage;
      }
      expect(text).toBe(TEXT);
      expect(finish).toBe('STOP');
      expect(usage).toBe(9);
    });

    it('functionCall, streamed and not, then the functionResponse turn', async () => {
      const config = {
        tools: [{ functionDeclarations: [{ name: 'get_weather', parametersJsonSchema: weatherParameters }] }],
        toolConfig: { functionCallingConfig: { mode: FunctionCallingConfigMode.AUTO } },
      };
      const contents: Content[] = [{ role: 'user', parts: [{ text: 'Weather in Paris?' }] }];
      const plain = await gemini().models.generateContent({ model: `tools-${upstream}`, contents, config });
      expect(plain.functionCalls?.[0]).toMatchObject({ name: 'get_weather', args: TOOL.arguments });
      let streamedArgs: unknown;
      for await (const chunk of await gemini().models.generateContentStream({ model: `tools-${upstream}`, contents, config })) {
        streamedArgs = chunk.functionCalls?.[0]?.args ?? streamedArgs;
      }
      expect(streamedArgs).toEqual(TOOL.arguments);
      const answer = await gemini().models.generateContent({
        model: `tools-${upstream}`,
        config,
        contents: [
          ...contents,
          plain.candidates![0]!.content!,
          { role: 'user', parts: [{ functionResponse: { name: 'get_weather', response: { result: '21 degrees and sunny' } } }] },
        ],
      });
      expect(answer.text).toContain('21 degrees and sunny');
    });
  });
});

describe('same format in and out stays a byte-for-byte pass-through', () => {
  it('anthropic → anthropic: only model changes; the configured anthropic-version is sent', async () => {
    const mock = harness.mocks['anthropic-text']!;
    mock.reset();
    const body = '{"model":"via-anthropic", "max_tokens" : 64,\n "messages":[{"role":"user","content":"héllo 🚀"}], "metadata":{"user_id":"u1"}}';
    const response = await fetch(`${harness.url}/v1/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': 'client-key', 'anthropic-version': '2023-01-01' },
      body,
    });
    expect(response.status).toBe(200);
    const received = mock.requests[0]!;
    expect(received.body.toString('utf8')).toBe(body.replace('"via-anthropic"', '"claude-sonnet-4-6"'));
    expect(received.headers['anthropic-version']).toBe('2023-06-01');
    expect(received.headers['x-api-key']).toBe('sk-provider-secret');
  });

  it('gemini → gemini: the body is untouched, the model moves into the path, the key into a header', async () => {
    const mock = harness.mocks['gemini-text']!;
    mock.reset();
    const body = '{"contents":[{"role":"user","parts":[{"text":"hi"}]}],  "generationConfig":{"temperature":0.2}}';
    const response = await fetch(`${harness.url}/v1beta/models/via-gemini:generateContent?key=client-key`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    expect(response.status).toBe(200);
    const received = mock.requests[0]!;
    expect(received.body.toString('utf8')).toBe(body);
    expect(received.path).toBe('/v1beta/models/gemini-2.5-flash:generateContent');
    expect(received.headers['x-goog-api-key']).toBe('sk-provider-secret');
  });
});

describe('nothing is lost silently', () => {
  it('names the fields a target cannot express in x-llmux-dropped', async () => {
    const response = await fetch(`${harness.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'via-anthropic', logprobs: true, seed: 7, messages: [{ role: 'user', content: 'x' }] }),
    });
    expect(response.status).toBe(200);
    const dropped = response.headers.get('x-llmux-dropped')?.split(', ') ?? [];
    expect(dropped).toEqual(expect.arrayContaining(['logprobs', 'seed']));
  });

  it('rejects with a clear 400 what a target cannot express at all', async () => {
    const response = await fetch(`${harness.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'via-gemini', n: 3, messages: [{ role: 'user', content: 'x' }] }),
    });
    expect(response.status).toBe(400);
    const error = ((await response.json()) as { error: { message: string; code: string } }).error;
    expect(error.code).toBe('LLMUX_ERR_UNSUPPORTED_FIELD');
    expect(error.message).toContain('`n`');
  });
});

describe('errors reach each client in its own shape', () => {
  // The 429 goes last: it leaves the target cooling down, and every client then gets 429 from llmux itself.
  const cases = [
    { status: 400, fault: { kind: 'client_error' as const, status: 400 } },
    { status: 401, fault: { kind: 'client_error' as const, status: 401 } },
    { status: 404, fault: { kind: 'client_error' as const, status: 404 } },
    { status: 500, fault: { kind: 'status' as const, status: 500 } },
    { status: 429, fault: { kind: 'rate_limit' as const, retryAfterSeconds: 1 } },
  ];

  describe.each(kinds)('from a %s provider', (upstream) => {
    it.each(cases)('upstream $status', async ({ status, fault }) => {
      const mock = harness.mocks[`${upstream}-text`]!;
      mock.reset();
      // Five-hundreds and 429s are retried; with `attempts: 1` the client sees llmux's verdict instead.
      const expectedStatus = status === 500 ? 503 : status;
      const routesTried = `via-${upstream}`;

      mock.enqueue({ ...fault, scope: 'generate' });
      const openaiError = await openai().chat.completions.create({ model: routesTried, messages: [{ role: 'user', content: 'x' }] }).catch((e: unknown) => e);
      expect(openaiError).toBeInstanceOf(OpenAI.APIError);
      expect((openaiError as InstanceType<typeof OpenAI.APIError>).status).toBe(expectedStatus);
      expect((openaiError as InstanceType<typeof OpenAI.APIError>).error).toMatchObject({ message: expect.any(String), type: expect.any(String) });

      mock.enqueue({ ...fault, scope: 'generate' });
      const anthropicError = await anthropic().messages.create({ model: routesTried, max_tokens: 10, messages: [{ role: 'user', content: 'x' }] }).catch((e: unknown) => e);
      expect(anthropicError).toBeInstanceOf(Anthropic.APIError);
      expect((anthropicError as InstanceType<typeof Anthropic.APIError>).status).toBe(expectedStatus);
      expect((anthropicError as InstanceType<typeof Anthropic.APIError>).error).toMatchObject({ type: 'error', error: { type: expect.any(String), message: expect.any(String) } });

      mock.enqueue({ ...fault, scope: 'generate' });
      const geminiError = await gemini().models.generateContent({ model: routesTried, contents: 'x' }).catch((e: unknown) => e);
      expect(geminiError).toBeInstanceOf(Error);
      expect((geminiError as { status?: number }).status).toBe(expectedStatus);
      const geminiBody = JSON.parse((geminiError as Error).message) as { error: { code: number; message: string; status: string } };
      expect(geminiBody.error).toMatchObject({ code: expectedStatus, message: expect.any(String), status: expect.stringMatching(/^[A-Z_]+$/) });
    });
  });
});
