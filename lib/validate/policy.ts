import type { Finding } from '../fleet/errors.js';
import type { FleetModel, ResolvedCluster, ResolvedObject, WaiverRecord } from '../synth/model.js';
import { ClusterObjects, describe, rec } from './objects.js';
import { RULES, ruleById } from './rules/catalog.js';

/** Prefix of the annotation that waives one rule for one object: `strata.dev/waive.<rule id>: <reason>`. */
export const WAIVER_ANNOTATION_PREFIX = 'strata.dev/waive.';

/** The waiver annotations of an object: rule id → reason. */
export function waiversOn(obj: ResolvedObject): Map<string, string> {
  const annotations = rec(rec(obj.manifest.metadata).annotations);
  return new Map(
    Object.entries(annotations)
      .filter(([k]) => k.startsWith(WAIVER_ANNOTATION_PREFIX))
      .map(([k, v]) => [k.slice(WAIVER_ANNOTATION_PREFIX.length), typeof v === 'string' ? v : '']),
  );
}

/** Problems with waiver annotations themselves: an unknown rule or an empty reason. */
function annotationProblems(obj: ResolvedObject): Finding[] {
  return [...waiversOn(obj)].flatMap(([rule, reason]) => {
    const annotation = `${WAIVER_ANNOTATION_PREFIX}${rule}`;
    const known = ruleById(rule);
    if (!known) return [{ path: obj.path, object: describe(obj), message: `annotation ${annotation} waives an unknown rule ${JSON.stringify(rule)} (rules: ${RULES.map((r) => r.id).join(', ')})` }];
    if (known.waivedPerField) return [{ path: obj.path, object: describe(obj), message: `annotation ${annotation} waives ${rule} for the whole object, but ${rule} is waived per field only: name the field (Waivers.allowPlaintextCredential)` }];
    if (reason.trim() === '') return [{ path: obj.path, object: describe(obj), message: `annotation ${annotation} has an empty reason: say why the rule does not apply` }];
    return [];
  });
}

/**
 * Waivers as read from annotations alone (dist/ has no construct tree): objects carrying the
 * same rule and reason count as one waiver, declared at the first of them.
 */
function waiversFromAnnotations(objects: readonly ResolvedObject[]): WaiverRecord[] {
  const groups = new Map<string, { path: string; rule: string; reason: string; objects: string[] }>();
  for (const obj of objects) {
    for (const [rule, reason] of waiversOn(obj)) {
      if (!ruleById(rule) || reason.trim() === '') continue;
      const key = `${rule}\u0000${reason}`;
      const group = groups.get(key) ?? { path: obj.path, rule, reason, objects: [] };
      group.objects.push(obj.path);
      groups.set(key, group);
    }
  }
  return [...groups.values()];
}

function isWaived(obj: ResolvedObject, rule: string): boolean {
  if (ruleById(rule)?.waivedPerField) return false;
  return (waiversOn(obj).get(rule) ?? '').trim() !== '';
}

/** Every policy rule over one cluster, at the severity of its stage, minus what is waived. */
function checkCluster(cluster: ResolvedCluster): Finding[] {
  const objects = new ClusterObjects(cluster);
  const findings = objects.all.flatMap(annotationProblems);
  const fired = new Set<string>();
  for (const rule of RULES) {
    const severity = rule.severity[cluster.stage] ?? 'error';
    let violations;
    try {
      violations = rule.check(objects);
    } catch (e) {
      findings.push({ path: cluster.name, rule: rule.id, message: `rule ${rule.id} could not check this cluster: ${e instanceof Error ? e.message : String(e)}` });
      continue;
    }
    for (const v of violations) {
      // Recorded even when off or waived: a waiver is used when its rule fired, whatever the stage.
      fired.add(`${rule.id}\u0000${v.object.path}`);
      if (severity === 'off' || isWaived(v.object, rule.id)) continue;
      findings.push({ path: v.object.path, object: describe(v.object), rule: rule.id, severity: v.severity ?? severity, message: v.message, hint: v.hint ?? rule.hint });
    }
  }
  for (const w of cluster.waivers ?? waiversFromAnnotations(objects.all)) {
    if (w.objects.some((p) => fired.has(`${w.rule}\u0000${p}`))) continue;
    findings.push({
      path: w.path,
      rule: w.rule,
      severity: 'warning',
      message: `waiver of ${w.rule} (${JSON.stringify(w.reason)}) waives nothing: the rule found no problem in the ${w.objects.length} object${w.objects.length === 1 ? '' : 's'} it covers`,
      hint: 'remove the waiver',
    });
  }
  return findings;
}

/** The policy rules over every cluster of a fleet. */
export function checkPolicies(model: FleetModel): Finding[] {
  return model.clusters.flatMap(checkCluster);
}
