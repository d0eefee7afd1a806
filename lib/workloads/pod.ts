import type { k8s } from 'cdk8s-plus-27';
import type { IConstruct } from 'constructs';
import { createHash } from 'node:crypto';
import type { ContainerRequests } from '../autoscaling/target.js';
import type { Cluster } from '../fleet/cluster.js';
import { show } from '../fleet/errors.js';
import { MANAGED_BY } from '../platform/layer.js';
import { Waivers } from '../validate/waivers.js';
import { buildContainer, type ContainerOptions, type Probes, type SidecarOptions } from './container.js';
import { NATIVE_SIDECARS_SINCE, atLeast } from '../fleet/kubernetes-version.js';
import { resolvePorts } from './ports.js';
import { imageVersion } from './image.js';
import type { IEgressTarget } from './egress.js';
import type { LaterFields } from './lifecycle.js';
import type { IPeer } from './network.js';
import type { ResolvedPort } from './ports.js';
import { podSecurityContext, restrictedOptOuts, securityProblems, type SecurityOptions } from './security.js';

/** How pods stop. */
export interface ShutdownOptions {
  /**
   * Seconds a pod gets from the start of termination (preStop hook included) until it is killed.
   * @default 30
   */
  readonly gracePeriodSeconds?: number;
  /**
   * Seconds a preStop hook sleeps before the container gets SIGTERM, so endpoints and load
   * balancers stop routing to the pod first; 0 renders no hook. On clusters running Kubernetes
   * 1.30 or later (`kubernetesVersion`) it is the native `sleep` action; below, an `exec` of
   * `sleep`, which needs a sleep binary in the image.
   * https://kubernetes.io/docs/concepts/containers/container-lifecycle-hooks/#hook-handler-implementations
   * @default 5 for workloads behind a Service (WebService, StatefulService), else 0
   */
  readonly drainSeconds?: number;
}

/** The workload's own ServiceAccount (named after it). */
export interface ServiceAccountOptions {
  /** Annotations, e.g. a cloud IAM role binding (`eks.amazonaws.com/role-arn`). @default none */
  readonly annotations?: Readonly<Record<string, string>>;
  /**
   * Mount a Kubernetes API token into the pods, for apps that call the API.
   * @default false: no token, since most apps never need one and a leaked one is a foothold
   */
  readonly automountToken?: boolean;
}

/** What every workload type accepts: the container, how its pods run, and who may reach them. */
export interface PodOptions extends ContainerOptions {
  /**
   * Name of the workload: of its objects (Deployment, Service, ...), of its container and in its
   * selector labels. A DNS-1123 label, since it names a Service.
   * @default the construct id
   */
  readonly name?: string;
  /** Security opt-outs and user ids. @default Pod Security "restricted", no opt-out */
  readonly security?: SecurityOptions;
  /** The workload's ServiceAccount. @default no annotations, no API token */
  readonly serviceAccount?: ServiceAccountOptions;
  /** Graceful shutdown. @default see ShutdownOptions */
  readonly shutdown?: ShutdownOptions;
  /**
   * Who may open connections to the workload's ports: other workloads (the objects, or
   * `Peer.workload(name)`), `Peer.namespace(name)`, `Peer.ingressController()`. Everything else is
   * denied by the workload's NetworkPolicy. More can be added with `allowFrom()`.
   * @default nobody (a WebService with a host admits the ingress controller on its http port)
   */
  readonly allowFrom?: readonly IPeer[];
  /**
   * Where the workload may open connections besides the workloads admitting it (whose Ingress
   * rules strata mirrors into its Egress policy): `Egress.toWorkload`, `Egress.toCidr`,
   * `Egress.toAnyAddress`. In a tenant namespace everything else but DNS is denied. More can be
   * added with `egressTo()`.
   * @default none
   */
  readonly egress?: readonly IEgressTarget[];
}

