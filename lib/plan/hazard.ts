// A destructive change: what changes, and what Flux and Kubernetes will do about it.
import diff from 'microdiff';

/** One reason a change destroys something or cannot be applied. */
export interface Hazard {
  /** Stable id of the rule (see docs/plan.md), e.g. `immutable-selector`. */
  readonly rule: string;
  /** The field, e.g. `spec.selector`; absent for a removed object. */
  readonly field?: string;
  /** Old value, when there is one to show (never Secret data). */
  readonly before?: unknown;
  /** New value, when there is one to show (never Secret data). */
  readonly after?: unknown;
  /** What Flux and Kubernetes will do. */
  readonly effect: string;
}

/** The value at a dotted path (`spec.selector`), or undefined. */
export function at(value: unknown, path: string): unknown {
  let node = value;
  for (const key of path.split('.')) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<string, unknown>)[key];
  }
  return node;
}

/** Deep equality by value (key order never counts). */
export function same(a: unknown, b: unknown): boolean {
  return diff({ v: a }, { v: b }).length === 0;
}

/** A hazard for `field` when it differs between `before` and `after`, else none. */
export function ifChanged(before: unknown, after: unknown, field: string, rule: string, effect: string): Hazard[] {
  const [b, a] = [at(before, field), at(after, field)];
  return same(b, a) ? [] : [{ rule, field, before: b, after: a, effect }];
}
