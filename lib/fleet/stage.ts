import { StrataError, show } from './errors.js';

/** The stages a cluster can be in. */
export type StageName = 'development' | 'staging' | 'production';

const STAGE_NAMES: readonly StageName[] = ['development', 'staging', 'production'];

/** Values per stage; `default` covers every stage not named. */
export interface PerStage<T> {
  readonly development?: T;
  readonly staging?: T;
  readonly production?: T;
  readonly default?: T;
}

const PER_STAGE = Symbol.for('strata.PerStage');

/** A value that differs per stage, resolved against the cluster a construct lands on. */
export interface StageDependent<T> {
  readonly [PER_STAGE]: PerStage<T>;
}

/** A prop that is either a plain value or a stage-dependent one made with `perStage()`. */
export type StageValue<T> = T | StageDependent<T>;

/** Declares a value that differs per stage, e.g. `perStage({ development: 1, production: 3 })`. */
export function perStage<T>(values: PerStage<T>): StageDependent<T> {
  return { [PER_STAGE]: values };
}

export function isStageDependent<T>(value: StageValue<T>): value is StageDependent<T> {
  return typeof value === 'object' && value !== null && PER_STAGE in value;
}

/** A stage of the delivery pipeline. Clusters of one stage share its stage-dependent values. */
export class Stage {
  static readonly DEVELOPMENT = new Stage('development');
  static readonly STAGING = new Stage('staging');
  static readonly PRODUCTION = new Stage('production');

  /** Every stage, in delivery order. */
  static readonly ALL: readonly Stage[] = [Stage.DEVELOPMENT, Stage.STAGING, Stage.PRODUCTION];

  private constructor(readonly name: StageName) {}

  get isProduction(): boolean {
    return this.name === 'production';
  }

  get isDevelopment(): boolean {
    return this.name === 'development';
  }

  /**
   * The value for this stage, or `default`. Unknown keys (a typo such as `prod`) and a missing
   * value are errors, reported against the construct being defined.
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

  /** Resolves a prop that may be stage-dependent. */
  resolve<T>(value: StageValue<T>): T {
    return isStageDependent(value) ? this.pick(value[PER_STAGE]) : value;
  }

  toString(): string {
    return this.name;
  }
}

/** The values of a stage-dependent prop, for code that combines several of them into one. */
export function perStageValues<T>(value: StageDependent<T>): PerStage<T> {
  return value[PER_STAGE];
}
