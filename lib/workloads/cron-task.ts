import { readableProps } from '../fleet/props.js';
import { k8s } from 'cdk8s-plus-27';
import type { Construct } from 'constructs';
import { show } from '../fleet/errors.js';
import { selectorLabels } from './network.js';
import type { PodOptions } from './pod.js';
import { addLaterFields } from './lifecycle.js';
import { scheduleProblems, timeZoneProblems } from './schedule.js';
import { Workload, type StageProps } from './workload.js';

/** A job run on a schedule. */
export interface CronTaskOptions extends Omit<PodOptions, 'probes'> {
  /**
   * When to run: 5 cron fields (`minute hour day-of-month month day-of-week`, e.g. `'0 3 * * *'`)
   * or `@hourly`, `@daily`, `@weekly`, `@monthly`, `@yearly`.
   */
  readonly schedule: string;
  /**
   * IANA time zone the schedule is read in, e.g. `Europe/Berlin`.
   * @default 'Etc/UTC': never the controller's local time, which differs per cluster
   */
  readonly timeZone?: string;
  /**
   * What happens when a run is due while the previous one still runs.
   * @default 'Forbid': skip the new run
   */
  readonly concurrencyPolicy?: 'Forbid' | 'Allow' | 'Replace';
  /**
   * Retries of a failed run (each in a new pod) before the run counts as failed.
   * @default 3
   */
  readonly backoffLimit?: number;
  /**
   * Seconds a run may take, retries included, before it is stopped; with `Forbid`, a hung run
   * would otherwise block every later one.
   * @default 3600
   */
  readonly activeDeadlineSeconds?: number;
  /**
   * Seconds after its scheduled time a missed run may still start.
   * @default none: a missed run starts whenever the controller sees it
   */
  readonly startingDeadlineSeconds?: number;
  /** Finished runs kept for inspection. @default 3 */
  readonly successfulJobsHistoryLimit?: number;
  /** Failed runs kept for inspection. @default 1 */
  readonly failedJobsHistoryLimit?: number;
  /** Pause scheduling (e.g. `perStage({ development: true, default: false })`). @default false */
  readonly suspend?: boolean;
}

/** The props of a CronTask; any field may differ per stage (`perStage(...)`). */
export type CronTaskProps = StageProps<CronTaskOptions>;

/** Kubernetes names a CronJob's Jobs `<name>-<8 digits>`, so a CronJob name has 11 characters less. */
const MAX_CRONJOB_NAME = 52;

/**
 * A CronJob whose pods never restart in place (a failed run retries in a new pod, keeping the
 * failed one's logs), with its ServiceAccount and a NetworkPolicy admitting nobody by default.
 */
export class CronTask extends Workload {
  private _cronJob?: k8s.KubeCronJob;

  /**
   * The CronJob (named like the task), for escape-hatch patches. Undefined when the task has
   * errors (nothing is rendered; the synth reports them).
   * https://kubernetes.io/docs/concepts/workloads/controllers/cron-jobs/
   */
  get cronJob(): k8s.KubeCronJob | undefined {
    return this._cronJob;
  }

  /** @throws StrataError when `scope` is not inside `fleet.apps(...)`, which gives the workload its namespace */
  constructor(scope: Construct, id: string, props: CronTaskProps) {
    super(scope, id, 'CronTask', readableProps(props).name);
    const o = this.resolveProps<CronTaskOptions>('CronTaskProps', props);
    if (this.name.length > MAX_CRONJOB_NAME) {
      this.problems.push(`CronTask name ${show(this.name)} has ${this.name.length} characters; at most ${MAX_CRONJOB_NAME} fit, since Kubernetes appends 11 to name each run's Job`);
    }
    const timeZone = o.timeZone ?? 'Etc/UTC';
    this.problems.push(...scheduleProblems(o.schedule), ...timeZoneProblems(timeZone), ...this.countProblems(o));
    const ports = this.resolvePorts(o.ports ?? [], false);
    const pod = this.buildPod(o, { ports, defaultProbes: {}, defaultDrainSeconds: 0, restartPolicy: 'Never' });
    this.admit(ports, o.allowFrom, undefined, o.egress);
    if (this.problems.length > 0) return;

    this.renderCommon(pod, o.serviceAccount);
    this._cronJob = new k8s.KubeCronJob(this, 'cron-job', {
      metadata: { name: this.name, labels: this.selector },
      spec: {
        schedule: o.schedule,
        timeZone,
        concurrencyPolicy: o.concurrencyPolicy ?? 'Forbid',
        startingDeadlineSeconds: o.startingDeadlineSeconds,
        successfulJobsHistoryLimit: o.successfulJobsHistoryLimit ?? 3,
        failedJobsHistoryLimit: o.failedJobsHistoryLimit ?? 1,
        suspend: o.suspend ?? false,
        jobTemplate: {
          metadata: { labels: selectorLabels(this.name) },
          spec: { backoffLimit: o.backoffLimit ?? 3, activeDeadlineSeconds: o.activeDeadlineSeconds ?? 3600, template: pod.template },
        },
      },
    });
    addLaterFields(this._cronJob, pod.laterFields);
  }

  private countProblems(o: CronTaskOptions): string[] {
    const problems: string[] = [];
    const counts = {
      backoffLimit: [o.backoffLimit, 0],
      activeDeadlineSeconds: [o.activeDeadlineSeconds, 1],
      startingDeadlineSeconds: [o.startingDeadlineSeconds, 0],
      successfulJobsHistoryLimit: [o.successfulJobsHistoryLimit, 0],
      failedJobsHistoryLimit: [o.failedJobsHistoryLimit, 0],
    } as const;
    for (const [field, [value, min]] of Object.entries(counts)) {
      if (value !== undefined && !(Number.isInteger(value) && value >= min)) problems.push(`${field} (${show(value)}) must be an integer of at least ${min}`);
    }
    const policies = ['Forbid', 'Allow', 'Replace'];
    if (o.concurrencyPolicy !== undefined && !policies.includes(o.concurrencyPolicy)) {
      problems.push(`concurrencyPolicy ${show(o.concurrencyPolicy)} is not one of ${policies.join(', ')}`);
    }
    return problems;
  }
}
