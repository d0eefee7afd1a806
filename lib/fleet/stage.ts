import type { ApiObject, IResolver, ResolutionContext } from 'cdk8s';
import { StrataError, show } from './errors.js';

/** The stages a cluster can be in. */
export type StageName = 'development' | 'staging' | 'production';

const STAGE_NAMES: readonly StageName[] = ['development', 'staging', 'production'];

/** Values per stage; `default` covers every stage not named. */
export interface PerStage<T> {
  /** Value on development clusters. @default `default` */
  readonly development?: T;
  /** Value on staging clusters. @default `default` */
  readonly staging?: T;
  /** Value on production clusters. @default `default` */
  readonly production?: T;
  /** Value on every stage not named; without it, a stage with no value is an error. @default none */
  readonly default?: T;
}

const PER_STAGE = Symbol.for('strata.PerStage');

/** A value that differs per stage, resolved against the cluster a construct lands on. */
export interface StageDependent<T> {
  /** The values per stage, as given to `perStage()`; read them with `Stage.resolve`. */
  readonly [PER_STAGE]: PerStage<T>;
}

/** A prop that is either a plain value or a stage-dependent one made with `perStage()`. */
export type StageValue<T> = T | StageDependent<T>;

/**
 * Declares a value that differs per stage, e.g. `perStage({ development: 1, production: 3 })`.
 * @throws StrataError when `values` is not an object (the stages' names are checked where it is resolved)
 */
export function perStage<T>(values: PerStage<T>): StageDependent<T> {
  if (typeof values !== 'object' || values === null || Array.isArray(values)) {
    throw new StrataError(`perStage: give an object of stage → value, e.g. perStage({ development: 1, production: 3 }), not ${show(values)}`);
  }
  return { [PER_STAGE]: values };
}

/** True for a value made with `perStage(...)`, which differs per stage. */
export function isStageDependent<T>(value: StageValue<T>): value is StageDependent<T> {
  return typeof value === 'object' && value !== null && PER_STAGE in value;
}

/** A stage of the delivery pipeline. Clusters of one stage share its stage-dependent values. */
export class Stage {
  /** The development stage: where changes land first. */
  static readonly DEVELOPMENT = new Stage('development');
  /** The staging stage: between development and production in delivery order (`Stage.ALL`). */

  static readonly STAGING = new Stage('staging');
  /** The production stage: web services and workers default to 2 replicas, and pods spread across zones. */
  static readonly PRODUCTION = new Stage('production');

  /** Every stage, in delivery order. */
  static readonly ALL: readonly Stage[] = [Stage.DEVELOPMENT, Stage.STAGING, Stage.PRODUCTION];

  private constructor(
    /** The stage name: `development`, `staging` or `production`. */
    readonly name: StageName,
  ) {}

  /** Whether this is the production stage. */
  get isProduction(): boolean {
    return this.name === 'production';
  }

  /** Whether this is the development stage. */
  get isDevelopment(): boolean {

    return this.name === 'development';
  }

  /**
   * The value for this stage, or `default`. Unknown keys (a typo such as `prod`) and a missing
   * value are errors, reported against the construct being defined.
   * @throws StrataError when `values` names an unknown stage, or has no value for this stage and no `default`
   */
  pick<T>(values: PerStage<T>): T {
    const unknown = Object.keys(values).filter((k) => k !== 'default' && !STAGE_NAMES.includes(k as StageName));
    if (unknown.length > 0) {
      throw new StrataError(`stage.pick: ${unknown.map(show).join(', ')} is not a stage (valid: ${STAGE_NAMES.join(', ')}, default)`);
    }
    if (this.name in values) return values[this.name] as T;
    if ('default' in values) return values.default as T;
    throw new StrataError(`stage.pick: no value for stage "${this.name}" and no default (given: ${Object.keys(values).join(', ') || 'nothing'})`);
  }

  /**
   * Resolves a prop that may be stage-dependent.
   * @throws StrataError when a per-stage value names an unknown stage, or has no value for this stage and no `default`
   */
  resolve<T>(value: StageValue<T>): T {
    return isStageDependent(value) ? this.pick(value[PER_STAGE]) : value;
  }

  /** The stage name, e.g. `production`. */
  toString(): string {
    return this.name;
  }
}

/** True for `{}`-like literals and `Object.create(null)`: the objects a props tree is made of (not class instances). */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** A path into a props object for messages: `values.gateway.hostnames[0]`. */
export function joinPath(path: string, key: string | number): string {
  if (typeof key === 'number') return `${path}[${key}]`;
  const part = /^[A-Za-z_$][\w$]*$/.test(key) ? key : JSON.stringify(key);
  return path ? (part === key ? `${path}.${key}` : `${path}[${part}]`) : part;
}

const UNRESOLVED = Symbol('unresolved stage value');

