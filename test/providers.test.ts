import { Components, CronTask, Fleet, Provider, Stage, Testing, WebService, Worker } from '../lib/index.js';

/** The same fleet definition on a cluster named `prod`, only the provider differs. */
function fleetOn(provider: Provider): Fleet {
  const fleet = new Fleet({ name: 'acme', domain: 'acme.dev' });
  fleet.addCluster('prod', { stage: Stage.PRODUCTION, region: 'region-1', provider });
  fleet.platform((platform) => {
    platform.install(Components.metricsServer());
    platform.install(Components.certManager());
    platform.install(Components.traffic());
    platform.install(Components.externalDns());
    platform.install(Components.keda());
    platform.install(Components.nodeAutoscaler());
    platform.addTenant('shop', { quota: { cpu: '4', memory: '8Gi' }, exposed: true });
  });
  fleet.apps('shop', (apps) => {
    const resources = { cpu: '100m', memory: '128Mi' };
    const web = new WebService(apps, 'web', { image: 'ghcr.io/acme/web:1.0.0', resources, host: 'shop' });
    new Worker(apps, 'orders', { image: 'ghcr.io/acme/orders:2.0.1', resources, ports: [{ name: 'metrics', port: 9090 }], allowFrom: [web] });
    new CronTask(apps, 'report', { image: 'ghcr.io/acme/report:1.0.0', schedule: '0 3 * * *', resources });
  });
  return fleet;
}

describe('provider profiles', () => {
  test('an app renders byte for byte the same on aws and gcp; only the platform layers differ', () => {
    const aws = Testing.synth(fleetOn(Provider.aws()), { cluster: 'prod' }).files;
    // Same gateway implementation (Envoy) on both; GKE's managed gateway is the next test.
    const gcp = Testing.synth(fleetOn(Provider.gcp({ gatewayController: 'envoy', acmeDns01: { cloudDns: { project: 'acme-dns' } } })), { cluster: 'prod' }).files;
    const layer = (files: Record<string, string>, prefix: string) => Object.fromEntries(Object.entries(files).filter(([path]) => path.startsWith(prefix)));
    const awsApps = layer(aws, 'prod/apps/');
    expect(Object.keys(awsApps)).toEqual(expect.arrayContaining(['prod/apps/shop/httproute-web.yaml', 'prod/apps/shop/deployment-orders.yaml', 'prod/apps/shop/cronjob-report.yaml']));
    expect(layer(gcp, 'prod/apps/')).toEqual(awsApps);
    expect(layer(gcp, 'prod/infrastructure/controllers/')).not.toEqual(layer(aws, 'prod/infrastructure/controllers/'));
  });

  test("with GKE's managed gateway only the web service's NetworkPolicy peer changes: Google's front ends instead of Envoy pods", () => {
    const aws = Testing.synth(fleetOn(Provider.aws()), { cluster: 'prod' }).files;
    const gke = Testing.synth(fleetOn(Provider.gcp({ acmeDns01: { cloudDns: { project: 'acme-dns' } } })), { cluster: 'prod' }).files;
    const apps = (files: Record<string, string>) => Object.entries(files).filter(([path]) => path.startsWith('prod/apps/'));
    const changed = apps(gke).filter(([path, text]) => aws[path] !== text).map(([path]) => path);
    expect(changed).toEqual(['prod/apps/shop/networkpolicy-web-ingress.yaml']);
    expect(gke['prod/apps/shop/networkpolicy-web-ingress.yaml']).toContain('cidr: 35.191.0.0/16');
    expect(apps(gke).map(([p]) => p)).toEqual(apps(aws).map(([p]) => p));
  });

  test('each profile names its storage, load balancer, DNS and node autoscaler; the ingress class is the same everywhere', () => {
    const rows = [Provider.aws(), Provider.gcp(), Provider.azure(), Provider.onPremises()].map((p) => [
      p.name, p.storageClass, p.ingressClass, p.externalDnsProvider, p.nodeAutoscaler, p.managedMetricsServer ?? false, Object.keys(p.loadBalancerAnnotations).length > 0,
    ]);
    expect(rows).toEqual([
      ['aws', 'gp3', 'traefik', 'aws', 'karpenter', false, true],
      ['gcp', 'standard-rwo', 'traefik', 'google', 'cluster-autoscaler', true, true],
      ['azure', 'managed-csi-premium', 'traefik', 'azure', 'cluster-autoscaler', true, true],
      ['on-premises', 'standard', 'traefik', undefined, undefined, false, false],
    ]);
    for (const p of [Provider.aws(), Provider.gcp(), Provider.azure(), Provider.onPremises()]) {
      expect([p.zoneLabel, p.regionLabel]).toEqual(['topology.kubernetes.io/zone', 'topology.kubernetes.io/region']);
    }
  });

  test('overrides replace a default and keep the rest', () => {
    const p = Provider.onPremises({ storageClass: 'ceph-rbd', externalDnsProvider: 'rfc2136' });
    expect([p.storageClass, p.externalDnsProvider, p.ingressClass]).toEqual(['ceph-rbd', 'rfc2136', 'traefik']);
  });
});
