import type { k8s } from 'cdk8s-plus-27';
import { show } from '../fleet/errors.js';

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

/** Problems of the security options: contradictions and malformed values. */
export function securityProblems(security: SecurityOptions): string[] {
  const problems: string[] = [];
  if (security.runAsUser === 0 && !security.allowRoot) {
    problems.push('security.runAsUser is 0 (root), but pods run as non-root: set security.allowRoot: true to run as root');
  }
  for (const field of ['runAsUser', 'runAsGroup', 'fsGroup'] as const) {
    const value = security[field];
    if (value !== undefined && !(Number.isInteger(value) && value >= 0)) problems.push(`security.${field} (${show(value)}) must be a non-negative integer`);
  }
  for (const cap of security.addCapabilities ?? []) {
    if (!CAPABILITY.test(cap) || cap.startsWith('CAP_') || cap === 'ALL') {
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
  const add = security.addCapabilities ?? [];
  return {
    allowPrivilegeEscalation: security.allowPrivilegeEscalation === true,
    capabilities: { drop: ['ALL'], add: add.length > 0 ? [...add] : undefined },
    readOnlyRootFilesystem: security.writableRootFilesystem !== true,
  };
}
