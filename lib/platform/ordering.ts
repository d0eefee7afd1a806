import { ApiObject } from 'cdk8s';
import { Capability } from '../fleet/capabilities.js';
import type { Cluster } from '../fleet/cluster.js';
import type { Finding } from '../fleet/errors.js';
import { capabilityProvider } from './component.js';
import { Layer } from './layer.js';

/** API groups whose kinds exist only once a platform component installed their CRDs. */
export const API_GROUP_CAPABILITIES: Readonly<Record<string, string>> = {
  'cert-manager.io': Capability.CERT_MANAGER,
  'acme.cert-manager.io': Capability.CERT_MANAGER,
  'keda.sh': Capability.KEDA,
  'eventing.keda.sh': Capability.KEDA,
  'karpenter.sh': Capability.KARPENTER,
  'karpenter.k8s.aws': Capability.KARPENTER,
  'external-secrets.io': Capability.EXTERNAL_SECRETS,
  'generators.external-secrets.io': Capability.EXTERNAL_SECRETS,
  'gateway.networking.k8s.io': Capability.GATEWAY_API,
};

/** Every layer `layer` waits for, transitively. */
function layersBefore(layer: Layer, layers: readonly Layer[], seen = new Set<Layer>()): Set<Layer> {
  for (const path of layer.dependsOn) {
    const dep = layers.find((l) => l.path === path);
    if (!dep || seen.has(dep)) continue;
    seen.add(dep);
    layersBefore(dep, layers, seen);
  }
  return seen;
}

/**
 * Custom resources against what the cluster's platform installs: a kind whose CRDs come from a
 * component that is not installed, or that is declared in a layer Flux may apply before (or
 * together with) the HelmRelease that installs the CRDs. Both fail only in the cluster otherwise.
 */
export function checkCapabilities(cluster: Cluster): Finding[] {
  const findings: Finding[] = [];
  // One error per missing component, at the first object that needs it.
  const missing = new Map<string, { path: string; what: string; count: number }>();
  for (const layer of cluster.layers) {
    const before = layersBefore(layer, cluster.layers);
    for (const obj of layer.node.findAll().filter(ApiObject.isApiObject)) {
      const capability = API_GROUP_CAPABILITIES[obj.apiGroup];
      if (!capability) continue;
      const what = `${obj.kind} ${obj.name} (${obj.apiGroup})`;
      if (!cluster.capabilities.has(capability)) {
        const seen = missing.get(capability);
        if (seen) seen.count++;
        else missing.set(capability, { path: obj.node.path, what, count: 1 });
        continue;
      }
      const from = capabilityProvider(cluster, capability)?.layer;
      if (from && !before.has(from)) {
        findings.push({
          path: obj.node.path,
          message: `${what} is in layer ${layer.path}, which Flux does not reconcile after ${from.path}, where ${capability} installs its CRDs: declare it in a layer that depends on ${from.path} (e.g. infrastructure/configs)`,
        });
      }
    }
  }
  const installed = [...cluster.capabilities].sort().join(', ') || 'nothing';
  for (const [capability, { path, what, count }] of missing) {
    const others = count > 1 ? ` and ${count - 1} more object${count > 2 ? 's' : ''}` : '';
    const install = INSTALL_HINTS[capability] ?? 'the component that provides it';
    findings.push({ path, message: `${what}${others} ${count > 1 ? 'need' : 'needs'} ${capability}, but cluster ${cluster.name} does not install it (installed: ${installed}): add ${install} to its platform` });
  }
  return findings;
}

/** The catalog call that installs each capability, for error messages. */
const INSTALL_HINTS: Readonly<Record<string, string>> = {
  [Capability.CERT_MANAGER]: 'Components.certManager()',
  [Capability.KEDA]: 'Components.keda()',
  [Capability.KARPENTER]: 'Components.nodeAutoscaler()',
  [Capability.EXTERNAL_SECRETS]: 'Components.externalSecrets()',
};
