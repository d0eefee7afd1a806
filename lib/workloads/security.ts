import type { k8s } from 'cdk8s-plus-27';
import { show } from '../fleet/errors.js';
import { canonicalSet } from '../fleet/canonical.js';

/**
 * How a workload's pods run. Every field left out keeps the Pod Security Standards "restricted"
 * profile; each opt-out is named for what it loosens, so it stands out in review.
 */
export interface SecurityOptions {
  /**
   * Lets the container run as root. Leaves the "restricted" profile.
   * @default false: `runAsNonRoot: true`, the image must run as a non-root user
   */
  readonly allowRoot?: boolean;
  /**
   * Makes the root filesystem writable.
   * @default false: read-only; write to `/tmp` (an emptyDir) or a declared volume
   */
  readonly writableRootFilesystem?: boolean;
  /**
   * Lets a process gain more privileges than its parent (setuid binaries). Leaves "restricted".
   * @default false
   */
  readonly allowPrivilegeEscalation?: boolean;
  /**
   * Linux capabilities added back after dropping ALL, e.g. `['NET_BIND_SERVICE']` to bind ports
   * below 1024. Any other capability leaves "restricted".
   * @default none
   */
  readonly addCapabilities?: readonly string[];
  /**
   * Runs without the container runtime's default seccomp profile. Leaves "restricted".
   * @default false: `seccompProfile: RuntimeDefault`
   */
  readonly seccompUnconfined?: boolean;
  /**
   * Why this workload leaves the Pod Security "restricted" profile. Required with any opt-out
   * that leaves it (allowRoot, allowPrivilegeEscalation, seccompUnconfined, a capability other
   * than NET_BIND_SERVICE); rendered as a waiver of the `pod-security-restricted` rule, so the
   * reason stands in Git next to the loosened manifest.
   * @default none
   */
  readonly reason?: string;
  /** UID the containers run as. @default the image's user (which must not be root) */
  readonly runAsUser?: number;
  /** Primary GID of the containers. @default the image's */
  readonly runAsGroup?: number;
  /**
   * Group that owns mounted volumes, so a non-root user can write to them.
   * @default none; a StatefulService with storage uses `runAsGroup`, else `runAsUser`, when set
   */
  readonly fsGroup?: number;
}

const CAPABILITY = /^[A-Z][A-Z0-9_]*$/;

function isCapability(cap: string): boolean {
  return CAPABILITY.test(cap) && !cap.startsWith('CAP_') && cap !== 'ALL';
}

/** The opt-outs that leave the "restricted" profile (NET_BIND_SERVICE is the one capability it allows). */
export function restrictedOptOuts(security: SecurityOptions): string[] {
  return [
    security.allowRoot ? 'allowRoot' : undefined,
    security.allowPrivilegeEscalation ? 'allowPrivilegeEscalation' : undefined,
    security.seccompUnconfined ? 'seccompUnconfined' : undefined,
    ...(security.addCapabilities ?? []).filter((c) => c !== 'NET_BIND_SERVICE' && isCapability(c)).map((c) => `addCapabilities ${c}`),
  ].filter((o): o is string => o !== undefined);
}

/** Problems of the security options: contradictions and malformed values. */
export function securityProblems(security: SecurityOptions): string[] {
  const problems: string[] = [];
  if (security.runAsUser === 0 && !security.allowRoot) {
    problems.push('security.runAsUser is 0 (root), but pods run as non-root: set security.allowRoot: true to run as root');
  }
  const optOuts = restrictedOptOuts(security);
  if (optOuts.length > 0 && !security.reason?.trim()) {
    problems.push(`security ${optOuts.map((o) => `${o}`).join(', ')} leaves the Pod Security "restricted" profile: say why in security.reason (it becomes a waiver of pod-security-restricted that reviewers see in Git)`);
  }
  for (const field of ['runAsUser', 'runAsGroup', 'fsGroup'] as const) {
    const value = security[field];
    if (value !== undefined && !(Number.isInteger(value) && value >= 0)) problems.push(`security.${field} (${show(value)}) must be a non-negative integer`);
  }
  for (const cap of security.addCapabilities ?? []) {
    if (!isCapability(cap)) {
      problems.push(`security.addCapabilities: ${show(cap)} is not a capability name (uppercase, without "CAP_", e.g. "NET_BIND_SERVICE")`);
    }
  }
  return problems;
}

/** The pod-level security context: non-root, RuntimeDefault seccomp, unless opted out. */
export function podSecurityContext(security: SecurityOptions): k8s.PodSecurityContext {
  return {
    runAsNonRoot: !security.allowRoot,
    runAsUser: security.runAsUser,
    runAsGroup: security.runAsGroup,
    fsGroup: security.fsGroup,
    // Only re-own a volume when its root has the wrong group, not on every mount (slow for big volumes).
    fsGroupChangePolicy: security.fsGroup !== undefined ? 'OnRootMismatch' : undefined,
    seccompProfile: { type: security.seccompUnconfined ? 'Unconfined' : 'RuntimeDefault' },
  };
}

/** The container-level security context: no escalation, no capabilities, read-only root. */
export function containerSecurityContext(security: SecurityOptions): k8s.SecurityContext {
  const add = canonicalSet(security.addCapabilities ?? []);
  return {
    allowPrivilegeEscalation: security.allowPrivilegeEscalation === true,
    capabilities: { drop: ['ALL'], add: add.length > 0 ? [...add] : undefined },
    readOnlyRootFilesystem: security.writableRootFilesystem !== true,
  };
}
