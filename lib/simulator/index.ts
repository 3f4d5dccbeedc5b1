/**
 * Mock AI providers for tests, the demo and the benchmark: real HTTP servers that speak
 * the OpenAI, Azure OpenAI, Anthropic and Gemini wire formats, with fault injection.
 */
export {
  defaultBehavior,
  type MockBehavior,
  type MockBehaviorOptions,
  type ProviderFormat,
  type ToolCallScript,
  type UsageOverride,
} from './behavior.js';
export {
  type ClientErrorFault,
  type ContextLengthFault,
  FAULT_KINDS,
  type Fault,
  type FaultInput,
  type FaultKind,
  type FaultScope,
  type GarbageBodyFault,
  type HangBeforeHeadersFault,
  type HangMidStreamFault,
  type RandomFault,
  type RateLimitFault,
  type ResetBeforeHeadersFault,
  type ResetMidStreamFault,
  type SlowDripFault,
  type StatusFault,
  toFault,
  type WrongContentTypeFault,
} from './faults.js';
export { embeddingVector } from './openai-embeddings.js';
export {
  type MockProvider,
  type MockProviderOptions,
  type RecordedRequest,
  startMockProvider,
} from './mock-provider.js';
export { estimateTokens } from './reply-script.js';
export { reservePort } from './reserve-port.js';
