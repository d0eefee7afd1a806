// Pod Security Standards "restricted" (Kubernetes 1.27), checked on every pod template so a
// workload fails here, at synth time, not when the API server rejects its pods at 3 a.m.
import { arr, containersOf, rec, str, type Container, type Json } from '../objects.js';
import { ALWAYS_ERROR, type Rule, type Violation } from '../rule.js';

/** Volume types "restricted" allows. */
const ALLOWED_VOLUMES = new Set(['configMap', 'csi', 'downwardAPI', 'emptyDir', 'ephemeral', 'persistentVolumeClaim', 'projected', 'secret']);
/** Sysctls "baseline" allows (1.27). */
const SAFE_SYSCTLS = new Set([
  'kernel.shm_rmid_forced', 'net.ipv4.ip_local_port_range', 'net.ipv4.ip_unprivileged_port_start',
  'net.ipv4.tcp_syncookies', 'net.ipv4.ping_group_range', 'net.ipv4.ip_local_reserved_ports',
]);
const SELINUX_TYPES = new Set(['', 'container_t', 'container_init_t', 'container_kvm_t']);
const SECCOMP_OK = new Set(['RuntimeDefault', 'Localhost']);

/** The problems of one pod spec; `annotations` are the pod template's (AppArmor). */
export function podSecurityProblems(pod: Json, annotations: Json = {}): string[] {
  const problems: string[] = [];
  for (const field of ['hostNetwork', 'hostPID', 'hostIPC'] as const) {
    if (pod[field] === true) problems.push(`${field} is true: pods must not share the node's namespaces`);
  }
  const podCtx = rec(pod.securityContext);
  problems.push(...contextProblems(podCtx, 'pod securityContext'));
  for (const s of arr(podCtx.sysctls)) {
    const name = str(rec(s).name) ?? '';
    if (!SAFE_SYSCTLS.has(name)) problems.push(`sysctl ${JSON.stringify(name)} is not in the safe set (${[...SAFE_SYSCTLS].join(', ')})`);
  }
  for (const v of arr(pod.volumes)) {
    const type = Object.keys(rec(v)).find((k) => k !== 'name');
    if (type && !ALLOWED_VOLUMES.has(type)) problems.push(`volume ${JSON.stringify(str(rec(v).name))} is of type ${type} (allowed: ${[...ALLOWED_VOLUMES].join(', ')})`);
  }
  const podSeccomp = str(rec(podCtx.seccompProfile).type);
  if (podSeccomp !== undefined && !SECCOMP_OK.has(podSeccomp)) problems.push(`pod seccompProfile.type is ${podSeccomp} (valid: RuntimeDefault, Localhost)`);
  for (const c of containersOf(pod)) problems.push(...containerProblems(c, podCtx, annotations));
  return problems;
}

/** Settings that may sit on the pod or on a container security context. */
function contextProblems(ctx: Json, where: string): string[] {
  const problems: string[] = [];
  if (ctx.runAsUser === 0) problems.push(`${where}: runAsUser is 0 (root)`);
  if (rec(ctx.windowsOptions).hostProcess === true) problems.push(`${where}: windowsOptions.hostProcess is true`);
  const se = rec(ctx.seLinuxOptions);
  if (se.type !== undefined && !SELINUX_TYPES.has(String(se.type))) problems.push(`${where}: seLinuxOptions.type ${JSON.stringify(se.type)} is not allowed (valid: container_t, container_init_t, container_kvm_t)`);
  if (se.user !== undefined || se.role !== undefined) problems.push(`${where}: seLinuxOptions.user and .role must not be set`);
  return problems;
}

function containerProblems(c: Container, podCtx: Json, annotations: Json): string[] {
  const where = `${c.field === 'containers' ? 'container' : c.field.replace(/s$/, '').replace(/C/, ' c')} ${JSON.stringify(c.name)}`;
  const ctx = rec(c.spec.securityContext);
  const problems = contextProblems(ctx, where);
  if (ctx.privileged === true) problems.push(`${where}: privileged is true`);
  if (ctx.allowPrivilegeEscalation !== false) problems.push(`${where}: securityContext.allowPrivilegeEscalation is not false`);
  const nonRoot = ctx.runAsNonRoot ?? podCtx.runAsNonRoot;
  if (nonRoot !== true) problems.push(`${where}: runAsNonRoot is not true (set it on the pod or the container)`);
  const seccomp = str(rec(ctx.seccompProfile).type) ?? str(rec(podCtx.seccompProfile).type);
  if (seccomp === undefined) problems.push(`${where}: no seccompProfile (set type RuntimeDefault on the pod or the container)`);
  else if (!SECCOMP_OK.has(seccomp) && rec(ctx.seccompProfile).type !== undefined) problems.push(`${where}: seccompProfile.type is ${seccomp} (valid: RuntimeDefault, Localhost)`);
  const caps = rec(ctx.capabilities);
  if (!arr(caps.drop).includes('ALL')) problems.push(`${where}: capabilities.drop does not include ALL`);
  const added = arr(caps.add).filter((cap) => cap !== 'NET_BIND_SERVICE');
  if (added.length > 0) problems.push(`${where}: capabilities.add ${JSON.stringify(added)} (only NET_BIND_SERVICE may be added)`);
  if (ctx.procMount !== undefined && ctx.procMount !== 'Default') problems.push(`${where}: procMount is ${JSON.stringify(ctx.procMount)} (valid: Default)`);
  for (const p of arr(c.spec.ports)) {
    const hostPort = rec(p).hostPort;
    if (hostPort !== undefined && hostPort !== 0) problems.push(`${where}: hostPort ${JSON.stringify(hostPort)} binds a port on the node`);
  }
  const apparmor = str(annotations[`container.apparmor.security.beta.kubernetes.io/${c.name}`]);
  if (apparmor !== undefined && apparmor !== 'runtime/default' && !apparmor.startsWith('localhost/')) {
    problems.push(`${where}: AppArmor profile ${JSON.stringify(apparmor)} (valid: runtime/default, localhost/<profile>)`);
  }
  return problems;
}

export const podSecurityRestricted: Rule = {
  id: 'pod-security-restricted',
  summary: 'Every pod template meets the Pod Security Standard "restricted" (1.27): non-root, no privilege escalation, capabilities drop ALL (only NET_BIND_SERVICE added), seccomp RuntimeDefault or Localhost, no host namespaces, host ports, hostPath or privileged containers, only configMap/csi/downwardAPI/emptyDir/ephemeral/persistentVolumeClaim/projected/secret volumes, safe sysctls only.',
  hint: 'set on the pod securityContext runAsNonRoot: true and seccompProfile.type: RuntimeDefault, and on every container allowPrivilegeEscalation: false and capabilities.drop: [ALL]; remove host access',
  severity: ALWAYS_ERROR,
  check(objects) {
    const violations: Violation[] = [];
    for (const { object, template } of objects.workloads()) {
      const annotations = object.manifest.kind === 'Pod' ? rec(object.manifest.metadata).annotations : podAnnotations(object.manifest, template.at);
      for (const message of podSecurityProblems(template.spec, rec(annotations))) violations.push({ object, message });
    }
    return violations;
  },
};

/** The annotations of the template whose pod spec sits at `at` (`a.b.template.spec`). */
function podAnnotations(manifest: unknown, at: string): unknown {
  let node: unknown = manifest;
  for (const key of at.split('.').slice(0, -1)) node = rec(node)[key];
  return rec(rec(node).metadata).annotations;
}
