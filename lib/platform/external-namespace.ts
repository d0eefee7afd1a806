import { checkedProps } from '../fleet/props.js';
import { Construct } from 'constructs';
import type { Cluster } from '../fleet/cluster.js';
import { addCheck, show } from '../fleet/errors.js';
import { dnsLabelError } from '../fleet/names.js';
import { componentOfNamespace, declareExternalNamespace } from '../fleet/namespaces.js';
import { SYSTEM_NAMESPACES } from '../validate/references.js';

/** A namespace another repository (or the cluster's bootstrap) creates: what strata may know of it. */
export interface ExternalNamespaceProps {
  /**
   * The labels its owner sets on it, e.g. `{ 'strata.dev/gateway-access': 'true' }`, for the checks
   * that select namespaces by label: NetworkPolicy `namespaceSelector`s (rule
   * `external-namespace-labels`) and Pod Security admission
   * (`pod-security.kubernetes.io/enforce`). https://kubernetes.io/docs/concepts/overview/working-with-objects/labels/
   * @default unknown: the checks know only `kubernetes.io/metadata.name`, which every namespace carries,
   *   and a selector that could match it by another label is a warning
   */
  readonly labels?: Record<string, string>;
}

const LABEL_KEY = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;
const LABEL_VALUE = /^([A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)?$/;

/** Why `labels` are not Kubernetes labels, each naming `what`, the key and the value. */
export function labelProblems(what: string, labels: Record<string, string> | undefined): string[] {
  if (labels === undefined) return [];
  if (typeof labels !== 'object' || labels === null) return [`${what} ${show(labels)} is not a map of label keys to values`];
  return Object.entries(labels).flatMap(([key, value]) => {
    if (!LABEL_KEY.test(key)) return [`${what}: key ${show(key)} is not a label key (an optional DNS subdomain prefix and '/', then up to 63 letters, digits, '-', '_' or '.')`];
    if (typeof value !== 'string' || !LABEL_VALUE.test(value)) return [`${what}: value ${show(value)} of ${show(key)} is not a label value (up to 63 letters, digits, '-', '_' or '.', beginning and ending with a letter or digit)`];
    return [];
  });
}

/** Why `name` needs no declaration: every cluster has the system namespaces, and a component's is the platform's. */
function externalProblem(cluster: Cluster, name: string, what: string): string | undefined {
  if (SYSTEM_NAMESPACES.has(name)) {
    return `${what}: namespace ${show(name)} is a system namespace (${[...SYSTEM_NAMESPACES].join(', ')}), which every cluster has: use it without declaring it`;
  }
  const component = componentOfNamespace(cluster, name);
  if (component !== undefined) return `${what}: namespace ${show(name)} belongs to platform component ${show(component)}, which creates it: use it without declaring it`;
  return undefined;
}

/**
 * Records on `cluster` that `name` is an external namespace declared by `scope`, and checks the
 * declaration: a DNS label, no system or platform namespace (those need no declaration), valid
 * labels, declared once. `what` names the declaration in errors; `checkReserved` false leaves the
 * system and platform namespaces to a caller that reports them itself (a tenant).
 */
export function declareExternal(scope: Construct, cluster: Cluster, name: string, labels: Record<string, string> | undefined, what: string, checkReserved = true): void {
  const problems = [dnsLabelError(`${what}: namespace`, name), ...labelProblems(`${what}: labels`, labels)].filter((p): p is string => p !== undefined);
  if (problems.length === 0) {
    const twice = declareExternalNamespace(cluster, { name, labels: labels && { ...labels }, declaredBy: scope.node.path });
    if (twice !== undefined) problems.push(`${what}: ${twice}`);
  }
  // Components claim their namespaces while the platform is declared: checked once it is.
  addCheck(scope, () => [...problems, checkReserved ? externalProblem(cluster, name, what) : undefined].filter((p): p is string => p !== undefined));
}

/**
 * A namespace created by another repository, another Flux Kustomization or the cluster's bootstrap,
 * declared as such (`platform.externalNamespace('legacy', { labels })`): strata writes no
 * Namespace object for it, `fleet.apps('legacy', ...)` and a tenant (`addTenant(..., { namespace:
 * 'legacy', externalNamespace: {...} })`) may target it, and the check that every namespace
 * used is created accepts it. Renders nothing.
 */
export class ExternalNamespace extends Construct {
  /** Name of the namespace, a DNS label. */
  readonly name: string;
  /** The labels its owner declares it carries, which the checks read (NetworkPolicy namespace selectors, Pod Security `enforce`). @default undefined (unknown) */

  readonly labels?: Readonly<Record<string, string>>;


  constructor(scope: Construct, cluster: Cluster, name: string, given: ExternalNamespaceProps = {}) {
    super(scope, `namespace-${name}`);
    this.name = name;
    const { props, problems } = checkedProps('ExternalNamespaceProps', given, `externalNamespace(${show(name)}, ...)`);
    if (problems.length > 0) addCheck(this, () => [...problems]);
    this.labels = props.labels;
    declareExternal(this, cluster, name, props.labels, `external namespace ${show(name)}`);
  }
}
