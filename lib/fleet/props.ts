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
  return isObjectValue(options) ? undefined : `${label}: options must be an object${eg}, not ${show(options)}`;
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
  const problems = propsProblems(type, options, label);
  const readable = options ?? ({} as O);
  return { options: problems.length > 0 ? withoutMismatches(type, readable) : readable, problems, readable: true };
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

/** A shape of one kind: an object, a list or primitives (a union is a list of these). */
type Resolved = Exclude<PropsShape, string | 0 | { readonly u: readonly PropsShape[] }>;
type ObjectShape = Extract<Resolved, { readonly k: unknown }>;
type ListShape = Extract<Resolved, { readonly a: unknown }>;
type PrimitiveShape = Extract<Resolved, { readonly t: unknown }>;
type InstanceShape = Extract<Resolved, { readonly m: unknown }>;

/** The kinds of value a shape allows, each resolved: a union's members, or the shape alone. */
function alternatives(shape: Exclude<PropsShape, string | 0>): Resolved[] {
  return 'u' in shape ? shape.u.map(shapeOf).flatMap((s) => (s === 0 ? [] : alternatives(s))) : [shape];
}

const isObjectShape = (s: Resolved): s is ObjectShape => 'k' in s;
const isListShape = (s: Resolved): s is ListShape => 'a' in s;
const isPrimitiveShape = (s: Resolved): s is PrimitiveShape => 't' in s;
const isInstanceShape = (s: Resolved): s is InstanceShape => 'm' in s;

/** Whether `value` has every method of an instance shape (a Trigger made by Trigger.cron, a workload). */
function hasMethods(shape: InstanceShape, value: unknown): boolean {
  return typeof value === 'object' && value !== null && shape.m.every((m) => typeof (value as Record<string, unknown>)[m] === 'function');
}

/** The JavaScript kind of `value` as a shape names it. */
function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'list';
  return typeof value;
}

/** Whether `value` is a string, number, boolean or null (not an object or a list). */
function isPrimitiveKind(value: unknown): boolean {
  return value === null || (typeof value !== 'object' && typeof value !== 'function');
}

/** Whether `value` is not true or false where only those are declared: no construct checks a switch's kind. */
function isSwitchMismatch(shape: PrimitiveShape, value: unknown): boolean {
  return shape.t.length === 1 && shape.t[0] === 'boolean' && typeof value !== 'boolean' && value !== undefined;
}

/** The alternative of `shapes` whose kind `value` has, if one does. */
function matching(shapes: readonly Resolved[], value: unknown): Resolved | undefined {
  const kind = kindOf(value);
  // An instance first: a plain object where a class or an object is allowed is read as the object.
  return shapes.find((s) => isInstanceShape(s) && hasMethods(s, value))
    // A primitive by its kind: which one boolean a `true`/`false` type allows is the construct's to check, as other literals.
    ?? shapes.find((s) => (isObjectShape(s) ? kind === 'object' : isListShape(s) ? kind === 'list' : isPrimitiveShape(s) && (s.t as readonly string[]).includes(kind)));
}

/**
 * How `value` fits `shape`: the alternative it is of, if any, and whether it is wrong, i.e. of
 * another structure (a string where a list is declared, a list or null where an object is) or a
 * switch given anything but true or false. A primitive of another kind (`replicas: '3'`) is not
 * wrong here: the construct's own check of the field says what the value means, once.
 */
function fit(shape: Exclude<PropsShape, string | 0>, value: unknown): { readonly match?: Resolved; readonly wrong: boolean; readonly shapes: readonly Resolved[] } {
  // Most values are primitives where primitives are declared: nothing to look up for those.
  if ('t' in shape && isPrimitiveKind(value)) return { wrong: isSwitchMismatch(shape, value), shapes: [shape] };
  const shapes = alternatives(shape);
  const match = matching(shapes, value);
  return { match, wrong: !match && (!isPrimitiveKind(value) || shapes.some((s) => !isPrimitiveShape(s))), shapes };
}

