import { k8s } from 'cdk8s-plus-27';
import { StrataError, show } from '../fleet/errors.js';
import type { Stage, StageValue } from '../fleet/stage.js';
import { Env, type EnvValue } from './env.js';
import { imageProblems } from './image.js';
import { drainLifecycle } from './lifecycle.js';
import type { PortOptions, ResolvedPort } from './ports.js';
import { Probe } from './probe.js';
import { parseQuantity } from '../fleet/quantity.js';
import { containerSecurityContext, type SecurityOptions } from './security.js';
import { Volume } from './volume.js';
import { sortedEntries } from '../fleet/canonical.js';

/** Resources of the container. Requests are required: the scheduler and autoscalers work from them. */
export interface Resources {
  /** CPU request, e.g. `250m`. Required. */
  readonly cpu: string;
  /** Memory request, e.g. `256Mi`. Required. */
  readonly memory: string;
  /**
   * Memory limit.
   * @default the memory request: a container never relies on memory the scheduler did not reserve
   */
  readonly memoryLimit?: string;
  /**
   * CPU limit.
   * @default none: a CPU limit throttles even when the node is idle; the request still reserves CPU
   */
  readonly cpuLimit?: string;
}

/** The container's probes; `false` turns a workload's default probe off. */
export interface Probes {
  /** Whether the pod receives traffic. @default per workload type (HTTP on a WebService) */
  readonly readiness?: Probe | false;
  /** Whether the container is restarted. @default per workload type (HTTP on a WebService) */
  readonly liveness?: Probe | false;
  /** Holds the other probes off until the app has started. @default per workload type (HTTP on a WebService) */
  readonly startup?: Probe | false;
}

/** Configuration files strata renders into a ConfigMap `<workload>-config` and mounts read-only. */
export interface ConfigFiles {
  /** Absolute directory the files appear in, e.g. `/etc/storefront`. */
  readonly path: string;
  /** File name → content. A change rolls the pods (the pod template carries a checksum). */
  readonly files: Readonly<Record<string, string>>;
}

/** The container spec every workload type shares. */
export interface ContainerOptions {
  /**
   * Image pinned by a version tag or a digest: `ghcr.io/acme/web:1.4.2` or `ghcr.io/acme/web@sha256:…`.
   * `latest` and untagged images are errors (they move without the manifest changing).
   */
  readonly image: string;
  /** Replaces the image's ENTRYPOINT. @default the image's */
  readonly command?: readonly string[];
  /** Replaces the image's CMD. @default the image's */
  readonly args?: readonly string[];
  /** Ports the container listens on. @default none (a WebService adds its `http` port) */
  readonly ports?: readonly PortOptions[];
  /**
   * Environment variables: literals, `Env.fromConfigMap(...)`, `Env.fromSecret(...)`, or
   * `perStage({...})` of those.
   * @default none
   */
  readonly env?: Readonly<Record<string, StageValue<EnvValue>>>;
  /** CPU and memory requests (required); the memory limit defaults to the request. */
  readonly resources: Resources;
  /** Readiness, liveness and startup probes. @default per workload type */
  readonly probes?: Probes;
  /**
   * Volumes by absolute mount path: `Volume.configMap(...)`, `Volume.secret(...)`, `Volume.emptyDir(...)`.
   * @default only a writable emptyDir at `/tmp` (mounting one at `/tmp` replaces it)
   */
  readonly volumes?: Readonly<Record<string, Volume>>;
  /** Files rendered into a ConfigMap and mounted read-only. @default none */
  readonly configFiles?: ConfigFiles;
  /**
   * Containers that run beside the app for the pod's whole life (a log shipper, a proxy, a
   * credentials refresher), rendered as native sidecars: init containers with
   * `restartPolicy: Always`, which the kubelet starts, in order, before the app container and stops
   * after it, and which never keep a Job's pod from completing. Needs Kubernetes 1.29 or later
   * (`kubernetesVersion`; beta and on by default in 1.29, GA in 1.33): an error on older clusters.
   * Each runs under the pod's security settings, with its own writable `/tmp`.
   * https://kubernetes.io/docs/concepts/workloads/pods/sidecar-containers/
   * @default none
   */
  readonly sidecars?: readonly SidecarOptions[];
}

/**
 * A native sidecar: the container spec of the app, without config files, named. Its `ports` are
 * declared on the container (for probes and metrics scrapers) but not exposed by the workload's
 * Service or admitted by its NetworkPolicy. Probes: none unless given.
 */
export interface SidecarOptions extends Omit<ContainerOptions, 'configFiles' | 'sidecars'> {
  /** Container name: a DNS-1123 label, unique in the pod (not the workload's own name). */
  readonly name: string;
}

