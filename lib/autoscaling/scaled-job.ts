import { Duration, Lazy } from 'cdk8s';
import { k8s } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import {
  ScaledJob as KedaScaledJob,
  ScaledJobSpecRolloutStrategy,
  ScaledJobSpecScalingStrategyMultipleScalersCalculation,
  ScaledJobSpecScalingStrategyStrategy,
  type ScaledJobSpecJobTargetRefTemplateSpec,
} from '../../imports/keda-scaledjob-keda.sh.js';
import { Cluster } from '../fleet/cluster.js';
import { addCheck, show } from '../fleet/errors.js';
import type { StageValue } from '../fleet/stage.js';
import { boundsProblems } from './checks.js';
import { secondsAtLeast, wholeNumberError, wholeOr } from './quantity.js';
import type { Trigger } from './trigger.js';
import { declareTriggers, triggerProblems } from './trigger-authentication.js';
import { canonicalSet } from '../fleet/canonical.js';
import { intakeProps } from '../fleet/props.js';

/** How KEDA turns pending events into new Jobs. */
export interface JobScalingStrategy {
  /**
   * `default`: new Jobs = events − running Jobs; `accurate`: for queues whose length already
   * excludes messages being processed (e.g. SQS in-flight); `eager`: fill up to `max` at once;
   * `custom`: tune with the two `custom*` settings.
   * @default 'default'
   */
  readonly strategy?: 'default' | 'accurate' | 'eager' | 'custom';
  /** `custom` only: subtracted from the queue length. @default 0 */
  readonly customScalingQueueLengthDeduction?: number;
  /** `custom` only: share (0–1) of running Jobs subtracted from the queue length. @default 1 */
  readonly customScalingRunningJobPercentage?: number;
  /** Pod conditions that count a pending Job as running (so it is not started twice). @default none */
  readonly pendingPodConditions?: readonly string[];
  /** How several triggers combine. @default 'max' */
  readonly multipleScalersCalculation?: 'max' | 'min' | 'avg' | 'sum';
}

/** A KEDA ScaledJob: one Job per batch of pending events. */
export interface ScaledJobProps {
  /**
   * The pod each Job runs (containers with requests, security context, ...). `restartPolicy`
   * must be `Never` or `OnFailure`. Security contexts it leaves out get the "restricted" defaults.
   * @default restartPolicy 'Never'; runAsNonRoot, RuntimeDefault seccomp, no privilege escalation, capabilities drop ALL
   */
  readonly podSpec: k8s.PodSpec;
  /** What starts Jobs: usually one queue trigger; one Job per event (or per `parallelism` events). */
  readonly triggers: readonly Trigger[];
  /** Most Jobs running at once; may differ per stage. */
  readonly max: StageValue<number>;
  /** Jobs started even when no event is pending; may differ per stage. @default 0 */
  readonly min?: StageValue<number>;
  /** How often KEDA reads the triggers. @default Duration.seconds(30) */
  readonly pollingInterval?: Duration;
  /** Pods of one Job running at once. @default 1 */
  readonly parallelism?: number;
  /** Successful pods a Job needs to be complete. @default 1 */
  readonly completions?: number;
  /** Retries of a failed pod before the Job fails. @default 6 (the Kubernetes default) */
  readonly backoffLimit?: number;
  /** A Job still running after this long is stopped and failed. @default no limit */
  readonly activeDeadline?: Duration;
  /** Finished successful Jobs kept for inspection. @default 3 */
  readonly successfulJobsHistoryLimit?: number;
  /** Failed Jobs kept for inspection (longer than successful ones: they are the ones you debug). @default 5 */
  readonly failedJobsHistoryLimit?: number;
  /** How pending events become Jobs. @default the `default` strategy */
  readonly scalingStrategy?: JobScalingStrategy;
  /**
   * What happens to running Jobs when the ScaledJob changes (e.g. a new image): `gradual` lets
   * them finish, `immediate` deletes them.
   * @default 'gradual': a deploy never kills work in progress
   */
  readonly rollout?: 'gradual' | 'immediate';
  /** Extra labels on the ScaledJob and its pods. @default none */
  readonly labels?: Readonly<Record<string, string>>;
  /**
   * Where the Jobs' pods may open connections, e.g. the queue they consume from:
   * `[Egress.toCidr('10.64.0.0/24', { ports: [5672] })]`. Rendered as NetworkPolicy
   * `<id>-egress`; in a tenant namespace (default-deny) nothing else but DNS is reachable.
   * @default none: no policy of its own
   */
  readonly egress?: readonly EgressDestination[];
}

