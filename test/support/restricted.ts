// The Pod Security Standards "restricted" profile (Kubernetes 1.27: baseline + restricted controls),
// checked on rendered manifests. https://kubernetes.io/docs/concepts/security/pod-security-standards/
import type { Manifest } from '../../lib/synth/model.js';

type Obj = Record<string, any>;

/** A pod spec found in a manifest, with where it was found. */
export interface FoundPodSpec {
  readonly where: string;
  readonly spec: Obj;
}

/** Every pod spec of a manifest: Pods, pod templates of controllers, CronJob job templates. */
export function podSpecsOf(manifest: Manifest): FoundPodSpec[] {
  const where = `${manifest.kind} ${manifest.metadata.name}`;
  const spec = manifest.spec as Obj | undefined;
  switch (manifest.kind) {
    case 'Pod':
      return spec ? [{ where, spec }] : [];
    case 'Deployment':
    case 'StatefulSet':
    case 'DaemonSet':
    case 'ReplicaSet':
    case 'Job':
      return spec?.template?.spec ? [{ where, spec: spec.template.spec }] : [];
    case 'CronJob':
      return spec?.jobTemplate?.spec?.template?.spec ? [{ where, spec: spec.jobTemplate.spec.template.spec }] : [];
    default:
      return [];
  }
}

const RESTRICTED_VOLUME_TYPES = new Set(['configMap', 'csi', 'downwardAPI', 'emptyDir', 'ephemeral', 'persistentVolumeClaim', 'projected', 'secret']);
const SAFE_SYSCTLS = new Set([
  'kernel.shm_rmid_forced', 'net.ipv4.ip_local_port_range', 'net.ipv4.ip_unprivileged_port_start', 'net.ipv4.tcp_syncookies',
  'net.ipv4.ping_group_range', 'net.ipv4.ip_local_reserved_ports', 'net.ipv4.tcp_keepalive_time', 'net.ipv4.tcp_fin_timeout',
  'net.ipv4.tcp_keepalive_intvl', 'net.ipv4.tcp_keepalive_probes',
]);
const SELINUX_TYPES = new Set([undefined, '', 'container_t', 'container_init_t', 'container_kvm_t']);

/** Violations of the "restricted" profile by one pod spec; empty when it complies. */
export function restrictedViolations(pod: Obj): string[] {
  const v: string[] = [];
  const podSc: Obj = pod.securityContext ?? {};
  const containers: Obj[] = [...(pod.initContainers ?? []), ...(pod.containers ?? []), ...(pod.ephemeralContainers ?? [])];
  const each = (check: (c: Obj, sc: Obj) => string | undefined) => {
    for (const c of containers) {
      const problem = check(c, c.securityContext ?? {});
      if (problem) v.push(`container ${c.name}: ${problem}`);
    }
  };

  // Baseline.
  for (const ns of ['hostNetwork', 'hostPID', 'hostIPC']) if (pod[ns]) v.push(`${ns} is true`);
  if (podSc.windowsOptions?.hostProcess) v.push('pod windowsOptions.hostProcess is true');
  each((_, sc) => (sc.windowsOptions?.hostProcess ? 'windowsOptions.hostProcess is true' : undefined));
  each((_, sc) => (sc.privileged ? 'privileged' : undefined));
  each((c) => ((c.ports ?? []).some((p: Obj) => p.hostPort) ? 'uses a hostPort' : undefined));
  for (const vol of pod.volumes ?? []) if (vol.hostPath) v.push(`volume ${vol.name} is a hostPath`);
  for (const sc of [podSc, ...containers.map((c) => c.securityContext ?? {})]) {
    const se = sc.seLinuxOptions;
    if (se && (!SELINUX_TYPES.has(se.type) || se.user || se.role)) v.push('seLinuxOptions are not allowed');
  }
  each((_, sc) => (sc.procMount !== undefined && sc.procMount !== 'Default' ? `procMount ${sc.procMount}` : undefined));
  for (const s of podSc.sysctls ?? []) if (!SAFE_SYSCTLS.has(s.name)) v.push(`sysctl ${s.name} is not safe`);

  // Restricted.
  for (const vol of pod.volumes ?? []) {
    const type = Object.keys(vol).find((k) => k !== 'name');
    if (!type || !RESTRICTED_VOLUME_TYPES.has(type)) v.push(`volume ${vol.name} has type ${type}`);
  }
  each((_, sc) => (sc.allowPrivilegeEscalation !== false ? 'allowPrivilegeEscalation is not false' : undefined));
  each((_, sc) => (sc.runAsNonRoot === false || (podSc.runAsNonRoot !== true && sc.runAsNonRoot !== true) ? 'may run as root (runAsNonRoot is not true)' : undefined));
  if (podSc.runAsUser === 0) v.push('pod runAsUser is 0');
  each((_, sc) => (sc.runAsUser === 0 ? 'runAsUser is 0' : undefined));
  const seccompOk = (p: Obj | undefined) => p?.type === 'RuntimeDefault' || p?.type === 'Localhost';
  if (podSc.seccompProfile && !seccompOk(podSc.seccompProfile)) v.push(`pod seccompProfile ${podSc.seccompProfile.type}`);
  each((_, sc) => {
    if (sc.seccompProfile) return seccompOk(sc.seccompProfile) ? undefined : `seccompProfile ${sc.seccompProfile.type}`;
    return seccompOk(podSc.seccompProfile) ? undefined : 'no RuntimeDefault or Localhost seccompProfile';
  });
  each((_, sc) => (!(sc.capabilities?.drop ?? []).includes('ALL') ? 'does not drop ALL capabilities' : undefined));
  each((_, sc) => {
    const extra = (sc.capabilities?.add ?? []).filter((cap: string) => cap !== 'NET_BIND_SERVICE');
    return extra.length > 0 ? `adds capabilities ${extra.join(', ')}` : undefined;
  });
  return v;
}

/** Every violation of every pod spec in `manifests`, as `<kind> <name>: <violation>`. */
export function restrictedViolationsOf(manifests: readonly Manifest[]): string[] {
  return manifests.flatMap((m) => podSpecsOf(m).flatMap(({ where, spec }) => restrictedViolations(spec).map((x) => `${where}: ${x}`)));
}
