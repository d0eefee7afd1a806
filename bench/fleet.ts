// The generated fleet the benchmark synthesizes: `clusters` clusters (alternating development on
// gcp and production on aws, so both node autoscalers and both stages' policy severities run),
// each with the platform catalog installed and `perCluster` workloads spread over tenants of
// WORKLOADS_PER_TENANT, cycling through the four workload types the way a real team mixes them:
// a WebService with a host and a cpu HPA, a queue Worker scaled by KEDA, a CronTask and a
// StatefulService admitting the other two.
import {
  Autoscaling, Components, CronTask, Egress, Env, Fleet, NodePool, Provider, SecretKey, Stage, StatefulService, Trigger, WebService, Worker, perStage,
} from '../lib/index.js';

/** Workloads per tenant namespace: one team's share of a cluster. */
export const WORKLOADS_PER_TENANT = 25;

/** Tenant namespaces per cluster for `perCluster` workloads. */
export function tenantCount(perCluster: number): number {
  return Math.max(1, Math.ceil(perCluster / WORKLOADS_PER_TENANT));
}

export function clusterName(c: number): string {
  return `cluster-${c}`;
}

/** A generated fleet of `clusters` × `perCluster` workloads, written to `outdir` by `synth()`. */
export function benchFleet(clusters: number, perCluster: number, outdir: string): Fleet {
  const fleet = new Fleet({ name: 'bench', domain: 'bench.example', outdir, repository: { url: 'ssh://git@example.com/bench/fleet.git', branch: 'main' } });
  for (let c = 0; c < clusters; c++) {
    const production = c % 2 === 1;
    fleet.addCluster(clusterName(c), {
      stage: production ? Stage.PRODUCTION : Stage.DEVELOPMENT,
      region: production ? 'eu-west-1' : 'europe-west1',
      provider: production ? Provider.aws() : Provider.gcp({ acmeDns01: { cloudDns: { project: 'bench-dns' } } }),
      // The newest release whose fields strata renders all fit the anchor's cdk8s-plus-27 L1
      // classes (from 1.30 the native preStop sleep does not), so raw declares every object typed.
      kubernetesVersion: '1.29',
    });
  }
  const tenants = tenantCount(perCluster);
  fleet.platform((platform, cluster) => {
    platform.install(Components.metricsServer());
    platform.install(Components.certManager({ email: 'platform@bench.example' }));
    platform.install(Components.traffic());
    platform.install(Components.externalDns());
    platform.install(Components.keda());
    platform.install(Components.nodeAutoscaler());
    platform.install(Components.externalSecrets());
    new NodePool(platform, 'general', {
      capacityTypes: cluster.stage.pick({ development: ['spot'], production: ['spot', 'on-demand'] }),
      cpu: { min: 2, max: 16 },
      memory: { max: '64Gi' },
      limits: { cpu: 4000, memory: '16000Gi' },
    });
    for (let t = 0; t < tenants; t++) platform.addTenant(`team-${t}`, { quota: { cpu: '200', memory: '640Gi' }, group: `team-${t}`, exposed: true });
    platform.alerts({ type: 'slack', secretName: 'slack-webhook', channel: '#platform-alerts' });
  });
  for (let t = 0; t < tenants; t++) {
    const count = Math.min(WORKLOADS_PER_TENANT, perCluster - t * WORKLOADS_PER_TENANT);
    fleet.apps(`team-${t}`, (apps) => {
      let web: WebService | undefined;
      let worker: Worker | undefined;
      for (let w = 0; w < count; w++) {
        const n = Math.floor(w / 4);
        switch (w % 4) {
          case 0:
            web = new WebService(apps, `web-${n}`, {
              image: `ghcr.io/bench/web-${n}:1.4.${n}`,
              resources: { cpu: '250m', memory: '256Mi' },
              host: `web-${n}-team-${t}`,
              env: { LOG_LEVEL: perStage({ development: 'debug', default: 'info' }) },
              autoscaling: Autoscaling.cpu({ min: perStage({ development: 1, production: 3 }), max: 20, utilization: 70 }),
            });
            break;
          case 1:
            worker = new Worker(apps, `worker-${n}`, {
              image: `ghcr.io/bench/worker-${n}:2.0.${n}`,
              resources: { cpu: '100m', memory: '128Mi' },
              env: { DATABASE_PASSWORD: Env.fromSecret(`db-${n}`, 'password') },
              autoscaling: Autoscaling.events({
                min: 0,
                max: 50,
                triggers: [Trigger.rabbitmq({ queue: `jobs-${n}`, length: 20, auth: { host: SecretKey.of('rabbitmq', 'url') } })],
              }),
              egress: [Egress.toCidr('10.64.0.0/24', { ports: [5672] })], // the broker, as main.ts declares it
            });
            break;
          case 2:
            new CronTask(apps, `report-${n}`, {
              image: `ghcr.io/bench/report-${n}:1.0.${n}`,
              schedule: `${n % 60} 3 * * *`,
              timeZone: 'Europe/Berlin',
              resources: { cpu: '100m', memory: '256Mi' },
            });
            break;
          default:
            new StatefulService(apps, `db-${n}`, {
              image: `ghcr.io/bench/db-${n}:16.${n}`,
              ports: [{ name: 'postgres', port: 5432 }],
              storage: { data: { path: '/var/lib/postgresql/data', size: '20Gi' } },
              resources: { cpu: '500m', memory: '1Gi' },
              security: { runAsUser: 999 },
              allowFrom: [web, worker].filter((p): p is WebService | Worker => p !== undefined),
            });
        }
      }
    });
  }
  return fleet;
}
