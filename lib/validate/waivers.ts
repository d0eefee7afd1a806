import { ApiObject } from 'cdk8s';
import type { IConstruct } from 'constructs';
import { StrataError, addCheck, requireConstruct, show } from '../fleet/errors.js';
import type { WaiverRecord } from '../synth/model.js';
import { WAIVER_ANNOTATION_PREFIX } from './policy.js';
import { RULES, ruleById } from './rules/catalog.js';
import { CREDENTIAL_WAIVER_ANNOTATION, PLAINTEXT_CREDENTIAL } from './rules/credentials.js';

const WAIVER_METADATA = 'strata.dev/waiver';
const CREDENTIAL_WAIVER_METADATA = 'strata.dev/credential-waiver';

/** One field of one kind of object that holds something shaped like a credential that is none. */
export interface CredentialWaiver {
  /** Kind of the object under the scope that holds the field, e.g. `Deployment`. */
  readonly kind: string;
  /**
   * JSON path of the field, exactly as the plaintext-credential error names it, e.g.
   * `spec.template.spec.containers[0].env[1].value` or `spec.values.auth.token`.
   */
  readonly field: string;
  /** Why the value is no credential (or may be public), for reviewers. */
  readonly reason: string;
}

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
   * @throws StrataError when `scope` is not a construct
   */
  static waive(scope: IConstruct, rule: string, reason: string): void {
    requireConstruct('Waivers.waive', scope);
    if (!ruleById(rule)) {
      addCheck(scope, () => [`waiver of unknown rule ${show(rule)} (rules: ${RULES.map((r) => r.id).join(', ')})`]);
      return;
    }
    if (ruleById(rule)?.waivedPerField) {
      addCheck(scope, () => [`${rule} cannot be waived for whole objects: name the field with Waivers.allowPlaintextCredential(scope, { kind, field, reason })`]);
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

  /**
   * Waives the rule plaintext-credential for one field of the objects of `kind` under `scope`: a
   * value that looks like a credential but is none (a public demo token, a test fixture), e.g.
   * `Waivers.allowPlaintextCredential(api, { kind: 'Deployment', field: 'spec.template.spec.containers[0].env[1].value', reason: 'public sandbox key' })`.
   * Rendered on each object as the annotation `strata.dev/waive-fields.plaintext-credential`
   * (JSON field → reason), so reviewers see it next to the value. An empty reason or field, or a
   * scope with no object of `kind`, is an error; a waiver of a field that holds no credential is
   * a warning. See https://kubernetes.io/docs/concepts/configuration/secret/ for where credentials belong.
   * @throws StrataError when `scope` is not a construct, or `waiver` is not an object
   */
  static allowPlaintextCredential(scope: IConstruct, waiver: CredentialWaiver): void {
    requireConstruct('Waivers.allowPlaintextCredential', scope);
    if (typeof waiver !== 'object' || waiver === null) throw new StrataError(`Waivers.allowPlaintextCredential: give { kind, field, reason }, not ${show(waiver)}`);
    const { kind, field, reason } = waiver;
    const what = `waiver of ${PLAINTEXT_CREDENTIAL} for ${show(field)}`;
    if (typeof field !== 'string' || field.trim() === '') {
      addCheck(scope, () => [`${what} names no field: give the JSON path the error names, e.g. "spec.template.spec.containers[0].env[1].value"`]);
      return;
    }
    if (typeof reason !== 'string' || reason.trim() === '') {
      addCheck(scope, () => [`${what} has an empty reason: say why the value is no credential`]);
      return;
    }
    addCheck(scope, () => (scope.node.findAll().some((o) => ApiObject.isApiObject(o) && o.kind === kind) ? [] : [`${what} covers no ${show(kind)}: no object of that kind is under ${scope.node.path}`]));
    scope.node.addMetadata(CREDENTIAL_WAIVER_METADATA, { kind, field: field.trim(), reason: reason.trim() } satisfies CredentialWaiver);
  }
}

/** Renders the field waivers declared on `root`'s ancestors and descendants as one annotation per object. */
function applyCredentialWaivers(root: IConstruct): void {
  const fields = new Map<ApiObject, Record<string, string>>();
  for (const scope of [...root.node.scopes.slice(0, -1), ...root.node.findAll()]) {
    for (const m of scope.node.metadata.filter((d) => d.type === CREDENTIAL_WAIVER_METADATA)) {
      const { kind, field, reason } = m.data as CredentialWaiver;
      const covered = (scope.node.scopes.includes(root) ? scope : root).node.findAll().filter(ApiObject.isApiObject);
      for (const obj of covered.filter((o) => o.kind === kind)) fields.set(obj, { ...fields.get(obj), [field]: reason });
    }
  }
  for (const [obj, map] of fields) {
    const sorted = Object.fromEntries(Object.entries(map).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
    obj.metadata.addAnnotation(CREDENTIAL_WAIVER_ANNOTATION, JSON.stringify(sorted));
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
  applyCredentialWaivers(root);
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
