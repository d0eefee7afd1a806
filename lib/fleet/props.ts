// Unknown keys in props are errors at synth time. `npm run synth` strips types without checking
// them, so `{ emial: ... }` would otherwise be dropped without a word. The known keys come from
// the TypeScript declarations themselves (scripts/props-keys.mjs generates
// props-keys.generated.ts; a test fails while it is out of date), never from a list kept by hand.
import { closest, distance } from 'fastest-levenshtein';
import { show } from './errors.js';
import { PROPS_SHAPES, type PropsTypeName } from './props-keys.generated.js';
import type { PropsShape } from './props-shape.js';
import { isPlainObject, isStageDependent, joinPath, perStageValues, resolveStageValues, type Stage } from './stage.js';

export type { PropsTypeName };

/** Problems of option objects made outside any construct (`Autoscaling.cpu({...})`), reported by the construct that uses them. */
const noted = new WeakMap<object, readonly string[]>();

/** Keeps `problems` on `made` (an object a factory returns), for the construct it is passed to. */
function noteProblems<T>(problems: readonly string[], made: T): T {
  if (problems.length > 0 && typeof made === 'object' && made !== null) noted.set(made, [...(noted.get(made) ?? []), ...problems]);
  return made;
}

/**
 * Why a factory cannot read `options`, or undefined when it can. `npm run synth` strips types
 * without checking them, so a JavaScript caller (or `as any`) may leave required options out or
 * pass `null`, a number or a list.
 * @param example valid options, for the message (`{ ports: [443] }`); none when they may be left out
 */
function optionsProblem(options: unknown, label: string, example?: string): string | undefined {
  const eg = example ? `, e.g. ${example}` : '';
  if (options === undefined) return example ? `${label}: options are required${eg}` : undefined;
  return isPlainObject(options) ? undefined : `${label}: options must be an object${eg}, not ${show(options)}`;
}

/**
 * Runs a factory on its options: checks them (`optionsProblem`, then unknown keys against `type`),
 * gives `make` an empty object in place of options it cannot read, so it never fails on them, and
 * keeps the problems on what `make` returns: the construct it is passed to reports them under its
 * own path (see `propsProblems`).
 * @param example valid options, for the message; none when they may be left out
 */
export function fromOptions<O, T>(type: PropsTypeName, options: O, label: string, make: (options: O) => T, example?: string): T {
  const given = readOptions(type, options, label, example);
  return noteProblems(given.problems, make(given.options));
}

/** Options as a factory can read them (`{}` for what `optionsProblem` refuses), and their problems. */
export interface ReadOptions<O> {
  readonly options: O;
  /** Why they cannot be read, or their unknown keys. */
  readonly problems: readonly string[];
  /** Whether they were an object: the problems of their fields are only news when they were. */
  readonly readable: boolean;
}

/**
 * `options` checked (`optionsProblem`, then unknown keys against `type`), as a factory that keeps
 * its problems itself reads them (`Egress.*`, `Env.*`, `Peer.workload`); `fromOptions` for the others.
 * @param example valid options, for the message; none when they may be left out
 */
export function readOptions<O>(type: PropsTypeName, options: O, label: string, example?: string): ReadOptions<O> {
  const problem = optionsProblem(options, label, example);
  if (problem) return { options: {} as O, problems: [problem], readable: false };
  return { options: options ?? ({} as O), problems: propsProblems(type, options, label), readable: true };
}

/**
 * Every unknown key in `value`, checked against the declaration of `type` at any depth: nested
 * option objects, arrays of them, the values of each stage of a `perStage(...)`, and the problems
 * noted on values made by factories (`fromOptions`). Records (`Record<string, X>`) allow any key;
 * class instances are not entered. Each problem names the path, the key, the closest known key
 * and every known key, e.g.
 * `resources.cpuu is not a known key: did you mean "cpu"? (valid keys: cpu, memory)`.
 * @param label how the problems name the value's root, e.g. `Components.certManager(...)`; `''` for a construct's own props
 */
