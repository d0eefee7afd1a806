// Fields the API server refuses to change on an existing object (or that cost the object what it
// holds when they change): an apply that changes one fails with "field is immutable", so the Flux
// Kustomization stays failed until someone deletes the object, or Flux recreates it (spec.force).
// https://kubernetes.io/docs/concepts/workloads/controllers/deployment/#label-selector-updates
import type { Manifest } from '../synth/model.js';
import { parseQuantity } from '../fleet/quantity.js';
import { at, ifChanged, same, type Hazard } from './hazard.js';

const WITH_SELECTOR = new Set(['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'Job']);

/** What an immutable-field apply does under a Kustomization with or without `spec.force`. */
export function rejected(kustomization: string, force: boolean): string {
  const flux = force
    ? `Kustomization ${kustomization} has spec.force: Flux deletes the object and creates it anew (its pods restart, its state is lost)`
    : `Kustomization ${kustomization} fails and applies nothing more until the object is deleted by hand`;
  return `the API server rejects the apply ("field is immutable"); ${flux}`;
}

function workloadHazards(before: Manifest, after: Manifest, reject: string): Hazard[] {
  const hazards: Hazard[] = [];
  if (WITH_SELECTOR.has(after.kind)) hazards.push(...ifChanged(before, after, 'spec.selector', 'immutable-selector', reject));
  if (after.kind === 'StatefulSet') {
    hazards.push(...ifChanged(before, after, 'spec.volumeClaimTemplates', 'immutable-volume-claim-templates',
      `${reject}; existing PersistentVolumeClaims are never changed by it`));
    hazards.push(...ifChanged(before, after, 'spec.serviceName', 'immutable-service-name', reject));
    hazards.push(...ifChanged(before, after, 'spec.podManagementPolicy', 'immutable-pod-management-policy', reject));
  }
  if (after.kind === 'Job') hazards.push(...ifChanged(before, after, 'spec.template', 'immutable-job-template', reject));
  return hazards;
}

function serviceHazards(before: Manifest, after: Manifest, reject: string): Hazard[] {
  const hazards: Hazard[] = [];
  const [oldIp, newIp] = [at(before, 'spec.clusterIP'), at(after, 'spec.clusterIP')];
  const headless = (oldIp === 'None') !== (newIp === 'None');
  // An address no longer written stays allocated (the API server defaulted it); any other change is refused.
  if (!same(oldIp, newIp) && (headless || newIp !== undefined)) {
    hazards.push({
      rule: headless ? 'service-headless' : 'immutable-cluster-ip',
      field: 'spec.clusterIP',
      before: oldIp,
      after: newIp,
      effect: headless ? `a Service cannot become headless or stop being headless in place: ${reject}` : reject,
    });
  }
  const [oldType, newType] = [at(before, 'spec.type') ?? 'ClusterIP', at(after, 'spec.type') ?? 'ClusterIP'];
  if (oldType !== newType && (oldType === 'LoadBalancer' || newType === 'ExternalName')) {
    const lost = oldType === 'LoadBalancer' ? 'the cloud load balancer and its external address are released' : 'the cluster IP is released';
    hazards.push({ rule: 'service-type', field: 'spec.type', before: oldType, after: newType, effect: `${lost}: clients that use it lose the Service` });
  }
  return hazards;
}

function claimHazards(before: Manifest, after: Manifest, reject: string): Hazard[] {
  const hazards: Hazard[] = [];
  for (const field of ['spec.storageClassName', 'spec.accessModes', 'spec.volumeMode', 'spec.volumeName', 'spec.dataSource', 'spec.dataSourceRef']) {
    hazards.push(...ifChanged(before, after, field, 'immutable-claim', reject));
  }
  const field = 'spec.resources.requests.storage';
  const [oldSize, newSize] = [at(before, field), at(after, field)];
  const [b, a] = [parseQuantity(oldSize), parseQuantity(newSize)];
  if (b !== undefined && a !== undefined && a < b) {
    hazards.push({ rule: 'claim-shrink', field, before: oldSize, after: newSize, effect: `a claim can only grow ("can not be less than previous value"): ${reject}` });
  }
  return hazards;
}

function immutableDataHazards(before: Manifest, after: Manifest, reject: string): Hazard[] {
  if (before.immutable !== true) return [];
  const secret = after.kind === 'Secret';
  const changed = ['data', 'binaryData', 'stringData', 'immutable'].filter((f) => !same(before[f], after[f]));
  return changed.map((field) => ({
    rule: 'immutable-data',
    field,
    ...(secret && field !== 'immutable' ? {} : { before: before[field], after: after[field] }),
    effect: `the ${after.kind} is immutable: true: ${reject}`,
  }));
}

/**
 * Immutable-field hazards of a change from `before` to `after` (same object), applied by the Flux
 * Kustomization `kustomization` (`force`: its spec.force).
 */
export function immutableHazards(before: Manifest, after: Manifest, kustomization: string, force: boolean): Hazard[] {
  const reject = rejected(kustomization, force);
  switch (after.kind) {
    case 'Service':
      return serviceHazards(before, after, reject);
    case 'PersistentVolumeClaim':
      return claimHazards(before, after, reject);
    case 'ConfigMap':
    case 'Secret':
      return immutableDataHazards(before, after, reject);
    default:
      return workloadHazards(before, after, reject);
  }
}