/** What a workload knows when it builds its container. */
export interface ContainerContext {
  /** Container name, also the prefix of the config ConfigMap. */
  readonly name: string;
  readonly stage: Stage;
  /** The workload's ports, with defaults applied. */
  readonly ports: readonly ResolvedPort[];
  /** Probes used where `probes` says nothing. */
  readonly defaultProbes: Probes;
  readonly security: SecurityOptions;
  /** Seconds the preStop hook sleeps; 0 renders no hook. */
  readonly drainSeconds: number;
  /** The cluster's Kubernetes version: from 1.30 the hook is the native sleep action. */
  readonly kubernetesVersion: string;
  /** Persistent volume claims to mount (StatefulService), by claim name. */
  readonly claims?: readonly { readonly name: string; readonly path: string }[];
}

/** A built container with the pod volumes it needs. */
export interface BuiltContainer {
  readonly container: k8s.Container;
  readonly volumes: k8s.Volume[];
  /** Data of the `<name>-config` ConfigMap, when config files are declared. */
  readonly configData?: Record<string, string>;
  /** Seconds of the native preStop sleep the workload object must carry (see lifecycle.ts). */
  readonly nativeSleep?: number;
}

/** Scratch space for a read-only root filesystem; bounded so a runaway writer cannot fill the node. */
const TMP = { path: '/tmp', volume: Volume.emptyDir('tmp', { sizeLimit: '1Gi' }) };
const CONFIG_VOLUME = 'config';
const ENV_NAME = /^[-._a-zA-Z][-._a-zA-Z0-9]*$/;
const CONFIG_KEY = /^[-._a-zA-Z0-9]+$/;

/** Builds the workload's container, pushing every problem of `options` to `problems`. */
export function buildContainer(options: ContainerOptions, ctx: ContainerContext, problems: string[]): BuiltContainer {
  problems.push(...imageProblems(options.image), ...resourceProblems(options.resources));
  const env = buildEnv(options.env ?? {}, ctx.stage, problems);
  const probes: { -readonly [K in keyof Probes]: Probes[K] } = { ...ctx.defaultProbes, ...options.probes };
  for (const kind of ['startup', 'readiness', 'liveness'] as const) {
    const probe = probes[kind];
    if (probe && !(probe instanceof Probe)) {
      // `readiness: true` (types are not checked at synth; other kinds the props check names): said, and no probe rendered.
      problems.push(`probes.${kind} must be Probe.http(...), Probe.tcp(...), Probe.exec(...) or false, not ${show(probe)}`);
      probes[kind] = undefined;
    } else if (probe) problems.push(...probe.problems(`probes.${kind}`, ctx.ports));
  }
  const mounts = buildMounts(options, ctx, problems);
  const resources = options.resources ?? ({} as Resources);
  const drain = drainLifecycle(ctx.drainSeconds, ctx.kubernetesVersion);
  const container: k8s.Container = {
    name: ctx.name,
    image: options.image,
    command: options.command && [...options.command],
    args: options.args && [...options.args],
    ports: ctx.ports.length > 0 ? ctx.ports.map((p) => ({ name: p.name, containerPort: p.port, protocol: p.protocol })) : undefined,
    env: env.length > 0 ? env : undefined,
    resources: {
      requests: quantities({ cpu: resources.cpu, memory: resources.memory }),
      limits: quantities({ cpu: resources.cpuLimit, memory: resources.memoryLimit ?? resources.memory }),
    },
    startupProbe: probes.startup ? probes.startup.toProbe(ctx.ports) : undefined,
    readinessProbe: probes.readiness ? probes.readiness.toProbe(ctx.ports) : undefined,
    livenessProbe: probes.liveness ? probes.liveness.toProbe(ctx.ports) : undefined,
    // Keeps serving while endpoints and load balancers stop routing to the pod, then SIGTERM.
    lifecycle: drain.lifecycle,
    securityContext: containerSecurityContext(ctx.security),
    volumeMounts: mounts.volumeMounts,
  };
  return { container, volumes: mounts.volumes, configData: options.configFiles && { ...options.configFiles.files }, nativeSleep: drain.nativeSleep };
}

function quantities(values: Record<string, string | undefined>): Record<string, k8s.Quantity> {
  const out: Record<string, k8s.Quantity> = {};
  for (const [key, value] of Object.entries(values)) if (value !== undefined) out[key] = k8s.Quantity.fromString(value);
  return out;
}

