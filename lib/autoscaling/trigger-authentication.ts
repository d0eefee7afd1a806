import type { Construct } from 'constructs';
import {
  TriggerAuthentication,
  TriggerAuthenticationSpecPodIdentityIdentityOwner as IdentityOwner,
  TriggerAuthenticationSpecPodIdentityProvider as IdentityProvider,
  type TriggerAuthenticationSpec,
} from '../../imports/keda-triggerauthentication-keda.sh.js';
import { Capability } from '../fleet/capabilities.js';
import type { Cluster } from '../fleet/cluster.js';
import { show } from '../fleet/errors.js';
import { dnsLabelError } from '../fleet/names.js';
import { capabilityProblem } from './checks.js';
import type { RenderedTrigger, Trigger } from './trigger.js';

/** Where the KEDA objects of one workload or job go. */
export interface KedaOwner {
  /** Name of the ScaledObject/ScaledJob; TriggerAuthentications are named `<name>-<trigger>`. */
  readonly name: string;
  readonly namespace?: string;
  readonly labels: Record<string, string>;
}

/**
 * Declares a TriggerAuthentication for every trigger with credentials (Secret references or AWS
 * pod identity) and returns the triggers as a ScaledObject or ScaledJob lists them.
 */
export function declareTriggers(scope: Construct, owner: KedaOwner, triggers: readonly Trigger[]): RenderedTrigger[] {
  const declared = new Set<string>();
  return triggers.map((trigger) => {
    if (!trigger.authenticated) return trigger.render();
    const name = `${owner.name}-${trigger.id}`;
    // A second trigger of the same name, or an invalid name, is reported by triggerProblems.
    if (!declared.has(trigger.id) && !dnsLabelError('trigger name', trigger.id)) {
      declared.add(trigger.id);
      new TriggerAuthentication(scope, `trigger-auth-${trigger.id}`, {
        metadata: { name, namespace: owner.namespace, labels: { ...owner.labels } },
        spec: authenticationSpec(trigger),
      });
    }
    return trigger.render(name);
  });
}

function authenticationSpec(trigger: Trigger): TriggerAuthenticationSpec {
  const { secretTargetRef, podIdentity } = trigger.authentication();
  return {
    secretTargetRef,
    podIdentity: podIdentity && {
      provider: IdentityProvider.AWS,
      roleArn: podIdentity.roleArn,
      identityOwner: podIdentity.identityOwner && (podIdentity.identityOwner === 'workload' ? IdentityOwner.WORKLOAD : IdentityOwner.KEDA),
    },
  };
}

/** Problems of a trigger list: at least one, unique names, valid props, metrics-server for cpu/memory triggers. */
export function triggerProblems(triggers: readonly Trigger[], cluster: Cluster, needs: string, what = 'autoscaling.triggers'): string[] {
  if (!Array.isArray(triggers) || triggers.length === 0) return [`${what} is empty: give at least one trigger (e.g. Trigger.rabbitmq(...))`];
  const problems = triggers.flatMap((t, i) => t.problems(`${what}[${i}]`, cluster));
  const ids = triggers.map((t) => t.id);
  for (const id of new Set(ids.filter((id, i) => ids.indexOf(id) !== i))) {
    problems.push(`${what}: two triggers are named ${show(id)}: give each a distinct name`);
  }
  // KEDA itself being installed is checked for every keda.sh object (lib/platform/ordering.ts).
  const resources = [...new Set(triggers.flatMap((t) => (t.resource ? [t.resource] : [])))];
  if (resources.length > 0) {
    problems.push(...capabilityProblem(cluster, Capability.METRICS_SERVER, `${needs} (${resources.join(' and ')} triggers)`, 'Components.metricsServer()'));
  }
  return problems;
}
