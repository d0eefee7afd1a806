// One built cluster, resolved: its objects as plain manifests, by folder, with what went wrong on
// the way. A synth resolves, checks and writes clusters one at a time (docs/performance.md).
import { ApiObject } from 'cdk8s';
import type { ExternalNamespaceRecord, Manifest, ResolvedCluster, ResolvedObject } from '../synth/model.js';
import { PHASE, type PhasedFindings } from '../synth/pipeline.js';
import { checkCapabilities } from '../platform/ordering.js';
import { applyWaivers } from '../validate/waivers.js';
import type { Cluster } from './cluster.js';
import { describeError, validationsOf } from './errors.js';
import { resolutionOf, withResolutionCache } from './manifests.js';
import { externalNamespacesOf } from './namespaces.js';
import { unresolvedStageValues } from './stage.js';
import { applyWhenBuilt } from './when-built.js';

/**
 * Resolves a built cluster (its layer folders and its Flux objects, the chart `flux`), adding to
 * `findings` what its constructs' validations, the capability check and resolution report.
 * Waivers and acknowledgements become annotations first: checks resolve objects, and a resolved
 * object is kept, so the objects must carry them before anything is resolved.
 */
export function resolveCluster(cluster: Cluster, findings: PhasedFindings): ResolvedCluster {
  // Constructs' validations resolve objects too (the node-fit check reads every pod template): once each.
  return withResolutionCache(() => resolveBuilt(cluster, findings));
}

function resolveBuilt(cluster: Cluster, findings: PhasedFindings): ResolvedCluster {
  const waivers = applyWaivers(cluster);
  const nodes = cluster.node.findAll();
  // What was registered on the fleet covers every cluster: it runs (idempotently) for each.
  applyWhenBuilt([...cluster.node.scopes.slice(0, -1), ...nodes]);
  for (const node of nodes) {
    for (const message of validationsOf(node)) findings[PHASE.constructs].push({ path: node.node.path, message });
  }
  findings[PHASE.capabilities].push(...checkCapabilities(cluster));
  const resolve = (objects: readonly ApiObject[]): ResolvedObject[] =>
    objects.flatMap((obj) => {
      try {
        const { manifest, drops } = resolutionOf(obj);
        for (const m of drops) findings[PHASE.resolve].push({ path: obj.node.path, message: `${obj.kind} ${obj.name}: ${m}` });
        for (const m of unresolvedStageValues(obj)) findings[PHASE.resolve].push({ path: obj.node.path, message: m });
        return [{ path: obj.node.path, manifest: manifest as Manifest }];
      } catch (e) {
        findings[PHASE.resolve].push({ path: obj.node.path, message: describeError(e) });
        return [];
      }
    });
  const sync = cluster.node.findChild('flux').node.findAll().filter(ApiObject.isApiObject);
  return {
    name: cluster.name,
    stage: cluster.stage.name,
    fluxLockdownOff: cluster.fluxLockdown?.reason.trim(),
    ...externalNamespacesField(cluster),
    kubernetesVersion: cluster.kubernetesVersion,
    waivers,
    folders: cluster.layers.flatMap((layer) =>
      layer.folders().map((folder) => ({
        dir: `${cluster.name}/${folder.path}`,
        namespace: folder.namespace,
        objects: resolve(folder.scope.node.findAll().filter(ApiObject.isApiObject)),
      })),
    ),
    layers: resolve(sync.filter((o) => o.kind === 'Kustomization')),
    sources: resolve(sync.filter((o) => o.kind !== 'Kustomization')),
  };
}

/** The cluster's external namespaces, as a field of its model only when it has some. */
function externalNamespacesField(cluster: Cluster): { externalNamespaces?: ExternalNamespaceRecord[] } {
  const external = externalNamespacesOf(cluster).map(({ name, labels }) => (labels === undefined ? { name } : { name, labels: { ...labels } }));
  return external.length > 0 ? { externalNamespaces: external } : {};
}
