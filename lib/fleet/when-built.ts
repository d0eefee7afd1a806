// Changes to objects that need the whole fleet built (objects declared later under a scope) but
// must land before anything reads an object: checks of constructs resolve objects while the fleet
// validates (the node-fit check reads every pod template), and a resolved object is cached, so an
// annotation a check added afterwards would be missing from the output.
import type { IConstruct } from 'constructs';

const pending = new WeakMap<IConstruct, (() => void)[]>();

/**
 * Runs `apply` once the fleet is built, before any check runs or any object is resolved, e.g. to
 * annotate every object under `scope`. It may run again on a later render, so it must be idempotent.
 */
export function whenBuilt(scope: IConstruct, apply: () => void): void {
  const list = pending.get(scope) ?? [];
  list.push(apply);
  pending.set(scope, list);
}

/** Runs what `whenBuilt` registered on each of `nodes`. */
export function applyWhenBuilt(nodes: Iterable<IConstruct>): void {
  for (const node of nodes) for (const apply of pending.get(node) ?? []) apply();
}
