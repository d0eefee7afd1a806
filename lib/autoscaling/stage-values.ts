import { Stage, isStageDependent, perStage, perStageValues, type PerStage, type StageValue } from '../fleet/stage.js';

/** Resolves a prop for one stage, or returns it as is when no stage is known (it is then plain). */
export type Resolve = <T>(value: StageValue<T>) => T;

/**
 * Builds a value from props of which some may differ per stage (e.g. `min: perStage({...})`).
 * When none does, the value itself; otherwise one value per stage those props name, so that the
 * consumer resolves it like any stage-dependent prop (`cluster.resolve(...)`). Values are built
 * on access, so a stage that nothing names and that has no default fails only where it is used,
 * with the usual `stage.pick` error.
 */
export function combinePerStage<T>(props: readonly unknown[], build: (resolve: Resolve) => T): StageValue<T> {
  const dependent = props.filter((p) => isStageDependent(p as StageValue<unknown>)) as Parameters<typeof perStageValues>[0][];
  if (dependent.length === 0) return build(<V>(value: StageValue<V>) => value as V);
  const keys = new Set(dependent.flatMap((p) => Object.keys(perStageValues(p))));
  // `default` serves every stage no prop names: resolve it as any such stage would be.
  const unnamed = Stage.ALL.find((s) => !keys.has(s.name));
  const values: Record<string, T> = {};
  for (const key of keys) {
    const stage = key === 'default' ? unnamed : Stage.ALL.find((s) => s.name === key);
    // Unknown keys (a typo such as `prod`) stay so that `stage.pick` reports them.
    Object.defineProperty(values, key, { enumerable: true, get: () => (stage ? build((v) => stage.resolve(v)) : undefined) });
  }
  return perStage(values as PerStage<T>);
}