/**
 * `value` with every stage-dependent value in it, at any depth of its plain objects and arrays,
 * replaced by the value for `stage`. One that has no value for the stage (or names no stage) is a
 * problem naming its path, e.g. `values.gateway.hostnames[0]: no value for stage "production"
 * and no default`, and is left out (its key removed, so no second error follows from it). Class instances (constructs, autoscalers, volumes) are not
 * entered: they resolve their own props. Unchanged subtrees are returned as they are.
 * @param path how messages name `value`, e.g. `values`
 */
export function resolveStageValues<T>(value: T, stage: Stage, path: string, problems: string[]): T {
  const resolved = resolveIn(value, stage, path, problems);
  return (resolved === UNRESOLVED ? undefined : resolved) as T;
}

function resolveIn(value: unknown, stage: Stage, path: string, problems: string[]): unknown {
  if (isStageDependent(value)) {
    let picked: unknown;
    try {
      picked = stage.pick(perStageValues(value));
    } catch (e) {
      if (!(e instanceof StrataError)) throw e;
      problems.push(`${path || 'value'}: ${e.message}`);
      return UNRESOLVED;
    }
    return resolveIn(picked, stage, path, problems);
  }
  if (Array.isArray(value)) {
    let changed = false;
    const items = value.map((item, i) => {
      const resolved = resolveIn(item, stage, joinPath(path, i), problems);
      if (resolved !== item) changed = true;
      return resolved === UNRESOLVED ? undefined : resolved;
    });
    return changed ? items : value;
  }
  if (!isPlainObject(value)) return value;
  let result: Record<string, unknown> | undefined;
  for (const key of Object.keys(value)) {
    const item = value[key];
    const resolved = resolveIn(item, stage, joinPath(path, key), problems);
    // defineProperty: an own key `__proto__` is data here (Helm values may hold one), never the prototype.
    if (resolved === UNRESOLVED) delete (result ??= { ...value })[key];
    else if (resolved !== item) Object.defineProperty((result ??= { ...value }), key, { value: resolved, enumerable: true, writable: true, configurable: true });
  }
  return result ?? value;
}

/** Stage values of rendered objects that had no value for their cluster's stage, by object. */
const unresolved = new WeakMap<ApiObject, Set<string>>();

/**
 * A cdk8s resolver that renders a stage-dependent value found anywhere in an object (typed or
 * `new ApiObject(...)`) as the value of the object's cluster's stage. Without it, cdk8s renders
 * `perStage(...)` as `{}`: its values hide behind a symbol. One that cannot be resolved is left
 * out and recorded against the object with its field path (`unresolvedStageValues`).
 */
export class StageResolver implements IResolver {
  /** @param stageOf the stage of the cluster an object belongs to */
  constructor(private readonly stageOf: (obj: ApiObject) => Stage) {}

  resolve(context: ResolutionContext): void {
    const wrapped = isStageDependent(context.value) ? undefined : wrappedStageValue(context.value);
    const value = wrapped ?? context.value;
    if (!isStageDependent(value)) return;
    try {
      const picked = this.stageOf(context.obj).pick(perStageValues(value));
      // A wrapper stays one (the binding unwraps it), holding the stage's value.
      context.replaceValue(wrapped ? Object.assign(Object.create(Object.getPrototypeOf(context.value) as object) as object, context.value, { value: picked }) : picked);
    } catch (e) {
      if (!(e instanceof StrataError)) throw e;
      const path = context.key.reduce<string>((p, k) => joinPath(p, /^\d+$/.test(k) ? Number(k) : k), '');
      let set = unresolved.get(context.obj);
      if (!set) unresolved.set(context.obj, (set = new Set()));
      set.add(`${context.obj.kind} ${context.obj.name}: ${path}: ${e.message}`);
      context.replaceValue(undefined);
    }
  }
}

/**
 * The stage-dependent value a binding's wrapper class holds (`k8s.IntOrString.fromNumber(perStage(...))`,
 * which cdk8s-plus makes of a port given per stage): cdk8s renders such a class only when its
 * `value` is a number or a string, so its value is resolved inside it.
 */
function wrappedStageValue(value: unknown): StageDependent<unknown> | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value) || Object.getPrototypeOf(value) === Object.prototype) return undefined;
  const inner = (value as { value?: unknown }).value;
  return isStageDependent(inner) ? inner : undefined;
}

/** The stage values of `obj` its resolution could not resolve, as messages naming each field path. */
export function unresolvedStageValues(obj: ApiObject): readonly string[] {
  return [...(unresolved.get(obj) ?? [])];
}

/** The values of a stage-dependent prop, for code that combines several of them into one. */
export function perStageValues<T>(value: StageDependent<T>): PerStage<T> {
  return value[PER_STAGE];
}
