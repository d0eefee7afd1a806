// Rules on container lifecycle hooks.
import { DEFAULT_KUBERNETES_VERSION, NATIVE_SLEEP_SINCE, atLeast } from '../../fleet/kubernetes-version.js';
import { arr, containersOf, rec, str, type ClusterObjects } from '../objects.js';
import { ALWAYS_WARNING, type Rule, type Violation } from '../rule.js';

const SHELLS = ['sh', 'bash', 'ash', 'dash'];

/** The seconds of an exec hook that only sleeps (`sleep 5`, `/bin/sh -c "sleep 5"`), or undefined. */
export function execSleepSeconds(handler: unknown): number | undefined {
  const command = arr(rec(rec(handler).exec).command).map((c) => String(c));
  const base = (c: string | undefined) => c?.slice(c.lastIndexOf('/') + 1);
  let words = command;
  if (SHELLS.includes(base(command[0]) ?? '') && command[1] === '-c' && command.length === 3) words = command[2].trim().split(/\s+/);
  if (words.length !== 2 || base(words[0]) !== 'sleep' || !/^\d+$/.test(words[1])) return undefined;
  return Number(words[1]);
}

export const preStopSleep: Rule = {
  id: 'prestop-sleep',
  summary: `On clusters running Kubernetes ${NATIVE_SLEEP_SINCE} or later, no preStop hook execs sleep: that needs a shell or sleep binary in the image (distroless and scratch images have none, and the hook then fails at once), while the native lifecycle.preStop.sleep action needs nothing.`,
  hint: 'replace exec: { command: [sleep, N] } with sleep: { seconds: N } in lifecycle.preStop',
  severity: ALWAYS_WARNING,
  check: (objects: ClusterObjects) => {
    if (!atLeast(objects.cluster.kubernetesVersion, NATIVE_SLEEP_SINCE)) return [];
    return objects.workloads().flatMap(({ object, template }): Violation[] => {
      return containersOf(template.spec, ['initContainers', 'containers']).flatMap((c) => {
        const seconds = execSleepSeconds(rec(c.spec.lifecycle).preStop);
        if (seconds === undefined) return [];
        const version = str(objects.cluster.kubernetesVersion) ?? DEFAULT_KUBERNETES_VERSION;
        return [{ object, message: `container ${JSON.stringify(c.name)}: preStop execs sleep, which fails on images without a shell or sleep binary; this cluster runs Kubernetes ${version}, which has the native action lifecycle.preStop.sleep.seconds: ${seconds}` }];
      });
    });
  },
};
