/**
 * Anthropic API versions (the `anthropic-version` header). 2026-10-21 rejects
 * `temperature`, `top_p` and `top_k` with a 400, even at their defaults
 * (https://platform.claude.com/docs/en/api/migration-2026-10-21).
 */
export const ANTHROPIC_LATEST_VERSION = '2026-10-21';

/** Versions are ISO dates, so they compare as strings. */
export function acceptsSamplingParameters(version: string | undefined): boolean {
  return (version ?? ANTHROPIC_LATEST_VERSION) < '2026-10-21';
}