/** What a workload type decides about its pods. */
export interface PodContext {
  /** The workload construct: waivers for its security opt-outs are declared on it. */
  readonly scope: IConstruct;
  readonly name: string;
  readonly namespace: string;
  readonly cluster: Cluster;
  readonly ports: readonly ResolvedPort[];
  readonly defaultProbes: Probes;
  /** drainSeconds unless given. */
  readonly defaultDrainSeconds: number;
  readonly zoneSpread?: k8s.TopologySpreadConstraint[];
  readonly restartPolicy?: 'Never';
  readonly claims?: readonly { readonly name: string; readonly path: string }[];
  /** Security defaults of the type (e.g. fsGroup for a StatefulService). */
  readonly securityDefaults?: SecurityOptions;
}

/** A built pod template with what autoscalers and the config ConfigMap need. */
export interface BuiltPod {
  readonly template: k8s.PodTemplateSpec;
  readonly containers: ContainerRequests[];
  /** Data of the `<name>-config` ConfigMap, when config files are declared. */
  readonly configData?: Record<string, string>;
  /** The native preStop sleep and sidecars to add to the workload object (`addLaterFields`). */
  readonly laterFields?: LaterFields;
}

/** Annotation on the pod template carrying a checksum of the config files, so a change rolls the pods. */
export const CONFIG_CHECKSUM_ANNOTATION = 'strata/config-checksum';

const DEFAULT_GRACE_SECONDS = 30;

/** Builds the pod template every workload type shares, pushing every problem to `problems`. */
export function buildPod(options: PodOptions, ctx: PodContext, problems: string[]): BuiltPod {
  const security = { ...ctx.securityDefaults, ...options.security };
  problems.push(...securityProblems(security));
  if (restrictedOptOuts(security).length > 0 && security.reason?.trim()) Waivers.waive(ctx.scope, 'pod-security-restricted', security.reason);
  const grace = options.shutdown?.gracePeriodSeconds ?? DEFAULT_GRACE_SECONDS;
  const drain = options.shutdown?.drainSeconds ?? ctx.defaultDrainSeconds;
  problems.push(...shutdownProblems(grace, drain));
  const built = buildContainer(
    options,
    { name: ctx.name, stage: ctx.cluster.stage, ports: ctx.ports, defaultProbes: ctx.defaultProbes, security, drainSeconds: drain, kubernetesVersion: ctx.cluster.kubernetesVersion, claims: ctx.claims },
    problems,
  );
  const sidecars = buildSidecars(options.sidecars, ctx, security, built, problems);
  const version = typeof options.image === 'string' ? imageVersion(options.image) : undefined;
  const template: k8s.PodTemplateSpec = {
    metadata: {
      labels: podLabels(ctx.name, ctx.namespace, version),
      annotations: built.configData ? { [CONFIG_CHECKSUM_ANNOTATION]: checksum(built.configData) } : undefined,
    },
    spec: {
      serviceAccountName: ctx.name,
      automountServiceAccountToken: options.serviceAccount?.automountToken === true,
      // No <SERVICE>_PORT=tcp://... variables for every Service of the namespace: a Service named
      // like a setting the app reads (redis → REDIS_PORT) would override it. DNS finds Services.
      enableServiceLinks: false,
      securityContext: podSecurityContext(security),
      terminationGracePeriodSeconds: grace,
      restartPolicy: ctx.restartPolicy,
      initContainers: sidecars.containers.length > 0 ? sidecars.containers : undefined,
      containers: [built.container],
      volumes: sidecars.volumes.length > 0 ? sidecars.volumes : undefined,
      topologySpreadConstraints: ctx.zoneSpread,
    },
  };
  const resources = options.resources ?? {};
  const sleep = built.nativeSleep === undefined ? undefined : { container: ctx.name, seconds: built.nativeSleep };
  const laterFields = { sleep, sidecars: sidecars.containers.map((c) => c.name) };
  return { template, containers: [{ name: ctx.name, cpu: resources.cpu, memory: resources.memory }], configData: built.configData, laterFields };
}

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/**
 * The native sidecars (`sidecars`) as init containers, and the pod's volumes: the app's plus
 * theirs, one per name (their `/tmp` scratch volumes are the app's). `restartPolicy: Always` is
 * set on the rendered object (`addLaterFields`). Problems are prefixed `sidecars[i] (<name>)`.
 */
