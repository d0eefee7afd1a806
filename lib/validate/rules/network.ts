// Rules on traffic: tenant isolation and Services/Ingresses/routes that lead somewhere.
import type { ResolvedObject } from '../../synth/model.js';
import { arr, labelsOf, mapSelects, namespaceOf, nameOf, rec, selectingServices, str, type ClusterObjects } from '../objects.js';
import { ALWAYS_ERROR, WARN_IN_DEVELOPMENT, type Rule, type Violation } from '../rule.js';

/** The label that makes a Namespace a tenant namespace (the platform sets it on every tenant). */
export const TENANT_LABEL = 'pod-security.kubernetes.io/enforce';

/** True for a NetworkPolicy selecting every pod of its namespace and admitting no ingress. */
export function isDefaultDeny(policy: ResolvedObject): boolean {
  const spec = rec(policy.manifest.spec);
  const selector = rec(spec.podSelector);
  const selectsAll = Object.keys(labelsOf(selector.matchLabels)).length === 0 && arr(selector.matchExpressions).length === 0;
  const types = Array.isArray(spec.policyTypes) ? spec.policyTypes : ['Ingress'];
  return selectsAll && types.includes('Ingress') && arr(spec.ingress).length === 0;
}

export const tenantDefaultDeny: Rule = {
  id: 'tenant-default-deny',
  summary: `Every tenant namespace (a Namespace labelled ${TENANT_LABEL}) has a default-deny NetworkPolicy: an empty podSelector, policyType Ingress and no ingress rule, so only traffic allowed explicitly reaches its pods.`,
  hint: 'add a NetworkPolicy in the namespace with podSelector: {}, policyTypes: [Ingress, Egress] and no rules (tenants declared with the platform get one)',
  severity: WARN_IN_DEVELOPMENT,
  check: (objects) =>
    objects.ofKind('Namespace').flatMap((ns) => {
      if (labelsOf(rec(ns.manifest.metadata).labels)[TENANT_LABEL] === undefined) return [];
      const denies = objects.ofKindIn('NetworkPolicy', nameOf(ns)).some(isDefaultDeny);
      return denies ? [] : [{ object: ns, message: `tenant namespace ${nameOf(ns)} has no default-deny NetworkPolicy` }];
    }),
};

export const serviceSelectsPods: Rule = {
  id: 'service-selects-pods',
  summary: 'Every Service with a selector selects the pod template of some workload in its namespace on the same cluster (a typo in a label would leave it without endpoints).',
  hint: 'make spec.selector equal to labels of the pod template it fronts (app.kubernetes.io/name and app.kubernetes.io/instance)',
  severity: ALWAYS_ERROR,
  check: (objects) =>
    selectingServices(objects).flatMap(({ service, selector }) => {
      const selects = objects.workloadsIn(namespaceOf(service)).some((w) => mapSelects(selector, w.template.labels));
      return selects ? [] : [{ object: service, message: `selector ${JSON.stringify(selector)} matches no pod template in namespace ${namespaceOf(service)}` }];
    }),
};

/** Why a Service port reference does not resolve, or undefined. */
function portProblem(service: ResolvedObject, port: unknown): string | undefined {
  const ref = rec(port);
  const ports = arr(rec(service.manifest.spec).ports).map(rec);
  if (ref.name !== undefined && !ports.some((p) => p.name === ref.name)) return `has no port named ${JSON.stringify(ref.name)}`;
  if (ref.number !== undefined && !ports.some((p) => p.port === ref.number)) return `has no port ${JSON.stringify(ref.number)}`;
  return undefined;
}

function backendViolations(objects: ClusterObjects, object: ResolvedObject, namespace: string | undefined, name: unknown, port: unknown): Violation[] {
  if (typeof name !== 'string') return [];
  const service = objects.find('Service', namespace, name);
  if (!service) return [{ object, message: `backend Service ${namespace}/${name} does not exist on this cluster` }];
  const problem = portProblem(service, port);
  return problem ? [{ object, message: `backend Service ${namespace}/${name} ${problem}` }] : [];
}

export const ingressBackendExists: Rule = {
  id: 'ingress-backend-exists',
  summary: 'Every Service an Ingress (default backend and every path) or a Gateway API HTTPRoute/GRPCRoute sends traffic to exists in that namespace on the same cluster, with the named or numbered port.',
  hint: 'point the backend at a Service declared on the same cluster, or declare the Service',
  severity: ALWAYS_ERROR,
  check(objects) {
    const violations: Violation[] = [];
    for (const ingress of objects.ofKind('Ingress')) {
      const spec = rec(ingress.manifest.spec);
      const backends = [rec(spec.defaultBackend), ...arr(spec.rules).flatMap((r) => arr(rec(rec(r).http).paths).map((p) => rec(rec(p).backend)))];
      for (const b of backends) {
        const svc = rec(b.service);
        violations.push(...backendViolations(objects, ingress, namespaceOf(ingress), svc.name, { name: rec(svc.port).name, number: rec(svc.port).number }));
      }
    }
    for (const route of objects.ofKind('HTTPRoute', 'GRPCRoute')) {
      for (const rule of arr(rec(route.manifest.spec).rules)) {
        for (const ref of arr(rec(rule).backendRefs).map(rec)) {
          if ((ref.kind ?? 'Service') !== 'Service' || (ref.group ?? '') !== '') continue;
          const ns = str(ref.namespace) ?? namespaceOf(route);
          violations.push(...backendViolations(objects, route, ns, ref.name, { number: ref.port }));
        }
      }
    }
    return violations;
  },
};