/** A value for a message: an instance by its class (`a Trigger`), anything else as `show` writes it, cut at 100 characters. */
function brief(value: unknown): string {
  if (typeof value === 'object' && value !== null && !Array.isArray(value) && !isPlainObject(value)) {
    const name = (value as { constructor?: { name?: unknown } }).constructor?.name;
    // Bundlers rename a class that refers to itself (`_Trigger`): the user knows it as `Trigger`.
    const shown = typeof name === 'string' ? name.replace(/^_+/, '') : '';
    return shown !== '' ? `${/^[AEIOU]/.test(shown) ? 'an' : 'a'} ${shown}` : 'an object';
  }
  const text = show(value);
  return text.length > 100 ? `${text.slice(0, 99)}…` : text;
}

/**
 * How a user makes an instance of each class or interface the props table names (`n`), for the
 * message about a value that is none (test/factory-options.test.ts checks every name has one).
 */
export const MADE_BY: Readonly<Record<string, string>> = {
  Autoscaling: 'Autoscaling.cpu(...), Autoscaling.memory(...), Autoscaling.resources(...) or Autoscaling.events(...)',
  Cluster: 'fleet.addCluster(...)',
  EgressDestination: 'Egress.toWorkload(...), Egress.toCidr(...) or Egress.toAnyAddress(...)',
  EgressTarget: 'Egress.toWorkload(...), Egress.toCidr(...) or Egress.toAnyAddress(...)',
  Env: 'Env.fromConfigMap(...) or Env.fromSecret(...)',
  HelmApp: 'new HelmApp(...)',
  HelmRelease: 'the HelmRelease of a HelmApp or a component',
  HelmRepository: 'the HelmRepository of a HelmApp or a component',
  LayerSource: 'LayerSource.ociRepository(...), LayerSource.externalArtifact(...) or LayerSource.fleetRepository()',
  Metric: 'Metric.pods(...), Metric.object(...) or Metric.external(...)',
  OciRepository: 'the OCIRepository of a HelmApp or a component',
  Peer: 'a workload, Peer.namespace(...), Peer.workload(...) or Peer.ingressController()',
  Probe: 'Probe.http(...), Probe.tcp(...) or Probe.exec(...)',
  Stage: 'Stage.DEVELOPMENT, Stage.STAGING or Stage.PRODUCTION',
  Trigger: 'Trigger.cron(...), Trigger.prometheus(...), Trigger.rabbitmq(...), Trigger.kafka(...), Trigger.sqs(...), Trigger.cpu(...) or Trigger.memory(...)',
  Volume: 'Volume.configMap(...), Volume.secret(...) or Volume.emptyDir(...)',
  WebService: 'new WebService(...)',
};

/** `a string or a list`, for a message. */
function describeKinds(shapes: readonly Resolved[]): string {
  const names = shapes.flatMap((s) => {
    if (isObjectShape(s)) return ['an object'];
    if (isListShape(s)) return ['a list'];
    if (isInstanceShape(s)) return [`${/^[AEIOU]/.test(s.n) ? 'an' : 'a'} ${s.n}${MADE_BY[s.n] ? ` (${MADE_BY[s.n]})` : ''}`];
    return s.t.map((t) => (t === 'boolean' ? (s.b === undefined ? 'true or false' : String(s.b)) : t === 'null' ? 'null' : `a ${t}`));
  });
  return names.length <= 1 ? names.join('') : `${names.slice(0, -1).join(', ')} or ${names[names.length - 1]}`;
}

