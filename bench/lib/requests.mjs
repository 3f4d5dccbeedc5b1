/**
 * The requests the load generators send. One ~1 KB chat request (the "1 KB chat
 * request"), streamed and not, as an OpenAI client and as an Anthropic client. The
 * same bytes go to every target, so direct, the floor, nginx and llmux do equal work
 * upstream; the mock ignores the model name, llmux routes on it.
 */

/** The route name in the bench's llmux config. */
export const ROUTE = 'bench';

// ~900 characters of prompt make the whole JSON body about 1 KB.
const PROMPT = 'Summarise the following notes in three bullet points. '.concat(
  'The quarterly review covered latency, error budgets, on-call load and the migration plan. '.repeat(9),
);

/**
 * @typedef {object} RequestSpec
 * @property {string} name
 * @property {string} path
 * @property {Record<string, string>} headers
 * @property {string} body
 * @property {boolean} stream
 * @property {string} expect a substring every good answer contains (checked once per case before measuring)
 */

/** The OpenAI chat body every OpenAI-client case sends, streamed or not. */
function openaiBody(/** @type {boolean} */ stream) {
  return JSON.stringify({
    model: ROUTE,
    messages: [
      { role: 'system', content: 'You are a concise assistant.' },
      { role: 'user', content: PROMPT },
    ],
    temperature: 0.2,
    max_tokens: 256,
    ...(stream ? { stream: true } : {}),
  });
}

/** @returns {RequestSpec} */
export function openaiChat() {
  return { name: 'openai-chat', path: '/v1/chat/completions', headers: openaiHeaders(), body: openaiBody(false), stream: false, expect: '"chat.completion"' };
}

/** @returns {RequestSpec} */
export function openaiStream() {
  return { name: 'openai-stream', path: '/v1/chat/completions', headers: openaiHeaders(), body: openaiBody(true), stream: true, expect: 'data: [DONE]' };
}

/** An Anthropic Messages client, which llmux translates to the OpenAI upstream and back. */
/** @returns {RequestSpec} */
export function anthropicStream() {
  const body = JSON.stringify({
    model: ROUTE,
    system: 'You are a concise assistant.',
    messages: [{ role: 'user', content: PROMPT }],
    temperature: 0.2,
    max_tokens: 256,
    stream: true,
  });
  return {
    name: 'anthropic-stream',
    path: '/v1/messages',
    headers: { 'content-type': 'application/json', 'x-api-key': 'bench-client-key', 'anthropic-version': '2023-06-01' },
    body,
    stream: true,
    expect: 'event: message_stop',
  };
}

function openaiHeaders() {
  return { 'content-type': 'application/json', authorization: 'Bearer bench-client-key' };
}
