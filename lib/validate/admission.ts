import type { Finding } from '../fleet/errors.js';
import type { FleetModel } from '../synth/model.js';
import { arr, containersOf, podTemplate, rec, str, type Json } from './objects.js';
import { WAIVER_ANNOTATION_PREFIX } from './policy.js';
import { podSecurityProblems } from './rules/pod-security.js';

const ENFORCE = 'pod-security.kubernetes.io/enforce';
const WAIVER = `${WAIVER_ANNOTATION_PREFIX}pod-security-restricted`;

/** Capabilities the "baseline" profile lets a container add (Kubernetes 1.27). */
const BASELINE_CAPABILITIES = new Set([
  'AUDIT_WRITE', 'CHOWN', 'DAC_OVERRIDE', 'FOWNER', 'FSETID', 'KILL', 'MKNOD', 'NET_BIND_SERVICE', 'SETFCAP', 'SETGID', 'SETPCAP', 'SETUID', 'SYS_CHROOT',
]);

/** The "baseline" violations of a pod spec: host access, privileged containers, extra capabilities, no seccomp. */
function baselineProblems(pod: Json): string[] {
  const problems: string[] = [];
  for (const field of ['hostNetwork', 'hostPID', 'hostIPC'] as const) if (pod[field] === true) problems.push(`${field} is true`);
  for (const v of arr(pod.volumes)) if (rec(v).hostPath !== undefined) problems.push(`volume ${JSON.stringify(str(rec(v).name))} is a hostPath`);
  if (str(rec(rec(pod.securityContext).seccompProfile).type) === 'Unconfined') problems.push('pod seccompProfile is Unconfined');
  for (const c of containersOf(pod)) {
    const ctx = rec(c.spec.securityContext);
    if (ctx.privileged === true) problems.push(`container ${JSON.stringify(c.name)} is privileged`);
    const extra = arr(rec(ctx.capabilities).add).filter((cap) => !BASELINE_CAPABILITIES.has(String(cap)));
    if (extra.length > 0) problems.push(`container ${JSON.stringify(c.name)} adds ${extra.join(', ')}`);
    if (str(rec(ctx.seccompProfile).type) === 'Unconfined') problems.push(`container ${JSON.stringify(c.name)} seccompProfile is Unconfined`);
    if (arr(c.spec.ports).some((p) => rec(p).hostPort !== undefined && rec(p).hostPort !== 0)) problems.push(`container ${JSON.stringify(c.name)} binds a hostPort`);
  }
  return problems;
}

const CHECKS: Readonly<Record<string, (pod: Json) => string[]>> = {
  restricted: (pod) => podSecurityProblems(pod),
  baseline: baselineProblems,
};

/**
 * Pods the API server's Pod Security admission rejects: a waiver of pod-security-restricted
 * silences the rule, not a namespace that enforces "restricted" or "baseline". Not waivable,
 * because no annotation changes what the cluster admits.
 */
export function checkAdmission(model: FleetModel): Finding[] {
  const findings: Finding[] = [];
  for (const cluster of model.clusters) {
    const objects = cluster.folders.flatMap((f) => f.objects);
    // A namespace created elsewhere enforces what its declared labels say (nothing known when undeclared).
    const levels = new Map([
      ...(cluster.externalNamespaces ?? []).map((ns): [string, string | undefined] => [ns.name, ns.labels?.[ENFORCE]]),
      ...objects.filter((o) => o.manifest.kind === 'Namespace').map((o): [string, string | undefined] => [o.manifest.metadata.name, o.manifest.metadata.labels?.[ENFORCE]]),
    ]);
    for (const obj of objects) {
      const { kind, metadata } = obj.manifest;
      const level = metadata.namespace ? levels.get(metadata.namespace) : undefined;
      const check = level ? CHECKS[level] : undefined;
      if (!check || metadata.annotations?.[WAIVER] === undefined) continue;
      const template = podTemplate(obj);
      const problems = template ? check(template.spec) : [];
      if (problems.length === 0) continue;
      const looser = level === 'restricted' ? "podSecurity: 'baseline' (or 'privileged' for host access)" : "podSecurity: 'privileged'";
      findings.push({
        path: obj.path,
        message: `${kind} ${metadata.name}: namespace "${metadata.namespace}" enforces Pod Security "${level}", so the API server rejects these pods (${problems[0]}) whatever the waiver says: let the tenant admit them with ${looser}`,
      });
    }
  }
  return findings;
}
