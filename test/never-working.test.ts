// Objects the API server accepts but that can never work: cron schedules that never fire,
// PodDisruptionBudgets that block every eviction, and a preStop sleep an image cannot run.
import { ApiObject } from 'cdk8s';
import { k8s } from 'cdk8s-plus-27';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ScaledObject } from '../imports/keda-scaledobject-keda.sh.js';
import { CronTask, Fleet, Provider, Stage, Testing, WebService, readDist, type Apps, type KubernetesVersion } from '../lib/index.js';
import { neverFires, parseCron } from '../lib/fleet/cron.js';
import { BASE, errorsOf, find, oneCluster } from './support/fleets.js';
import { fleetOf, findingsOf, labelsFor, patch, reported, webWorkload } from './support/policy.js';

const SPEC = '/spec/template/spec';

function never(schedule: string): string | undefined {
  const parsed = parseCron(schedule);
  if (!parsed.schedule) throw new Error(`${schedule}: ${parsed.problem}`);
  return neverFires(parsed.schedule);
}

describe('cron-schedule', () => {
  test('a day-of-month none of the months has never fires; either day field matching fires', () => {
    expect(never('0 0 30 2 *')).toBe('day-of-month 30 falls in none of its months (feb: at most 29 days)');
    expect(never('0 0 31 4,6,9,11 *')).toBe('day-of-month 31 falls in none of its months (apr, jun, sep, nov: at most 30 days)');
    expect(never('0 0 30-31 feb *')).toBeDefined();
    expect(never('0 0 31 */2 *')).toBeUndefined(); // January, March, ... have a 31st
    expect(never('0 0 29 2 *')).toBeUndefined(); // leap years
    expect(never('0 0 30 2 1')).toBeUndefined(); // day-of-week restricted too: fires every Monday in February
    expect(never('0 0 30 2 ?')).toBe('day-of-month 30 falls in none of its months (feb: at most 29 days)');
    expect(never('0 0 30 2 */1')).toBe('day-of-month 30 falls in none of its months (feb: at most 29 days)');
    expect(never('0 0 30 2 */2')).toBeUndefined(); // a step makes it a restriction (robfig: no star bit)
    expect(parseCron('@yearly')).toEqual({});
  });

  test('a hand-written CronJob that never fires is an error; a waiver with a reason silences it', () => {
    const cronJob = (apps: Apps, schedule: string) =>
      new k8s.KubeCronJob(apps, 'report', {
        metadata: { name: 'report', labels: labelsFor('report') },
        spec: { schedule, jobTemplate: { spec: { template: { spec: { restartPolicy: 'Never', containers: [{ name: 'app', image: 'ghcr.io/acme/report:1.0.0' }] } } } } },
      });
    expect(reported(fleetOf('development', (apps) => cronJob(apps, '0 0 31 4,6,9,11 *')), 'cron-schedule')).toEqual([
      'error [cron-schedule] c/apps/shop/report: schedule "0 0 31 4,6,9,11 *" never fires: day-of-month 31 falls in none of its months (apr, jun, sep, nov: at most 30 days)',
    ]);
    expect(reported(fleetOf('development', (apps) => cronJob(apps, '0 0 30 * *')), 'cron-schedule')).toEqual([]);
    const waived = fleetOf('development', (apps) => patch.set(cronJob(apps, '0 0 30 2 *'), '/metadata/annotations', { 'strata.dev/waive.cron-schedule': 'run by hand only' }));
    expect(reported(waived, 'cron-schedule')).toEqual([]);
  });

  test('a hand-written CronJob whose schedule the API server rejects is an error that no waiver silences', () => {
    const cronJob = (apps: Apps, schedule: string) =>
      new k8s.KubeCronJob(apps, 'report', {
        metadata: { name: 'report', labels: labelsFor('report'), annotations: { 'strata.dev/waive.cron-schedule': 'run by hand only' } },
        spec: { schedule, jobTemplate: { spec: { template: { spec: { restartPolicy: 'Never', containers: [{ name: 'app', image: 'ghcr.io/acme/report:1.0.0' }] } } } } },
      });
    const errors = (schedule: string) => errorsOf(fleetOf('development', (apps) => cronJob(apps, schedule))).filter((e) => e.includes('schedule'));
    expect(errors('0 3 * *')).toEqual([
      'c/apps/shop/report: schedule "0 3 * *" is rejected by the API server: it has 4 fields, not 5 (use 5 fields "minute hour day-of-month month day-of-week", e.g. "0 3 * * *", or one of @yearly, @annually, @monthly, @weekly, @daily, @midnight, @hourly)',
    ]);
    expect(errors('CRON_TZ=Europe/Berlin 0 3 * * *')).toEqual([expect.stringContaining('a time zone inside the schedule is not accepted by Kubernetes: use timeZone')]);
    expect(errors('0 3 * * 7')).toEqual([expect.stringContaining('day-of-week 7 is out of range 0-6')]);
  });

  test('a CronTask whose schedule never fires is an error', () => {
    expect(errorsOf(oneCluster((apps) => new CronTask(apps, 'report', { ...BASE, schedule: '0 0 30 2 *' })))).toEqual([
      'dev-eu/apps/shop/report/cron-job: schedule "0 0 30 2 *" never fires: day-of-month 30 falls in none of its months (feb: at most 29 days)',
    ]);
  });
});