function check(ref: PropsShape, value: unknown, path: string, problems: string[]): void {
  if (value === undefined) return;
  const notes = typeof value === 'object' && value !== null ? noted.get(value) : undefined;
  if (notes) problems.push(...notes.map((n) => (path ? `${path}: ${n}` : n)));
  const shape = shapeOf(ref);
  if (shape === 0) {
    // Even unchecked items may carry noted problems: `triggers: [Trigger.cron({...})]`.
    if (Array.isArray(value)) value.forEach((item, i) => check(0, item, joinPath(path, i), problems));
    return;
  }
  if (isStageDependent(value)) {
    const perStage = perStageValues(value);
    for (const stage of Object.keys(perStage)) check(ref, perStage[stage as keyof typeof perStage], `${path} (${stage})`, problems);
    return;
  }
  const { match, wrong, shapes } = fit(shape, value);
  // Such a value is read as nothing it was meant to be (`command: 'run --fast'` as its letters,
  // `allowRoutesFrom: 'team'` as namespaces t, e, a, m, `tls: 'false'` as true): the TypeScript
  // type, at synth.
  if (wrong) problems.push(`${path || 'the value'} must be ${describeKinds(shapes)}, not ${brief(value)}`);
  if (!match || isPrimitiveShape(match) || isInstanceShape(match)) return;
  if (isListShape(match)) {
    const item = shapeOf(match.a);
    (value as unknown[]).forEach((v, i) => {
      // A list item cannot be left out: `allowFrom: [undefined]` is a value missing, not an option.
      if (v === undefined && item !== 0) problems.push(`${joinPath(path, i)} must be ${describeKinds(alternatives(item))}, not undefined`);
      else check(match.a, v, joinPath(path, i), problems);
    });
    return;
  }
  // A class instance or an `Object.create(base)` is valid props too (types are structural): its
  // own fields are checked, but a field of its own the table does not know may be the class's.
  const plain = isPlainObject(value);
  let misspelt: string[] | undefined;
  for (const key of Object.keys(value as object)) {
    // Own keys only: a key `__proto__` or `constructor` in the props is the user's, not the table's.
    const known = Object.prototype.hasOwnProperty.call(match.k, key) ? match.k[key] : undefined;
    if (known !== undefined) check(known, (value as Record<string, unknown>)[key], joinPath(path, key), problems);
    else if (match.i !== undefined) check(match.i, (value as Record<string, unknown>)[key], joinPath(path, key), problems);
    else if (plain) {
      problems.push(unknownKey(joinPath(path, key), key, Object.keys(match.k)));
      (misspelt ??= []).push(key);
    }
  }
  if (match.r) requiredProblems(match, value as Record<string, unknown>, path, misspelt ?? [], problems);
}

/**
 * Keys a construct or factory checks itself when they are left out, with a message of its own that
 * says what to give (`image is required: a reference pinned by tag or digest, e.g. ...`), by type;
 * test/required-props.test.ts checks each is a required key of its type and is reported once.
 */
export const REQUIRED_CHECKED_BY_CONSTRUCT: Readonly<Record<string, readonly string[]>> = {
  // lib/fleet/cluster.ts clusterPropsProblems: each names what it takes.
  ClusterProps: ['provider', 'region', 'stage'],
  // lib/workloads/image.ts and container.ts: a pinned reference; each request by name.
  ...Object.fromEntries(['ContainerOptions', 'PodOptions', 'SidecarOptions', 'WebServiceProps', 'WebServiceOptions', 'WorkerProps', 'WorkerOptions', 'StatefulServiceProps', 'StatefulServiceOptions']
    .map((type) => [type, ['image', 'resources']])),
  CronTaskProps: ['image', 'resources', 'schedule'],
  CronTaskOptions: ['image', 'resources', 'schedule'],
  Resources: ['cpu', 'memory'],
  // lib/workloads/egress.ts portProblems: the destination ports, with examples.
  EgressCidrOptions: ['ports'],
  EgressPortOptions: ['ports'],
  EgressWorkloadOptions: ['ports'],
};

/** Type name of each object shape of the table, for `REQUIRED_CHECKED_BY_CONSTRUCT`. */
let shapeNames: Map<object, string> | undefined;
function nameOfShape(shape: object): string | undefined {
  shapeNames ??= new Map(Object.entries(PROPS_SHAPES).filter(([, s]) => typeof s === 'object').map(([name, s]) => [s as object, name]));
  return shapeNames.get(shape);
}

/**
 * The keys `shape` requires that `value` leaves out (or gives as `undefined`): the construct would
 * read nothing there, and fail or render without it. A key that an unknown key of `value` is a typo
 * of is reported once, by the unknown key's message (`verison ... did you mean "version"?`).
 */
