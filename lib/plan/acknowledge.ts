// Acknowledging a destructive change in code, where reviewers see it: an annotation on the
// synthesized object (or, for an object that is gone, on one that stays), read back by `npm run plan`.
import { ApiObject } from 'cdk8s';
import type { IConstruct } from 'constructs';
import { StrataError, addCheck, requireConstruct, show } from '../fleet/errors.js';
import { propsProblems } from '../fleet/props.js';
import { whenBuilt } from '../fleet/when-built.js';
import type { Manifest } from '../synth/model.js';
import { describeId, type ObjectId } from './identity.js';

/** Carries the reason a destructive change of this object is intended. */
export const ALLOW_DESTRUCTIVE_ANNOTATION = 'plan.strata.dev/allow-destructive';
/** Carries removals that are intended, one per line: `<Kind> [<namespace>/]<name>: <reason>`. */
export const ALLOW_REMOVAL_ANNOTATION = 'plan.strata.dev/allow-removal';

/** An object that is no longer declared, as the plan names it. */
export interface RemovedObject {
  /** Kind, e.g. `PersistentVolumeClaim`. */
  readonly kind: string;
  /** Name of the removed object. */
  readonly name: string;
  /** @default cluster-scoped */

  readonly namespace?: string;
}

const removals = new WeakMap<ApiObject, string[]>();

function reasonProblem(method: string, reason: string): string[] {
  return typeof reason === 'string' && reason.trim() !== '' ? [] : [`Plan.${method} has an empty reason: say why the destructive change is intended`];
}

/**
 * Acknowledgements of destructive changes for `npm run plan` (and the synth summary line): the
 * plan still shows the change, marked acknowledged with the reason, and no longer fails on it.
 * An acknowledgement is an annotation on synthesized objects, so it is visible in the code and in
 * the dist/ diff under review; remove it once the change is merged and reconciled.
 * @see docs/plan.md
 */
export class Plan {
  /**
   * Acknowledges the destructive changes of every object under `scope` (a changed immutable
   * field, a move to another Kustomization, name or namespace), e.g.
   * `Plan.allowDestructive(db, 'claim template grows to 50Gi; StatefulSet re-created by hand (runbook 12)')`.
   * Renders `plan.strata.dev/allow-destructive: <reason>` on each object, once the fleet is built.
   * An empty reason, or a scope without objects, is a synth error.
   * @throws StrataError when `scope` is not a construct
   */
  static allowDestructive(scope: IConstruct, reason: string): void {
    requireConstruct('Plan.allowDestructive', scope);
    const objects = () => scope.node.findAll().filter(ApiObject.isApiObject);
    const problems = reasonProblem('allowDestructive', reason);
    // Annotated before any check reads an object (see whenBuilt); the problems are reported as checks.
    if (problems.length === 0) whenBuilt(scope, () => objects().forEach((obj) => obj.metadata.addAnnotation(ALLOW_DESTRUCTIVE_ANNOTATION, reason.trim())));
    addCheck(scope, () => problems.length > 0 || objects().length > 0 ? problems : ['Plan.allowDestructive: no Kubernetes object under this construct to carry the acknowledgement']);
  }

  /**
   * Acknowledges that `object`, no longer declared, is deleted from the cluster (pruned by Flux,
   * with whatever it held), e.g. `Plan.allowRemoval(apps, { kind: 'PersistentVolumeClaim',
   * namespace: 'shop', name: 'data-orders-db-0' }, 'database moved to the managed service')`.
   * Renders one line `<Kind> [<namespace>/]<name>: <reason>` into the
   * `plan.strata.dev/allow-removal` annotation of the first object under `scope` (any object of
   * the same cluster will do). Acknowledging a removed Flux Kustomization covers what it pruned.
   * An empty reason, or a scope without objects, is a synth error.
   * @throws StrataError when `scope` is not a construct, or `object` is not `{ kind, name, namespace? }` (a misspelt key included)
   */
  static allowRemoval(scope: IConstruct, object: RemovedObject, reason: string): void {
    requireConstruct('Plan.allowRemoval', scope);
    if (typeof object !== 'object' || object === null || typeof object.kind !== 'string' || typeof object.name !== 'string') {
      throw new StrataError(`Plan.allowRemoval: name the object removed as { kind, name, namespace? }, e.g. { kind: 'Deployment', name: 'old', namespace: 'shop' }, not ${show(object)}`);
    }
    const typos = propsProblems('RemovedObject', object, 'Plan.allowRemoval(...)');
    if (typos.length > 0) throw new StrataError(typos.join('; '));
    const carrier = () => scope.node.findAll().find(ApiObject.isApiObject);
    // Like allowDestructive: annotated before any check reads the carrier.
    const problems = reasonProblem('allowRemoval', reason);
    if (problems.length === 0) {
      whenBuilt(scope, () => {
        const obj = carrier();
        if (!obj) return;
        const line = `${describeId({ group: '', ...object })}: ${reason.trim()}`;
        const lines = [...new Set([...(removals.get(obj) ?? []), line])];
        removals.set(obj, lines);
        obj.metadata.addAnnotation(ALLOW_REMOVAL_ANNOTATION, lines.join('\n'));
      });
    }
    addCheck(scope, () => problems.length > 0 || carrier() ? problems : ['Plan.allowRemoval: no Kubernetes object under this construct to carry the acknowledgement']);
  }
}

/** The reason a head object carries for its own destructive changes, if any. */
export function destructiveAllowance(manifest: Manifest | undefined): string | undefined {
  return manifest?.metadata.annotations?.[ALLOW_DESTRUCTIVE_ANNOTATION];
}

/** Removals acknowledged by a cluster's objects: `Kind [ns/]name` → reason. */
export function removalAllowances(manifests: Iterable<Manifest>): Map<string, string> {
  const allowed = new Map<string, string>();
  for (const m of manifests) {
    for (const line of (m.metadata.annotations?.[ALLOW_REMOVAL_ANNOTATION] ?? '').split('\n')) {
      const match = /^(\S+ \S+): (.+)$/.exec(line.trim());
      if (match) allowed.set(match[1], match[2]);
    }
  }
  return allowed;
}

/** The key `removalAllowances` uses for an object. */
export function removalKey(id: ObjectId): string {
  return describeId(id);
}
