import type { Finding } from '../fleet/errors.js';
import { checkPolicies } from '../validate/policy.js';
import { checkAdmission } from '../validate/admission.js';
import { checkReferences } from '../validate/references.js';
import { checkAutoscaledReplicas, checkOneAutoscalerPerWorkload } from '../validate/autoscaling.js';
import { checkSchemas, uncheckedObjects } from '../validate/schema.js';
import { checkStructure } from '../validate/structure.js';
import { checkApiServerNames } from '../validate/api-names.js';
import { checkCronSchedules } from '../validate/cron.js';
import { checkNames } from '../validate/rules/names.js';
import type { FleetModel, ResolvedCluster } from './model.js';

/**
 * A check over resolved objects: structure, schemas, policy rules, and any a caller adds. A synth
 * runs it on one cluster at a time (`model.clusters` holds one); `npm run validate` on every cluster
 * of a tree at once. Either way it must reason about each cluster on its own.
 */
export type ModelCheck = (model: FleetModel) => Finding[];

/** The checks every synth runs on the resolved fleet, in this order (lib/validate). */
export const DEFAULT_CHECKS: readonly ModelCheck[] = [
  checkStructure, checkNames, checkApiServerNames, checkCronSchedules, checkSchemas, checkReferences, checkPolicies, checkAdmission, checkAutoscaledReplicas, checkOneAutoscalerPerWorkload,
];

/** Milliseconds spent per phase of a synth. */
export interface PhaseTimings {
  /** Running the `fleet.platform` and `fleet.apps` definitions on each cluster, in milliseconds. */
  build: number;
  /** Resolving each cluster's constructs into plain objects (the cluster model), in milliseconds. */
  resolve: number;
  /** Running the checks over each resolved cluster, in milliseconds. */
  validate: number;
  /** Laying the objects out as dist/ files (YAML, `kustomization.yaml`), in milliseconds. */
  layout: number;
  /** Writing dist/ to disk and swapping it in, in milliseconds; only set by a synth that writes. @default none */
  write?: number;
}

/** A rendered fleet: the files of dist/, the model they came from, and where the time went. */
export interface Rendered {
  /** dist/ as path → YAML, sorted by path. */
  readonly files: ReadonlyMap<string, string>;
  /** The resolved fleet the files were laid out from, every rendered cluster in it. */
  readonly model: FleetModel;
  /** Milliseconds spent per phase. */
  readonly timings: PhaseTimings;
  /** Warnings the checks found: printed, never blocking. */
  readonly warnings: readonly Finding[];
}

/**
 * Runs every check over a resolved fleet and returns all findings. A check that throws is a
 * bug, reported as an error rather than a crash, so the report is always complete.
 */
export function checkModel(model: FleetModel, checks: readonly ModelCheck[] = DEFAULT_CHECKS): Finding[] {
  return [...model.findings, ...runChecks(model, checks).flat()];
}

/** The findings of each check over `model`, one list per check, in the order of `checks`. */
function runChecks(model: FleetModel, checks: readonly ModelCheck[]): Finding[][] {
  return checks.map((check) => {
    try {
      return check(model);
    } catch (e) {
      return [{ path: '', message: `check ${check.name || 'anonymous'} failed: ${e instanceof Error ? e.stack ?? e.message : String(e)}` }];
    }
  });
}

/**
 * The phases a synth finds problems in before its checks run, in the order its report lists them:
 * the project's CRD files, building each cluster, the constructs' own validations, missing
 * platform capabilities, resolving objects. One phase per check follows.
 */
export const PHASE = {
  /** Loading the project's CRD files (the schemas of its own custom resources). */
  project: 0,
  /** Building a cluster: errors the `fleet.platform` and `fleet.apps` definitions throw. */
  build: 1,
  /** The constructs' own validations (`node.validate()`), e.g. props errors. */
  constructs: 2,
  /** Custom resources whose CRDs no installed component provides, or that Flux may apply before the release installing them. */
  capabilities: 3,
  /** Resolving constructs into plain objects (unresolved stage values, rendering errors). */
  resolve: 4,
} as const;
const FIXED_PHASES = 5;