/**
 * An egress destination (`Egress.toCidr`, `Egress.toAnyAddress`, `Egress.toWorkload` of
 * lib/workloads), as the ScaledJob renders it.
 */
export interface EgressDestination {
  /** What is wrong with it; empty when it can be rendered. */
  problems(): string[];
  /** Its NetworkPolicy egress rule, seen from the job's namespace. */
  egressRule(context: { readonly cluster: Cluster; readonly namespace: string }): k8s.NetworkPolicyEgressRule;
}

const JOB_RESTART_POLICIES = ['Never', 'OnFailure'];

/**
 * Queue-driven batch work: KEDA starts one Kubernetes Job per pending event (up to `max` at
 * once) instead of scaling a long-running Deployment, so each message gets a fresh pod that
 * runs to completion and a scale-down never interrupts one. Renders a KEDA `ScaledJob` named
 * `id`, plus a TriggerAuthentication per trigger with credentials.
 */
export class ScaledJob extends Construct {
  /** The ScaledJob's name. */
  readonly name: string;

  /** @throws StrataError when `scope` is not inside a cluster of a Fleet */
  constructor(scope: Construct, id: string, given: ScaledJobProps) {
    super(scope, id);
    this.name = id;
    const cluster = Cluster.of(this);
    const propsProblems: string[] = [];
    const props = intakeProps('ScaledJobProps', given, cluster.stage, propsProblems);
    addCheck(this, () => propsProblems);
    const namespace = scopeNamespace(scope);
    const max = cluster.resolve(props.max);
    const min = cluster.resolve(props.min ?? 0);
    const labels = { 'app.kubernetes.io/name': id, 'app.kubernetes.io/instance': id, ...props.labels };
    const problems: string[] = [];
    const strategy = props.scalingStrategy;
    new KedaScaledJob(this, 'scaled-job', {
      metadata: { name: id, namespace, labels: { ...labels } },
      spec: {
        minReplicaCount: wholeOr(min, 0),
        maxReplicaCount: wholeOr(max, 1),
        pollingInterval: secondsAtLeast('pollingInterval', props.pollingInterval ?? Duration.seconds(30), 1, problems),
        successfulJobsHistoryLimit: props.successfulJobsHistoryLimit ?? 3,
        failedJobsHistoryLimit: props.failedJobsHistoryLimit ?? 5,
        rollout: { strategy: props.rollout === 'immediate' ? ScaledJobSpecRolloutStrategy.IMMEDIATE : ScaledJobSpecRolloutStrategy.GRADUAL },
        scalingStrategy: {
          strategy: (strategy?.strategy ?? 'default') as ScaledJobSpecScalingStrategyStrategy,
          customScalingQueueLengthDeduction: strategy?.customScalingQueueLengthDeduction,
          customScalingRunningJobPercentage: strategy?.customScalingRunningJobPercentage?.toString(),
          pendingPodConditions: strategy?.pendingPodConditions && canonicalSet(strategy.pendingPodConditions),
          multipleScalersCalculation: (strategy?.multipleScalersCalculation ?? 'max') as ScaledJobSpecScalingStrategyMultipleScalersCalculation,
        },
        jobTargetRef: {
          parallelism: props.parallelism ?? 1,
          completions: props.completions ?? 1,
          backoffLimit: props.backoffLimit ?? 6,
          activeDeadlineSeconds: props.activeDeadline && secondsAtLeast('activeDeadline', props.activeDeadline, 1, problems),
          template: {
            metadata: { labels: { ...labels } },
            // A k8s.PodSpec has the same shape as the CRD's pod spec (both generated from the
            // Kubernetes OpenAPI); the binding reads quantities by `.value` like k8s.Quantity.
            spec: restricted({ restartPolicy: 'Never', ...props.podSpec }) as unknown as ScaledJobSpecJobTargetRefTemplateSpec,
          },
        },
        triggers: declareTriggers(this, { name: id, namespace, labels }, props.triggers ?? []),
      },
    });
    const egress = props.egress ?? [];
    if (egress.length > 0) {
      new k8s.KubeNetworkPolicy(this, 'egress-policy', {
        metadata: { name: `${id}-egress`, namespace, labels: { ...labels } },
        spec: {
          podSelector: { matchLabels: { 'app.kubernetes.io/name': id, 'app.kubernetes.io/instance': id } },
          policyTypes: ['Egress'],
          egress: Lazy.any({ produce: () => egress.filter((d) => d.problems().length === 0).map((d) => d.egressRule({ cluster, namespace: namespace ?? 'default' })) }),
        },
      });
    }
    addCheck(this, () => [
      ...egress.flatMap((d) => d.problems()),
      ...boundsProblems(min, max, true, 'scaledJob'),
      ...problems,
      ...this.jobProblems(props),
      ...triggerProblems(props.triggers, cluster, `ScaledJob ${show(id)}`, 'triggers'),
    ]);
  }