function requiredProblems(shape: ObjectShape, value: Record<string, unknown>, path: string, misspelt: readonly string[], problems: string[]): void {
  const ownChecks = REQUIRED_CHECKED_BY_CONSTRUCT[nameOfShape(shape) ?? ''] ?? [];
  const guessed = new Set(misspelt.map((key) => didYouMean(key, Object.keys(shape.k))));
  for (const key of shape.r ?? []) {
    if (value[key] !== undefined || ownChecks.includes(key) || guessed.has(key)) continue;
    const expected = shapeOf(shape.k[key]);
    problems.push(`${joinPath(path, key)} is required${expected === 0 ? '' : ` (${describeKinds(alternatives(expected))})`}`);
  }
}

/** Whether `value` is an object props can be read from: any object but a list (a class instance, `Object.create(base)` too). */
function isObjectValue(value: unknown): value is object {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * `value` without the fields `propsProblems` reports as of another structure (a string where a list
 * is declared, a list where an object is), so the construct reading it meets nothing rather than
 * failing with the engine's TypeError on it; the problem is reported already. Items of a list that
 * are of another structure are left out. Returns `value` itself when nothing is left out, and never
 * copies class instances (factories' values keep their identity).
 */
export function withoutMismatches<T>(type: PropsTypeName, value: T): T {
  return keepMatching(type, value) as T;
}

function keepMatching(ref: PropsShape, value: unknown): unknown {
  if (value === undefined || isStageDependent(value)) return value;
  const shape = shapeOf(ref);
  if (shape === 0) return value;
  const { match, wrong } = fit(shape, value);
  if (wrong) return undefined;
  if (!match) return value;
  if (isListShape(match)) {
    const items = value as unknown[];
    const kept = items.map((item) => keepMatching(match.a, item));
    // Items of another structure are left out, and so are undefined ones where the list takes something.
    const keep = (item: unknown, i: number) => item !== undefined || (items[i] === undefined && shapeOf(match.a) === 0);
    return kept.every((item, i) => item === items[i] && keep(item, i)) ? items : kept.filter(keep);
  }
  if (!isObjectShape(match) || !isPlainObject(value)) return value;
  let copy: Record<string, unknown> | undefined;
  for (const key of Object.keys(value)) {
    const known = Object.prototype.hasOwnProperty.call(match.k, key) ? match.k[key] : match.i;
    if (known === undefined) continue;
    const kept = keepMatching(known, value[key]);
    if (kept === value[key]) continue;
    copy ??= { ...value };
    // Left out, not set to undefined: a record's entries are read whole (`storage: { data: '/data' }`).
    if (kept === undefined) delete copy[key];
    else Object.defineProperty(copy, key, { value: kept, enumerable: true, writable: true, configurable: true });
  }
  return copy ?? value;
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
  const checked = checkedProps(type, props, label);
  problems.push(...checked.problems);
  return resolveStageValues(checked.props, stage, label, problems);
}

/**
 * `props` checked against `type` (not an object, unknown keys, values of another structure, keys
 * left out that it requires), and as a construct can read them: `{}` for props left out or not an
 * object, fields of another structure left out (`withoutMismatches`). Stage values are left as
 * they are (`intakeProps` resolves them).
 */
export function checkedProps<T>(type: PropsTypeName, props: T, label = ''): { readonly props: T; readonly problems: readonly string[] } {
  const problem = propsArgumentProblem(props, label);
  if (problem) return { props: {} as T, problems: [problem] };
  // Props left out are read as `{}`, and checked as such: each key the type requires is named.
  if (props === undefined) return { props: {} as T, problems: propsProblems(type, {}, label) };
  const problems = propsProblems(type, props, label);
  return { props: problems.length > 0 ? withoutMismatches(type, props) : props, problems };
}

/**
 * Why a construct cannot read `props` (`null`, a number, a string, a list), or undefined: left out
 * (where they are optional, or where the construct names each required field) or an object.
 */
export function propsArgumentProblem(props: unknown, label = ''): string | undefined {
  if (props === undefined || isObjectValue(props) || isStageDependent(props)) return undefined;
  return `${label ? `${label}: ` : ''}props must be an object, not ${show(props)}`;
}

/** The props a construct can read: `{}` in place of what `propsArgumentProblem` refuses (and of none). */
export function readableProps<T>(props: T): T {
  return (props === undefined || propsArgumentProblem(props) ? {} : props) as T;
}