/**
 * Findings of the fleet itself or of one cluster, by phase: PHASE's, then one per check. Kept
 * per cluster so a fleet rendered one cluster at a time, or on several threads, reports exactly
 * what one pass over the whole fleet reports, in the same order (see `mergeFindings`).
 */
export type PhasedFindings = Finding[][];

/** An empty PhasedFindings for a synth running `checks`. */
export function phasedFindings(checks: readonly ModelCheck[]): PhasedFindings {
  return Array.from({ length: FIXED_PHASES + checks.length }, () => []);
}

/**
 * Runs `checks` over one resolved cluster and adds their findings to its check phases. Every
 * check reasons about one cluster at a time (none compares clusters), so checking cluster by
 * cluster finds exactly what checking the whole fleet at once finds.
 */
export function checkCluster(cluster: ResolvedCluster, fleetName: string, checks: readonly ModelCheck[], into: PhasedFindings): void {
  runChecks({ name: fleetName, clusters: [cluster], findings: [] }, checks).forEach((found, i) => into[FIXED_PHASES + i].push(...found));
}

/**
 * The findings of a fleet in report order: phase by phase, and within a phase the fleet's own
 * first, then each cluster's in fleet order (as one check over the whole fleet lists them).
 */
export function mergeFindings(fleet: PhasedFindings, clusters: readonly PhasedFindings[]): Finding[] {
  return fleet.flatMap((own, phase) => [...own, ...clusters.flatMap((c) => c[phase])]);
}

/** What a synth rendered, counted for the line it ends with. */
export interface SynthTotals {
  /** Clusters rendered. */
  clusters: number;
  /** Layer folders, one Flux Kustomization each. */
  layers: number;
  /** Kubernetes objects written: those of the layer folders, plus the Flux Kustomizations and sources of `clusters/<name>/`. */
  objects: number;
  /** Objects marked with markUnchecked, with the reason given. */
  readonly unchecked: {
    /** Construct path of the object, e.g. `prod-eu/apps/shop/storefront/deployment`. */
    readonly path: string;
    /** Why its schema is not checked, as given to markUnchecked. */
    readonly reason: string;
  }[];
}


/** Zero of everything: add clusters with `addTotals(totals, clusterTotals(cluster))`. */
export function noTotals(): SynthTotals {
  return { clusters: 0, layers: 0, objects: 0, unchecked: [] };
}

/** The totals of one resolved cluster. */
export function clusterTotals(cluster: ResolvedCluster): SynthTotals {
  return {
    clusters: 1,
    layers: cluster.folders.length,
    objects: cluster.folders.reduce((m, f) => m + f.objects.length, 0) + cluster.layers.length + cluster.sources.length,
    unchecked: uncheckedObjects({ name: '', clusters: [cluster], findings: [] }),
  };
}

/** Adds `more` to `totals`; returns `totals`. */
export function addTotals(totals: SynthTotals, more: SynthTotals): SynthTotals {
  totals.clusters += more.clusters;
  totals.layers += more.layers;
  totals.objects += more.objects;
  totals.unchecked.push(...more.unchecked);
  return totals;
}

/** The totals of a whole model. */
export function totalsOf(model: FleetModel): SynthTotals {
  return model.clusters.reduce((totals, cluster) => addTotals(totals, clusterTotals(cluster)), noTotals());
}

/** One line per object marked with markUnchecked, with its reason: printed after every synth. */
export function describeUnchecked(unchecked: SynthTotals['unchecked']): string[] {
  return unchecked.map((u) => `  unchecked (not schema-validated): ${u.path}: ${u.reason}`);
}

/** One line for the end of a synth: what it rendered, how many files, where, in how long (`ms`, wall-clock). */
export function summarize(totals: SynthTotals, files: number, ms: number, outdir: string): string {
  const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
  // Objects marked with markUnchecked: counted on every synth, so an escape never goes unnoticed.
  const unchecked = totals.unchecked.length;
  const objectCount = `${plural(totals.objects, 'object')}${unchecked > 0 ? ` (${unchecked} unchecked)` : ''}`;
  return `strata: ${plural(totals.clusters, 'cluster')}, ${plural(totals.layers, 'layer')}, ${objectCount}, ${plural(files, 'file')} → ${outdir}/ in ${Math.round(ms)} ms`;
}