export function propsProblems(type: PropsTypeName, value: unknown, label = ''): string[] {
  const problems: string[] = [];
  check(type, value, label, problems);
  return problems;
}

function shapeOf(ref: PropsShape): Exclude<PropsShape, string> {
  let shape = ref;
  for (let hops = 0; typeof shape === 'string' && hops < 8; hops++) shape = PROPS_SHAPES[shape] ?? 0;
  return typeof shape === 'string' ? 0 : shape;
}

function check(ref: PropsShape, value: unknown, path: string, problems: string[]): void {
  if (typeof value !== 'object' || value === null) return;
  const notes = noted.get(value);
  if (notes) problems.push(...notes.map((n) => (path ? `${path}: ${n}` : n)));
  const shape = shapeOf(ref);
  if (Array.isArray(value)) {
    // Even unchecked items may carry noted problems: `triggers: [Trigger.cron({...})]`.
    value.forEach((item, i) => check(ref, item, joinPath(path, i), problems));
    return;
  }
  if (shape === 0) return;
  if (isStageDependent(value)) {
    const perStage = perStageValues(value);
    for (const stage of Object.keys(perStage)) check(ref, perStage[stage as keyof typeof perStage], `${path} (${stage})`, problems);
    return;
  }
  if (!isPlainObject(value)) return;
  for (const key of Object.keys(value)) {
    // Own keys only: a key `__proto__` or `constructor` in the props is the user's, not the table's.
    const known = Object.prototype.hasOwnProperty.call(shape.k, key) ? shape.k[key] : undefined;
    if (known !== undefined) check(known, value[key], joinPath(path, key), problems);
    else if (shape.i !== undefined) check(shape.i, value[key], joinPath(path, key), problems);
    else problems.push(unknownKey(joinPath(path, key), key, Object.keys(shape.k)));
  }
}

/** The message for an unknown key: the closest known one when it is close enough to be a typo. */
export function unknownKey(path: string, key: string, valid: readonly string[]): string {
  const sorted = [...valid].sort();
  const guess = didYouMean(key, sorted);
  return `${path} is not a known key${guess ? `: did you mean ${show(guess)}?` : ''} (valid keys: ${sorted.join(', ') || 'none'})`;
}

/** The known key closest to `key` (case ignored first), if it is close enough to be a typo of it. */
export function didYouMean(key: string, valid: readonly string[]): string | undefined {
  if (valid.length === 0) return undefined;
  const sameCase = valid.find((v) => v.toLowerCase() === key.toLowerCase());
  if (sameCase) return sameCase;
  const best = closest(key, [...valid]);
  return distance(key, best) <= Math.max(2, Math.floor(key.length / 3)) ? best : undefined;
}

/**
 * What a construct does with the props it is given: records every unknown key (`propsProblems`)
 * and every stage-dependent value that has no value for `stage` in `problems`, and returns the
 * props with every stage-dependent value at any depth resolved (`resolveStageValues`).
 */
export function intakeProps<T>(type: PropsTypeName, props: T, stage: Stage, problems: string[], label = ''): T {
  const problem = propsArgumentProblem(props, label);
  if (problem || props === undefined) {
    if (problem) problems.push(problem);
    return {} as T;
  }
  problems.push(...propsProblems(type, props, label));
  return resolveStageValues(props, stage, label, problems);
}

/**
 * Why a construct cannot read `props` (`null`, a number, a string, a list), or undefined: left out
 * (where they are optional, or where the construct names each required field) or an object.
 */
export function propsArgumentProblem(props: unknown, label = ''): string | undefined {
  if (props === undefined || isPlainObject(props) || isStageDependent(props)) return undefined;
  return `${label ? `${label}: ` : ''}props must be an object, not ${show(props)}`;
}

/** The props a construct can read: `{}` in place of what `propsArgumentProblem` refuses (and of none). */
export function readableProps<T>(props: T): T {
  return (props === undefined || propsArgumentProblem(props) ? {} : props) as T;
}