function buildSidecars(
  sidecars: readonly SidecarOptions[] | undefined,
  ctx: PodContext,
  security: SecurityOptions,
  app: { readonly container: k8s.Container; readonly volumes: readonly k8s.Volume[] },
  problems: string[],
): { containers: k8s.Container[]; volumes: k8s.Volume[] } {
  const volumes = [...app.volumes];
  if (!sidecars || sidecars.length === 0) return { containers: [], volumes };
  const version = ctx.cluster.kubernetesVersion;
  if (!atLeast(version, NATIVE_SIDECARS_SINCE)) {
    problems.push(`sidecars: native sidecars (init containers with restartPolicy: Always) need Kubernetes ${NATIVE_SIDECARS_SINCE} or later, but this cluster runs ${version}: set the cluster's kubernetesVersion to ${NATIVE_SIDECARS_SINCE} or later where it runs one`);
    return { containers: [], volumes };
  }
  const names = new Set([ctx.name]);
  const ports = new Map((app.container.ports ?? []).map((p) => [p.containerPort, ctx.name]));
  const containers: k8s.Container[] = [];
  sidecars.forEach((sidecar, i) => {
    const name = sidecar.name;
    const where = `sidecars[${i}] (${show(name)})`;
    // A name left out is the props check's to report (`sidecars[0].name is required`).
    if (name !== undefined && (typeof name !== 'string' || !DNS_LABEL.test(name) || name.length > 63)) {
      problems.push(`${where}: name ${show(name)} is not a DNS-1123 label (lowercase letters, digits and '-', at most 63 characters)`);
    } else if (names.has(name)) {
      problems.push(`${where}: name ${show(name)} is taken by another container of the pod`);
    }
    names.add(name);
    const own: string[] = [];
    const resolved = resolvePorts(sidecar.ports ?? [], false);
    own.push(...resolved.problems);
    for (const p of resolved.ports) {
      const taken = ports.get(p.port);
      if (taken !== undefined) own.push(`port ${p.port} is also container "${taken}"'s: the containers of a pod share one network namespace`);
      ports.set(p.port, name);
    }
    const { configFiles: _none, ...options } = sidecar as SidecarOptions & { configFiles?: unknown };
    const built = buildContainer(
      options,
      { name, stage: ctx.cluster.stage, ports: resolved.ports, defaultProbes: {}, security, drainSeconds: 0, kubernetesVersion: version },
      own,
    );
    problems.push(...own.map((p) => `${where}: ${p}`));
    containers.push(built.container);
    for (const volume of built.volumes) {
      const same = volumes.find((v) => v.name === volume.name);
      if (!same) volumes.push(volume);
      else if (JSON.stringify(same) !== JSON.stringify(volume)) problems.push(`${where}: volume ${show(volume.name)} differs from another container's volume of that name: give one another volumeName`);
    }
  });
  return { containers, volumes };
}

/** Labels of the pods: the selector, plus what a human filters by; the version never selects. */
function podLabels(name: string, namespace: string, version: string | undefined): Record<string, string> {
  const labels: Record<string, string> = {
    'app.kubernetes.io/name': name,
    'app.kubernetes.io/instance': name,
    'app.kubernetes.io/part-of': namespace,
    ...MANAGED_BY,
  };
  if (version !== undefined) labels['app.kubernetes.io/version'] = version;
  return labels;
}

function shutdownProblems(grace: number, drain: number): string[] {
  const problems: string[] = [];
  if (!(Number.isInteger(grace) && grace >= 0)) problems.push(`shutdown.gracePeriodSeconds (${show(grace)}) must be a non-negative integer`);
  if (!(Number.isInteger(drain) && drain >= 0)) problems.push(`shutdown.drainSeconds (${show(drain)}) must be a non-negative integer`);
  if (problems.length === 0 && drain > 0 && drain >= grace) {
    problems.push(`shutdown.drainSeconds (${drain}) must be less than shutdown.gracePeriodSeconds (${grace}): the app needs time to stop after draining`);
  }
  return problems;
}

function checksum(data: Record<string, string>): string {
  const sorted = Object.keys(data).sort().map((k) => [k, data[k]]);
  return createHash('sha256').update(JSON.stringify(sorted)).digest('hex');
}
