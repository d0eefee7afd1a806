// How far V8 lets the heap grow between full garbage collections while a synth streams many
// clusters. Each cluster's objects live for the few milliseconds it takes to render it, then are
// garbage; V8's own choice (a growth factor of up to 4 over what is live) lets ~300 MB of that
// garbage pile up, which is most of a 1 000-cluster synth's peak memory. A factor of 1.3 keeps the
// peak near what is live, for no time we could tell from the machine's noise (measured in
// docs/performance.md). Fleets of a few large clusters keep
// V8's choice: what is live there is large, and collecting it more often costs time.
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { StrataError } from '../fleet/errors.js';

/** Heap growth (percent over what is live) a synth of many clusters uses. */
export const STREAMING_HEAP_GROWTH = 30;

/** From this many clusters, a synth uses STREAMING_HEAP_GROWTH unless STRATA_HEAP_GROWTH says otherwise. */
export const MANY_CLUSTERS = 100;

/**
 * The heap growth a synth of `clusters` clusters uses: $STRATA_HEAP_GROWTH when set (a whole
 * number of percent; 0 is V8's own choice), else STREAMING_HEAP_GROWTH from MANY_CLUSTERS
 * clusters, else V8's own (0).
 * @throws StrataError for a $STRATA_HEAP_GROWTH that is not a whole number ≥ 0
 */
export function heapGrowthFor(clusters: number, variable = process.env.STRATA_HEAP_GROWTH): number {
  if (variable === undefined || variable === '') return clusters >= MANY_CLUSTERS ? STREAMING_HEAP_GROWTH : 0;
  if (!/^\d+$/.test(variable.trim())) throw new StrataError(`STRATA_HEAP_GROWTH: ${JSON.stringify(variable)} is not a heap growth: use a whole number of percent ≥ 0 (0: V8's own choice)`);
  return Number(variable);
}

/**
 * Sets V8's heap growth to `percent` (0: its own choice) for the rest of a synth, then collects
 * garbage once: V8 applies a growth to the limit it sets after a full collection, and the last one
 * (while the program loaded) left its own, which lets the heap grow to ~200 MB before the first
 * collection of a synth (the peak of a 1 000-cluster synth; docs/performance.md). The returned
 * function sets the growth back to V8's own choice, so a program that goes on after its synth (a
 * test) is not affected. `setFlags` is V8's `setFlagsFromString` and `collect` runs a full garbage
 * collection (a test passes its own).
 */
export function withHeapGrowth(percent: number, setFlags: (flags: string) => void = setFlagsFromString, collect: () => void = collectGarbage): () => void {
  if (percent === 0) return () => undefined;
  setFlags(`--heap-growing-percent=${percent}`);
  collect();
  return () => setFlags('--heap-growing-percent=0');
}

/**
 * A full garbage collection now. Node offers `gc` only to a program started with `--expose-gc`;
 * a context made after the flag is set has it (V8's own `gc` extension), and the flag is unset again
 * at once, so no code of the program sees it.
 */
export function collectGarbage(): void {
  // A program started with --expose-gc has its own, and keeps the flag.
  const own = (globalThis as { gc?: () => void }).gc;
  if (typeof own === 'function') return own();
  setFlagsFromString('--expose-gc');
  try {
    (runInNewContext('gc') as () => void)();
  } finally {
    setFlagsFromString('--no-expose-gc');
  }
}
