import type { Severity } from '../fleet/errors.js';
import type { StageName } from '../fleet/stage.js';
import type { ResolvedObject } from '../synth/model.js';
import type { ClusterObjects } from './objects.js';

/** A rule's severity in one stage; `off` still evaluates it (so waivers count as used), reports nothing. */
export type RuleSeverity = Severity | 'off';

/** One thing a rule found wrong with one object. */
export interface Violation {
  /** The offending object, with the construct path it came from. */
  readonly object: ResolvedObject;
  /** What is wrong with it, naming the field and value. */
  readonly message: string;

  /** How to fix this particular violation. @default the rule's hint */
  readonly hint?: string;
  /** A lesser severity for this violation (e.g. a field waiver that waives nothing). @default the rule's */
  readonly severity?: 'warning';
}

/** A policy rule over the rendered objects of one cluster. */
export interface Rule {
  /** Stable id, named by waivers and in reports, e.g. `pod-security-restricted`. */
  readonly id: string;
  /** What it checks, one sentence (docs/validation.md lists it). */
  readonly summary: string;
  /** How to fix a violation. */
  readonly hint: string;
  /** Severity per stage of the cluster. */
  readonly severity: Readonly<Record<StageName, RuleSeverity>>;
  /**
   * False for rules no waiver may excuse (plaintext secrets, a tenant escaping its namespace):
   * a waiver of one is an error and its violations are reported anyway.
   * @default true
   */
  readonly waivable?: boolean;
  /**
   * Waived per object and field only (the rule reads its own field waivers), never for a whole
   * object: a `strata.dev/waive.<id>` annotation or `Waivers.waive` of it is an error. @default false
   */
  readonly waivedPerField?: boolean;
  /** The rule's violations among one cluster's rendered objects. */
  check(objects: ClusterObjects): Violation[];
}

/** Severities for a rule that is an error everywhere. */
export const ALWAYS_ERROR: Rule['severity'] = { development: 'error', staging: 'error', production: 'error' };
/** Severities for a rule that is a warning while developing and an error from staging on. */
export const WARN_IN_DEVELOPMENT: Rule['severity'] = { development: 'warning', staging: 'error', production: 'error' };
/** Severities for a rule about production resilience: off in development, a warning in staging. */
export const PRODUCTION_ONLY: Rule['severity'] = { development: 'off', staging: 'warning', production: 'error' };
/** Severities for a rule whose findings are judgements everywhere: printed, never blocking. */
export const ALWAYS_WARNING: Rule['severity'] = { development: 'warning', staging: 'warning', production: 'warning' };
