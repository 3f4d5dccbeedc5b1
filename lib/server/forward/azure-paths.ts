/**
 * Azure OpenAI clients call `/openai/deployments/{deployment}/chat/completions?api-version=…`
 * (or the v1 API's `/openai/v1/chat/completions`). Intercepted, these are OpenAI Chat
 * Completions requests; the route comes from the body's `model`, which the openai
 * SDK's `AzureOpenAI` client sends as the deployment name. A raw REST call without a
 * `model` in the body gets llmux's usual 400.
 */
const AZURE_PATH = /^\/openai\/(?:deployments\/[^/?]+|v1)\/(chat\/completions|embeddings|models)(?=\?|$)/;

/** The llmux path for an Azure OpenAI request target; any other target unchanged. */
export function fromAzurePath(url: string): string {
  const match = AZURE_PATH.exec(url);
  if (!match) return url;
  const rest = url.slice(match[0].length);
  // `api-version` means nothing to llmux; the provider's own version is sent upstream.
  const query = new URLSearchParams(rest.startsWith('?') ? rest.slice(1) : '');
  query.delete('api-version');
  const search = query.toString();
  return `/v1/${match[1]}${search ? `?${search}` : ''}`;
}