describe('disruption-budget-allows-eviction', () => {
  const RULE = 'disruption-budget-allows-eviction';
  const withPdb = (spec: Record<string, unknown>, change?: (w: ReturnType<typeof webWorkload>, apps: Apps) => void) =>
    fleetOf('production', (apps) => {
      const w = webWorkload(apps);
      for (const [field, value] of Object.entries(spec)) {
        patch.remove(w.pdb, '/spec/maxUnavailable');
        patch.set(w.pdb, `/spec/${field}`, typeof value === 'number' ? k8s.IntOrString.fromNumber(value) : k8s.IntOrString.fromString(String(value)));
      }
      change?.(w, apps);
    });

  test('minAvailable at the fewest replicas (HPA minimum), a percentage rounding up to all of them, and maxUnavailable 0 are errors', () => {
    const at = 'Deployment web at 2 (the minimum of HorizontalPodAutoscaler web)';
    expect(reported(withPdb({ minAvailable: 2 }), RULE)).toEqual([
      `error [${RULE}] c/apps/shop/web-pdb: minAvailable 2 allows no eviction when its pods are fewest: ${at}; node drains and cluster upgrades block on it`,
    ]);
    expect(reported(withPdb({ minAvailable: '51%' }), RULE)).toEqual([
      `error [${RULE}] c/apps/shop/web-pdb: minAvailable "51%" allows no eviction when its pods are fewest: ${at}; node drains and cluster upgrades block on it`,
    ]);
    expect(reported(withPdb({ maxUnavailable: '0%' }), RULE)).toEqual([expect.stringContaining('maxUnavailable "0%" allows no eviction')]);
    // 50% of 2 is 1 left available; 1% of 2 rounds up to 1 allowed unavailable.
    expect(reported(withPdb({ minAvailable: '50%' }), RULE)).toEqual([]);
    expect(reported(withPdb({ maxUnavailable: '1%' }), RULE)).toEqual([]);
    expect(reported(withPdb({ minAvailable: 1 }), RULE)).toEqual([]);
  });

  test('the fewest replicas come from spec.replicas, or KEDA, whose minimum 0 means 1 once anything runs', () => {
    const fixed = withPdb({ minAvailable: 3 }, (w, apps) => {
      apps.node.tryRemoveChild(w.hpa.node.id);
      patch.set(w.deployment, '/spec/replicas', 3);
    });
    expect(reported(fixed, RULE)).toEqual([expect.stringContaining('minAvailable 3 allows no eviction when its pods are fewest: Deployment web at 3 (spec.replicas)')]);
    const keda = withPdb({ minAvailable: 1 }, (w, apps) => {
      apps.node.tryRemoveChild(w.hpa.node.id);
      new ScaledObject(apps, 'web-scaler', { metadata: { name: 'web' }, spec: { scaleTargetRef: { name: 'web' }, triggers: [{ type: 'cpu', metadata: { value: '70' } }] } });
    });
    expect(reported(keda, RULE)).toEqual([expect.stringContaining('Deployment web at 1 (ScaledObject web scales it to zero, and from there to 1)')]);
  });

  test('two PodDisruptionBudgets selecting the same pods are an error naming both', () => {
    const fleet = fleetOf('production', (apps) => {
      webWorkload(apps);
      new k8s.KubePodDisruptionBudget(apps, 'second', { metadata: { name: 'web-extra' }, spec: { maxUnavailable: k8s.IntOrString.fromNumber(1), selector: { matchLabels: labelsFor('web') } } });
    });
    expect(reported(fleet, RULE)).toEqual([
      `error [${RULE}] c/apps/shop/second: selects the pods of Deployment web, as PodDisruptionBudget web does: the eviction API refuses to evict a pod more than one PodDisruptionBudget covers, so node drains fail on them`,
    ]);
  });

  test('a hand-written minAvailable 2 over a 2-replica WebService blocks evictions and overlaps its own budget', () => {
    const fleet = oneCluster((apps) => {
      new WebService(apps, 'web', { ...BASE, replicas: 2 });
      new k8s.KubePodDisruptionBudget(apps, 'web-pdb', { metadata: { name: 'web-min' }, spec: { minAvailable: k8s.IntOrString.fromNumber(2), selector: { matchLabels: labelsFor('web') } } });
    });
    expect(findingsOf(fleet).filter((f) => f.rule === RULE).map((f) => `${f.path}: ${f.message}`)).toEqual([
      'dev-eu/apps/shop/web-pdb: minAvailable 2 allows no eviction when its pods are fewest: Deployment web at 2 (spec.replicas); node drains and cluster upgrades block on it',
      'dev-eu/apps/shop/web-pdb: selects the pods of Deployment web, as PodDisruptionBudget web does: the eviction API refuses to evict a pod more than one PodDisruptionBudget covers, so node drains fail on them',
    ]);
  });

  test('typed workloads pass: their budget is maxUnavailable 1', () => {
    const fleet = oneCluster((apps) => new WebService(apps, 'web', { ...BASE, replicas: 2 }), { stage: Stage.PRODUCTION, name: 'prod-eu' });
    expect(findingsOf(fleet).filter((f) => f.rule === RULE)).toEqual([]);
  });
});

