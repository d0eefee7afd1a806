import { ApiObject } from 'cdk8s';
import type { IConstruct } from 'constructs';
import { addCheck, show } from '../fleet/errors.js';
import type { WaiverRecord } from '../synth/model.js';
import { WAIVER_ANNOTATION_PREFIX } from './policy.js';
import { RULES, ruleById } from './rules/catalog.js';

const WAIVER_METADATA = 'strata.dev/waiver';

interface WaiverData {
  readonly rule: string;
  readonly reason: string;
}

/**
 * Exceptions to policy rules, visible in code and in Git: a waiver covers one rule for every
 * object under one construct, and is rendered on each as the annotation
 * `strata.dev/waive.<rule>: <reason>`, so reviewers see it next to what it excuses.
 */
export class Waivers {
  /**
   * Waives `rule` for every object under `scope`, e.g.
   * `Waivers.waive(exporter, 'pod-security-restricted', 'reads host metrics through hostPID')`.
   * An empty reason, an unknown rule or a rule that cannot be waived (`secret-plaintext`,
   * `flux-lockdown`) is an error; a waiver that waives nothing is a warning.
   */
  static waive(scope: IConstruct, rule: string, reason: string): void {
    if (!ruleById(rule)) {
      addCheck(scope, () => [`waiver of unknown rule ${show(rule)} (rules: ${RULES.map((r) => r.id).join(', ')})`]);
      return;
    }
    if (ruleById(rule)?.waivable === false) {
      addCheck(scope, () => [`rule ${rule} cannot be waived: fix what it reports`]);
      return;
    }
    if (typeof reason !== 'string' || reason.trim() === '') {
      addCheck(scope, () => [`waiver of ${rule} has an empty reason: say why the rule does not apply here`]);
      return;
    }
    scope.node.addMetadata(WAIVER_METADATA, { rule, reason: reason.trim() } satisfies WaiverData);
  }
}

function waiversOf(node: IConstruct): WaiverData[] {
  return node.node.metadata.filter((m) => m.type === WAIVER_METADATA).map((m) => m.data as WaiverData);
}

/**
 * Renders the waivers declared on `root`, its ancestors and its descendants as annotations on the
 * objects they cover (an inner waiver's reason wins), and returns them with those objects.
 */
export function applyWaivers(root: IConstruct): WaiverRecord[] {
  const records: WaiverRecord[] = [];
  for (const scope of [...root.node.scopes.slice(0, -1), ...root.node.findAll()]) {
    for (const { rule, reason } of waiversOf(scope)) {
      const covered = (scope.node.scopes.includes(root) ? scope : root).node.findAll().filter(ApiObject.isApiObject);
      for (const obj of covered) obj.metadata.addAnnotation(`${WAIVER_ANNOTATION_PREFIX}${rule}`, reason);
      records.push({ path: scope.node.path, rule, reason, objects: covered.map((o) => o.node.path) });
    }
  }
  return records;
}
