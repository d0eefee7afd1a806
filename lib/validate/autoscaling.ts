// GitOps rules of autoscaling, over the resolved objects of each cluster: an autoscaler owns its
// workload's replica count, so Git must not state it, and two autoscalers must not share one.
import type { Finding } from '../fleet/errors.js';
import type { FleetModel, ResolvedCluster, ResolvedObject } from '../synth/model.js';

/** An object that sets the replicas of a workload: an HPA, or a KEDA ScaledObject (which makes one). */
interface Scaler {
  readonly obj: ResolvedObject;
  /** `<namespace>/<kind>/<name>` of the workload it scales. */
  readonly target: string;
  readonly kind: string;
  readonly name: string;
}

const SCALED_KINDS = new Set(['Deployment', 'StatefulSet']);

function describe(obj: ResolvedObject): string {
  return `${obj.manifest.kind} ${obj.manifest.metadata.name}`;
}

/** Every HPA and ScaledObject of a cluster, with the workload it targets. */
function scalers(cluster: ResolvedCluster): Scaler[] {
  const found: Scaler[] = [];
  // A plain loop over the folders: a few objects in thousands are autoscalers, and copying every
  // object into one list, then an empty list per object that is none, showed in the profile.
  for (const folder of cluster.folders) {
    for (const obj of folder.objects) {
      const { apiVersion, kind, metadata } = obj.manifest;
      const isHpa = kind === 'HorizontalPodAutoscaler' && apiVersion.startsWith('autoscaling/');
      const isScaledObject = kind === 'ScaledObject' && apiVersion.startsWith('keda.sh/');
      if (!isHpa && !isScaledObject) continue;
      const ref = (obj.manifest.spec as { scaleTargetRef?: { kind?: string; name?: string } } | undefined)?.scaleTargetRef;
      if (!ref?.name) continue;
      // KEDA's scaleTargetRef.kind defaults to Deployment.
      const targetKind = ref.kind ?? 'Deployment';
      found.push({ obj, target: `${metadata.namespace ?? ''}/${targetKind}/${ref.name}`, kind: targetKind, name: ref.name });
    }
  }
  return found;
}

/**
 * A Deployment or StatefulSet scaled by an autoscaler must not set `spec.replicas`: Flux would
 * reset it to the Git value on every reconcile, fighting the autoscaler (and briefly scaling a
 * loaded service down to that number).
 */
export function checkAutoscaledReplicas(model: FleetModel): Finding[] {
  const findings: Finding[] = [];
  for (const cluster of model.clusters) {
    const byTarget = new Map(scalers(cluster).map((s) => [s.target, s]));
    for (const obj of cluster.folders.flatMap((f) => f.objects)) {
      const { kind, metadata } = obj.manifest;
      if (!SCALED_KINDS.has(kind)) continue;
      const scaler = byTarget.get(`${metadata.namespace ?? ''}/${kind}/${metadata.name}`);
      const replicas = (obj.manifest.spec as { replicas?: unknown } | undefined)?.replicas;
      if (scaler && replicas !== undefined) {
        findings.push({
          path: obj.path,
          message: `${kind} ${metadata.name} sets spec.replicas (${JSON.stringify(replicas)}), but ${describe(scaler.obj)} (${scaler.obj.path}) scales it: ` +
            "remove spec.replicas, or every Flux reconcile resets the autoscaler's choice",
        });
      }
    }
  }
  return findings;
}

/** One autoscaler per workload: two would overwrite each other's replica count every cycle. */
export function checkOneAutoscalerPerWorkload(model: FleetModel): Finding[] {
  const findings: Finding[] = [];
  for (const cluster of model.clusters) {
    const first = new Map<string, Scaler>();
    for (const scaler of scalers(cluster)) {
      const earlier = first.get(scaler.target);
      if (!earlier) {
        first.set(scaler.target, scaler);
        continue;
      }
      const namespace = scaler.obj.manifest.metadata.namespace;
      findings.push({
        path: scaler.obj.path,
        message: `${describe(scaler.obj)} scales ${scaler.kind} ${scaler.name}${namespace ? ` in namespace ${namespace}` : ''}, which ${describe(earlier.obj)} (${earlier.obj.path}) already scales: ` +
          'one autoscaler per workload, or they fight over its replicas',
      });
    }
  }
  return findings;
}