  private jobProblems(props: ScaledJobProps): string[] {
    const restartPolicy = props.podSpec?.restartPolicy;
    const strategy = props.scalingStrategy;
    return [
      ...(Array.isArray(props.podSpec?.containers) && props.podSpec.containers.length > 0 ? [] : ['podSpec.containers is empty: a Job needs at least one container']),
      ...(restartPolicy !== undefined && !JOB_RESTART_POLICIES.includes(restartPolicy) ? [`podSpec.restartPolicy (${show(restartPolicy)}) must be Never or OnFailure for a Job`] : []),
      ...optional(props.parallelism === undefined ? undefined : wholeNumberError('parallelism', props.parallelism, 1)),
      ...optional(props.completions === undefined ? undefined : wholeNumberError('completions', props.completions, 1)),
      ...optional(props.backoffLimit === undefined ? undefined : wholeNumberError('backoffLimit', props.backoffLimit, 0)),
      ...optional(props.successfulJobsHistoryLimit === undefined ? undefined : wholeNumberError('successfulJobsHistoryLimit', props.successfulJobsHistoryLimit, 0)),
      ...optional(props.failedJobsHistoryLimit === undefined ? undefined : wholeNumberError('failedJobsHistoryLimit', props.failedJobsHistoryLimit, 0)),
      ...(strategy?.strategy !== undefined && !['default', 'accurate', 'eager', 'custom'].includes(strategy.strategy) ? [`scalingStrategy.strategy (${show(strategy.strategy)}) is not one of: default, accurate, eager, custom`] : []),
      ...(strategy?.customScalingRunningJobPercentage !== undefined && !(strategy.customScalingRunningJobPercentage >= 0 && strategy.customScalingRunningJobPercentage <= 1)
        ? [`scalingStrategy.customScalingRunningJobPercentage (${show(strategy.customScalingRunningJobPercentage)}) must be between 0 and 1`]
        : []),
      ...((strategy?.customScalingQueueLengthDeduction !== undefined || strategy?.customScalingRunningJobPercentage !== undefined) && strategy?.strategy !== 'custom'
        ? ["scalingStrategy: customScalingQueueLengthDeduction and customScalingRunningJobPercentage apply only to strategy 'custom'"]
        : []),
    ];
  }
}

/**
 * The namespace objects declared under `scope` land in (the enclosing Apps chart's); none
 * outside one, which the structure check reports rather than applying into `default`.
 */
function scopeNamespace(scope: Construct): string | undefined {
  for (let s: Construct | undefined = scope; s; s = s.node.scope as Construct | undefined) {
    const namespace = (s as { namespace?: unknown }).namespace;
    if (typeof namespace === 'string') return namespace;
  }
  return undefined;
}

function optional(problem: string | undefined): string[] {
  return problem ? [problem] : [];
}

/**
 * The pod spec with Pod Security "restricted" defaults filled in where it says nothing: non-root,
 * RuntimeDefault seccomp, no privilege escalation, all capabilities dropped. What it sets stays.
 */
function restricted(pod: k8s.PodSpec): k8s.PodSpec {
  const secure = (c: k8s.Container): k8s.Container => ({
    ...c,
    securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] }, ...c.securityContext },
  });
  return {
    ...pod,
    securityContext: { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' }, ...pod.securityContext },
    containers: pod.containers?.map(secure),
    initContainers: pod.initContainers?.map(secure),
  };
}
