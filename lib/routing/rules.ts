/**
 * Evaluates a virtual model's rules against one request: the first rule whose
 * every condition holds picks the route, else the default does. Conditions only
 * compute what they need (the token estimate is counted only if a rule asks).
 */
import type { IncomingHttpHeaders } from 'node:http';
import { compileRegex, type Condition, type VirtualModelConfig } from '../config/rules-schema.js';
import type { RequestView } from '../server/request-view.js';

export interface CompiledRule {
  readonly name: string;
  readonly route: string;
  readonly when: Condition;
  readonly regex?: RegExp | undefined;
  readonly keywords?: readonly string[] | undefined;
}

export interface VirtualModel {
  readonly name: string;
  readonly description?: string | undefined;
  readonly rules: readonly CompiledRule[];
  readonly defaultRoute: string;
}

export interface RuleInput {
  readonly view: RequestView;
  readonly headers: IncomingHttpHeaders;
  /** Name of the client key the request authenticated with, if any. */
  readonly clientKey?: string | undefined;
}

export interface RuleVerdict {
  readonly route: string;
  /** The matching rule's name, or `default`. */
  readonly rule: string;
}

export function compileVirtualModel(name: string, config: VirtualModelConfig): VirtualModel {
  return {
    name,
    description: config.description,
    defaultRoute: config.default,
    rules: config.match.map((rule, i) => ({
      name: rule.name ?? `#${i + 1}`,
      route: rule.route,
      when: rule.when,
      regex: rule.when.regex === undefined ? undefined : compileRegex(rule.when.regex),
      keywords: rule.when.keywords?.map((k) => k.toLocaleLowerCase()),
    })),
  };
}

const within = (value: number | undefined, bounds: { min?: number | undefined; max?: number | undefined } | undefined): boolean =>
  bounds === undefined || (value !== undefined && (bounds.min === undefined || value >= bounds.min) && (bounds.max === undefined || value <= bounds.max));

/** Why a rule does not match, or `undefined` when it does (for `llmux explain`). */
export function ruleMismatch(rule: CompiledRule, input: RuleInput): string | undefined {
  const { when } = rule;
  const { view } = input;
  if (when.stream !== undefined && when.stream !== view.stream) return `stream is ${view.stream}`;
  if (when.client_key && !(input.clientKey && when.client_key.includes(input.clientKey))) return `client key is ${input.clientKey ?? 'none'}`;
  if (when.headers) {
    for (const [name, wanted] of Object.entries(when.headers)) {
      const actual = input.headers[name.toLowerCase()];
      const value = Array.isArray(actual) ? actual[0] : actual;
      if (value === undefined || !(Array.isArray(wanted) ? wanted.includes(value) : wanted === value)) return `header ${name} is ${value ?? 'absent'}`;
    }
  }
  if (!within(view.info.maxTokens, when.max_tokens)) return `max_tokens is ${view.info.maxTokens ?? 'unset'}`;
  if (when.tools !== undefined && when.tools !== view.needs().tools) return `tools ${view.needs().tools ? 'present' : 'absent'}`;
  if (when.images !== undefined && when.images !== view.needs().vision) return `images ${view.needs().vision ? 'present' : 'absent'}`;
  if (!within(view.messageCount(), when.messages)) return `${view.messageCount()} messages`;
  if (rule.keywords || rule.regex) {
    const text = view.lastUserText();
    const lower = text.toLocaleLowerCase();
    if (rule.keywords && !rule.keywords.some((k) => lower.includes(k))) return 'no keyword in the last user message';
    if (rule.regex && !rule.regex.test(text)) return 'the last user message does not match the regex';
  }
  if (!within(view.tokens().input, when.input_tokens)) return `about ${view.tokens().input} input tokens`;
  return undefined;
}

export function evaluateRules(model: VirtualModel, input: RuleInput): RuleVerdict {
  for (const rule of model.rules) if (ruleMismatch(rule, input) === undefined) return { route: rule.route, rule: rule.name };
  return { route: model.defaultRoute, rule: 'default' };
}