/** Requests are required and well formed; a limit below its request is rejected by Kubernetes. */
function resourceProblems(resources: Resources | undefined): string[] {
  const problems: string[] = [];
  const r = resources ?? ({} as Resources);
  const examples = { cpu: '"250m" or "1"', memory: '"256Mi" or "1Gi"', cpuLimit: '"1"', memoryLimit: '"512Mi"' };
  for (const field of ['cpu', 'memory'] as const) {
    if (r[field] === undefined) problems.push(`resources.${field} is required: a request such as ${examples[field]} (pods are scheduled and autoscaled by it)`);
  }
  for (const field of ['cpu', 'memory', 'cpuLimit', 'memoryLimit'] as const) {
    if (r[field] !== undefined && parseQuantity(r[field]) === undefined) {
      problems.push(`resources.${field} ${show(r[field])} is not a Kubernetes quantity (e.g. ${examples[field]})`);
    }
  }
  for (const [limit, request] of [['cpuLimit', 'cpu'], ['memoryLimit', 'memory']] as const) {
    const l = parseQuantity(r[limit]);
    const q = parseQuantity(r[request]);
    if (l !== undefined && q !== undefined && l < q) problems.push(`resources.${limit} (${show(r[limit])}) is less than resources.${request} (${show(r[request])})`);
  }
  return problems;
}

function buildEnv(env: Readonly<Record<string, StageValue<EnvValue>>>, stage: Stage, problems: string[]): k8s.EnvVar[] {
  const vars: k8s.EnvVar[] = [];
  for (const [name, staged] of Object.entries(env)) {
    if (!ENV_NAME.test(name)) problems.push(`env ${show(name)} is not a valid variable name (letters, digits, '_', '-' and '.', not starting with a digit)`);
    let value: EnvValue;
    try {
      value = stage.resolve(staged);
    } catch (e) {
      if (!(e instanceof StrataError)) throw e;
      problems.push(`env ${name}: ${e.message}`);
      continue;
    }
    if (value instanceof Env) {
      problems.push(...value.problems(name));
      vars.push({ name, valueFrom: value.toSource() });
    } else if (['string', 'number', 'boolean'].includes(typeof value)) {
      vars.push({ name, value: String(value) });
    } else {
      problems.push(`env ${name}: ${show(value)} is not a string, number, boolean, Env.fromConfigMap(...) or Env.fromSecret(...)`);
    }
  }
  return vars;
}

interface Mount {
  readonly path: string;
  readonly name: string;
  /** The pod volume it needs; none for a persistent volume claim (the StatefulSet provides it). */
  readonly volume?: k8s.Volume;
  readonly readOnly: boolean;
}

/** Mounts and pod volumes; mount paths and volume names must not clash. */
function buildMounts(options: ContainerOptions, ctx: ContainerContext, problems: string[]): { volumeMounts: k8s.VolumeMount[]; volumes: k8s.Volume[] } {
  const declared = sortedEntries(options.volumes ?? {});
  const mounts: Mount[] = [];
  if (!declared.some(([path]) => path === TMP.path)) mounts.push({ path: TMP.path, name: TMP.volume.name, volume: TMP.volume.toVolume(), readOnly: false });
  if (options.configFiles) {
    const volume = { name: CONFIG_VOLUME, configMap: { name: `${ctx.name}-config` } };
    mounts.push({ path: options.configFiles.path, name: CONFIG_VOLUME, volume, readOnly: true });
    for (const file of Object.keys(options.configFiles.files ?? {})) { // files left out: the props check's
      if (!CONFIG_KEY.test(file) || file.length > 253) problems.push(`configFiles: file name ${show(file)} is not valid (letters, digits, '-', '_' and '.', no '/')`);
    }
  }
  for (const [path, volume] of declared) {
    if (!(volume instanceof Volume)) {
      problems.push(`volumes: ${show(path)} is not a Volume (use Volume.configMap, Volume.secret or Volume.emptyDir)`);
      continue;
    }
    problems.push(...volume.problems());
    mounts.push({ path, name: volume.name, volume: volume.toVolume(), readOnly: volume.readOnly });
  }
  for (const claim of ctx.claims ?? []) mounts.push({ path: claim.path, name: claim.name, readOnly: false });

  const byPath = new Map<string, Mount>();
  const byName = new Map<string, Mount>();
  const volumes: k8s.Volume[] = [];
  for (const m of mounts) {
    // A claim's path left out is the props check's to report (`storage.data.path is required`).
    if (typeof m.path !== 'string') continue;
    if (!m.path.startsWith('/')) problems.push(`volumes: mount path ${show(m.path)} is not absolute`);
    const samePath = byPath.get(m.path);
    if (samePath) problems.push(`volumes: ${show(m.path)} is mounted twice (volumes ${show(samePath.name)} and ${show(m.name)})`);
    byPath.set(m.path, m);
    const sameName = byName.get(m.name);
    if (!sameName) {
      byName.set(m.name, m);
      if (m.volume) volumes.push(m.volume);
    } else if (!(sameName.volume && m.volume && JSON.stringify(sameName.volume) === JSON.stringify(m.volume))) {
      problems.push(`volumes: ${show(sameName.path)} and ${show(m.path)} mount two different volumes named ${show(m.name)}: give one another volumeName`);
    }
  }
  return {
    volumeMounts: mounts.map((m) => ({ name: m.name, mountPath: m.path, readOnly: m.readOnly || undefined })),
    volumes,
  };
}
