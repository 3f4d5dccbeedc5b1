/**
 * Which of a route's targets may serve this request at all. Excluded targets keep
 * their reason, so a 503 can say per target why nothing could serve.
 */
import type { Operation } from '../providers/types.js';
import type { Route, Target } from '../routing/target.js';

export interface Exclusion {
  readonly target: string;
  readonly reason: string;
}

export interface CandidateSet {
  readonly eligible: readonly Target[];
  readonly excluded: readonly Exclusion[];
}

export function candidatesFor(route: Route, operation: Operation): CandidateSet {
  const eligible: Target[] = [];
  const excluded: Exclusion[] = [];
  for (const target of route.targets) {
    if (!target.provider.bound.operations.includes(operation)) {
      excluded.push({ target: target.id, reason: `provider ${target.provider.name} does not serve ${operation}` });
    } else {
      eligible.push(target);
    }
  }
  return { eligible, excluded };
}
