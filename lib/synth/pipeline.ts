import { performance } from 'node:perf_hooks';
import { SynthError, isError, type Finding } from '../fleet/errors.js';
import { checkPolicies } from '../validate/policy.js';
import { checkAdmission } from '../validate/admission.js';
import { checkReferences } from '../validate/references.js';
import { checkAutoscaledReplicas, checkOneAutoscalerPerWorkload } from '../validate/autoscaling.js';
import { checkSchemas, uncheckedObjects } from '../validate/schema.js';
import { checkStructure } from '../validate/structure.js';
import { checkApiServerNames } from '../validate/api-names.js';
import { checkCronSchedules } from '../validate/cron.js';
import { checkNames } from '../validate/rules/names.js';
import { layout, type LayoutOptions } from './layout.js';
import type { FleetModel } from './model.js';

/** A check over resolved objects: structure, schemas, policy rules, and any a caller adds. */
export type ModelCheck = (model: FleetModel) => Finding[];

/** The checks every synth runs on the resolved fleet, in this order (lib/validate). */
export const DEFAULT_CHECKS: readonly ModelCheck[] = [
  checkStructure, checkNames, checkApiServerNames, checkCronSchedules, checkSchemas, checkReferences, checkPolicies, checkAdmission, checkAutoscaledReplicas, checkOneAutoscalerPerWorkload,
];

/** Milliseconds spent per phase of a synth. */
export interface PhaseTimings {
  build: number;
  resolve: number;
  validate: number;
  layout: number;
  write?: number;
}

/** A rendered fleet: the files of dist/, the model they came from, and where the time went. */
export interface Rendered {
  /** dist/ as path → YAML, sorted by path. */
  readonly files: ReadonlyMap<string, string>;
  readonly model: FleetModel;
  readonly timings: PhaseTimings;
  /** Warnings the checks found: printed, never blocking. */
  readonly warnings: readonly Finding[];
}

/**
 * Runs every check over a resolved fleet and returns all findings. A check that throws is a
 * bug, reported as an error rather than a crash, so the report is always complete.
 */
export function checkModel(model: FleetModel, checks: readonly ModelCheck[] = DEFAULT_CHECKS): Finding[] {
  const findings = [...model.findings];
  for (const check of checks) {
    try {
      findings.push(...check(model));
    } catch (e) {
      findings.push({ path: '', message: `check ${check.name || 'anonymous'} failed: ${e instanceof Error ? e.stack ?? e.message : String(e)}` });
    }
  }
  return findings;
}

/**
 * Runs every check over a resolved fleet; throws SynthError with every error (and the warnings)
 * if there is any error, else returns the warnings.
 * @throws SynthError when a check finds an error (every error of the fleet at once, with the warnings)
 */
export function validateModel(model: FleetModel, checks: readonly ModelCheck[] = DEFAULT_CHECKS): Finding[] {
  const findings = checkModel(model, checks);
  const errors = findings.filter(isError);
  const warnings = findings.filter((f) => !isError(f));
  if (errors.length > 0) throw new SynthError(errors, warnings);
  return warnings;
}

/**
 * Validates a resolved fleet and lays it out; throws SynthError with every error (and the
 * warnings) if there is any error, else returns the files with the warnings.
 * @throws SynthError when a check finds an error (every error of the fleet at once, with the warnings)
 */
export function renderModel(model: FleetModel, timings: Omit<PhaseTimings, 'validate' | 'layout'>, options: LayoutOptions & { checks?: readonly ModelCheck[] } = {}): Rendered {
  let t = performance.now();
  const warnings = validateModel(model, options.checks ?? DEFAULT_CHECKS);
  const validate = performance.now() - t;
  t = performance.now();
  const files = layout(model, options);
  return { files, model, warnings, timings: { ...timings, validate, layout: performance.now() - t } };
}

/** One line per object marked with markUnchecked, with its reason: printed after every synth. */
export function describeUnchecked(model: FleetModel): string[] {
  return uncheckedObjects(model).map((u) => `  unchecked (not schema-validated): ${u.path}: ${u.reason}`);
}

/** One line for the end of a synth; `files` is the tree written, or how many files it has. */
export function summarize(rendered: Pick<Rendered, 'model' | 'timings'> & { readonly files: ReadonlyMap<string, string> | number }, outdir: string): string {
  const clusters = rendered.model.clusters;
  const layers = clusters.reduce((n, c) => n + c.folders.length, 0);
  const objects = clusters.reduce((n, c) => n + c.folders.reduce((m, f) => m + f.objects.length, 0) + c.layers.length + c.sources.length, 0);
  const files = typeof rendered.files === 'number' ? rendered.files : rendered.files.size;
  const t = rendered.timings;
  const total = t.build + t.resolve + t.validate + t.layout + (t.write ?? 0);
  const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
  // Objects marked with markUnchecked: counted on every synth, so an escape never goes unnoticed.
  const unchecked = uncheckedObjects(rendered.model).length;
  const objectCount = `${plural(objects, 'object')}${unchecked > 0 ? ` (${unchecked} unchecked)` : ''}`;
  return `strata: ${plural(clusters.length, 'cluster')}, ${plural(layers, 'layer')}, ${objectCount}, ${plural(files, 'file')} → ${outdir}/ in ${Math.round(total)} ms`;
}
