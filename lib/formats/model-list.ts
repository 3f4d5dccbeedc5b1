/** `GET …/models` in each client format: the routes, as that API lists models. */
import type { JsonObject, WireFormat } from './canonical.js';

export function modelList(format: WireFormat, routes: readonly string[], loadedAt: Date): JsonObject {
  const created = Math.floor(loadedAt.getTime() / 1000);
  switch (format) {
    case 'openai':
      return { object: 'list', data: routes.map((id) => ({ id, object: 'model', created, owned_by: 'llmux' })) };
    case 'anthropic':
      return {
        data: routes.map((id) => ({ type: 'model', id, display_name: id, created_at: loadedAt.toISOString() })),
        has_more: false,
        first_id: routes[0] ?? null,
        last_id: routes.at(-1) ?? null,
      };
    case 'gemini':
      return {
        models: routes.map((id) => ({
          name: `models/${id}`,
          displayName: id,
          supportedGenerationMethods: ['generateContent', 'streamGenerateContent'],
        })),
      };
  }
}
