// Fixtures for policy tests: a fleet of one cluster, and a workload rendered the way a good
// strata workload is (restricted security context, requests and memory limit, pinned image,
// readiness probe, spread, PDB, autoscaler, no service links), so a test breaks exactly one thing with a patch.
import { JsonPatch, type ApiObject } from 'cdk8s';
import { k8s } from 'cdk8s-plus-27';
import type { Construct } from 'constructs';
import { Fleet, Provider, Stage, SynthError, type Apps, type Cluster, type Finding, type Platform } from '../../lib/index.js';

export const STAGES = { development: Stage.DEVELOPMENT, staging: Stage.STAGING, production: Stage.PRODUCTION } as const;

/** One cluster `c` of `stage`, with workloads in namespace `shop`. */
export function fleetOf(
  stage: keyof typeof STAGES,
  apps: (apps: Apps, cluster: Cluster) => void,
  platform?: (platform: Platform, cluster: Cluster) => void,
  outdir?: string,
): Fleet {
  const fleet = new Fleet({ name: 'acme', domain: 'acme.dev', outdir });
  fleet.addCluster('c', { stage: STAGES[stage], region: 'eu-west-1', provider: Provider.aws() });
  // These tests are about rules and waivers; what the namespace admits is test/admission.test.ts's.
  fleet.platform((p) => p.addTenant('shop', { podSecurity: 'privileged' }));
  if (platform) fleet.platform(platform);
  fleet.apps('shop', apps);
  return fleet;
}

/** Every finding of a render, errors and warnings, whether it fails or not. */
export function findingsOf(fleet: Fleet): Finding[] {
  try {
    return [...fleet.render().warnings];
  } catch (e) {
    if (e instanceof SynthError) return [...e.errors, ...e.warnings];
    throw e;
  }
}

/** `severity [rule] path: message` of the findings of `rule` (all rules when omitted). */
export function reported(fleet: Fleet, rule?: string): string[] {
  return findingsOf(fleet)
    .filter((f) => rule === undefined || f.rule === rule)
    .map((f) => `${f.severity ?? 'error'} [${f.rule ?? ''}] ${f.path}: ${f.message}`);
}

export function labelsFor(name: string): Record<string, string> {
  return { 'app.kubernetes.io/name': name, 'app.kubernetes.io/instance': name };
}

export interface Workload {
  readonly deployment: ApiObject;
  readonly service: ApiObject;
  readonly pdb: ApiObject;
  readonly hpa: ApiObject;
}

/** A web workload as a good WebService renders it: Deployment, Service, PDB and HPA (2–5 replicas). */
export function webWorkload(scope: Construct, name = 'web'): Workload {
  const labels = labelsFor(name);
  const deployment = new k8s.KubeDeployment(scope, name, {
    metadata: { name, labels },
    spec: {
      selector: { matchLabels: labels },
      template: {
        metadata: { labels },
        spec: {
          automountServiceAccountToken: false,
          enableServiceLinks: false,
          securityContext: { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } },
          containers: [{
            name: 'app',
            image: 'ghcr.io/acme/web:1.4.2',
            ports: [{ name: 'http', containerPort: 8080 }],
            securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } },
            resources: {
              requests: { cpu: k8s.Quantity.fromString('250m'), memory: k8s.Quantity.fromString('256Mi') },
              limits: { memory: k8s.Quantity.fromString('256Mi') },
            },
            readinessProbe: { httpGet: { path: '/healthz', port: k8s.IntOrString.fromString('http') } },
          }],
          topologySpreadConstraints: [
            { maxSkew: 1, topologyKey: 'topology.kubernetes.io/zone', whenUnsatisfiable: 'ScheduleAnyway', labelSelector: { matchLabels: labels } },
          ],
        },
      },
    },
  });
  const service = new k8s.KubeService(scope, `${name}-service`, {
    metadata: { name, labels },
    spec: { selector: labels, ports: [{ name: 'http', port: 80, targetPort: k8s.IntOrString.fromString('http') }] },
  });
  const pdb = new k8s.KubePodDisruptionBudget(scope, `${name}-pdb`, {
    metadata: { name, labels },
    spec: { maxUnavailable: k8s.IntOrString.fromNumber(1), selector: { matchLabels: labels } },
  });
  const hpa = new k8s.KubeHorizontalPodAutoscalerV2(scope, `${name}-hpa`, {
    metadata: { name, labels },
    spec: {
      scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name },
      minReplicas: 2,
      maxReplicas: 5,
      metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 70 } } }],
    },
  });
  return { deployment, service, pdb, hpa };
}

/** Shorthands for escape-hatch patches. */
export const patch = {
  set: (obj: ApiObject, path: string, value: unknown) => obj.addJsonPatch(JsonPatch.add(path, value)),
  remove: (obj: ApiObject, path: string) => obj.addJsonPatch(JsonPatch.remove(path)),
};