/** One cluster `c` running `kubernetesVersion`, with the apps of `define` in namespace `shop`. */
function versioned(kubernetesVersion: KubernetesVersion | undefined, define: (apps: Apps) => void, outdir?: string): Fleet {
  const fleet = new Fleet({ name: 'acme', domain: 'acme.dev', outdir });
  fleet.addCluster('c', { stage: Stage.DEVELOPMENT, region: 'eu-west-1', provider: Provider.aws(), kubernetesVersion });
  fleet.platform((p) => p.addTenant('shop', { podSecurity: 'privileged' }));
  fleet.apps('shop', define);
  return fleet;
}

const web = (apps: Apps) => new WebService(apps, 'web', BASE);
const lifecycleOf = (fleet: Fleet) => find(Testing.synth(fleet, { cluster: 'c', layer: 'apps' }).objects, 'Deployment', 'web').spec.template.spec.containers[0].lifecycle;

describe('kubernetesVersion and the preStop sleep', () => {
  test('a version strata does not know is an error naming the valid form', () => {
    expect(errorsOf(versioned('1.26' as KubernetesVersion, web))).toEqual([
      'c: kubernetesVersion "1.26" is not a Kubernetes minor version strata knows: use "1.<minor>", one of 1.27, 1.28, 1.29, 1.30, 1.31, 1.32, 1.33, 1.34, 1.35',
    ]);
    expect(errorsOf(versioned('1.30.2' as KubernetesVersion, web))[0]).toContain('kubernetesVersion "1.30.2" is not');
  });

  test('on 1.27 and 1.29 the drain is an exec of sleep; from 1.30 (and by default, 1.33) the native sleep action, which the schema check accepts', () => {
    expect(lifecycleOf(versioned('1.27', web))).toEqual({ preStop: { exec: { command: ['sleep', '5'] } } });
    expect(lifecycleOf(versioned('1.29', web))).toEqual({ preStop: { exec: { command: ['sleep', '5'] } } });
    expect(lifecycleOf(versioned(undefined, web))).toEqual({ preStop: { sleep: { seconds: 5 } } });
    expect(lifecycleOf(versioned('1.30', web))).toEqual({ preStop: { sleep: { seconds: 5 } } });
    expect(findingsOf(versioned('1.35', web))).toEqual([]);
  });

  test('the native sleep is an error on clusters before 1.30, naming the version that has it', () => {
    const handWritten = (apps: Apps) => {
      const labels = labelsFor('web');
      new ApiObject(apps, 'deployment', {
        apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', labels },
        spec: { selector: { matchLabels: labels }, template: { metadata: { labels }, spec: { enableServiceLinks: false, containers: [{ name: 'app', image: 'ghcr.io/acme/web:1.4.2', lifecycle: { preStop: { sleep: { seconds: 5 } } } }] } } },
      });
    };
    expect(errorsOf(versioned('1.29', handWritten)).filter((e) => e.includes('schema'))).toEqual([
      'c/apps/shop/deployment: Deployment web: schema apps/v1: /spec/template/spec/containers/0/lifecycle/preStop/sleep is a field of Kubernetes 1.30 and later, but this cluster runs 1.29: set the cluster\'s kubernetesVersion to 1.30 or later where it runs one, or remove the field',
    ]);
    // Only the policy rules (Pod Security of this bare container) remain: no schema finding.
    expect(findingsOf(versioned('1.30', handWritten)).filter((f) => f.rule === undefined)).toEqual([]);
  });

  test('prestop-sleep: an exec of sleep (directly or through a shell) is a warning on clusters that have the native action', () => {
    const execSleep = (command: string[]) => (apps: Apps) => patch.set(webWorkload(apps).deployment, `${SPEC}/containers/0/lifecycle`, { preStop: { exec: { command } } });
    expect(reported(versioned('1.31', execSleep(['sleep', '10'])), 'prestop-sleep')).toEqual([
      'warning [prestop-sleep] c/apps/shop/web: container "app": preStop execs sleep, which fails on images without a shell or sleep binary; this cluster runs Kubernetes 1.31, which has the native action lifecycle.preStop.sleep.seconds: 10',
    ]);
    expect(reported(versioned('1.31', execSleep(['/bin/sh', '-c', 'sleep 3'])), 'prestop-sleep')).toEqual([expect.stringContaining('lifecycle.preStop.sleep.seconds: 3')]);
    expect(reported(versioned('1.31', execSleep(['/app/drain', '--wait'])), 'prestop-sleep')).toEqual([]);
    expect(reported(versioned('1.29', execSleep(['sleep', '10'])), 'prestop-sleep')).toEqual([]);
  });

  test('the version is written beside the stage for npm run validate, the default too', () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'strata-version-')), 'dist');
    versioned('1.31', web, dir).synth();
    expect(readFileSync(join(dir, 'clusters/c/kustomization.yaml'), 'utf8')).toContain('# kubernetes: 1.31\n');
    expect(readDist(dir).clusters[0].kubernetesVersion).toBe('1.31');
    const defaulted = join(mkdtempSync(join(tmpdir(), 'strata-version-')), 'dist');
    versioned(undefined, web, defaulted).synth();
    expect(readFileSync(join(defaulted, 'clusters/c/kustomization.yaml'), 'utf8')).toContain('# kubernetes: 1.33\n');
  });
});
