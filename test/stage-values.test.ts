// Stage-dependent values anywhere: resolved for the cluster at any depth of any prop and of any
// rendered object; one that cannot be resolved is an error naming its path, never `{}`.
import { describe, expect, test } from '@jest/globals';
import { ApiObject } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { Components, Fleet, Provider, Stage, Testing, Worker, perStage, type Manifest, type Platform } from '../lib/index.js';
import { errorsOf, find, objectsOf, oneCluster, shopFleet } from './support/fleets.js';

function twoStages(define: (platform: Platform) => void): Fleet {
  const fleet = new Fleet({ name: 'acme', domain: 'acme.dev' });
  fleet.addCluster('dev', { stage: Stage.DEVELOPMENT, region: 'eu-west-1', provider: Provider.aws() });
  fleet.addCluster('prod', { stage: Stage.PRODUCTION, region: 'eu-west-1', provider: Provider.aws() });
  fleet.platform(define);
  return fleet;
}

function release(fleet: Fleet, cluster: string, name: string): Record<string, any> {
  const found = Testing.synth(fleet, { cluster }).objects.find((o: Manifest) => o.kind === 'HelmRelease' && o.metadata.name === name);
  if (!found) throw new Error(`no HelmRelease ${name} on ${cluster}`);
  return found as Record<string, any>;
}

const PODINFO = { name: 'podinfo', namespace: 'podinfo', chart: { repository: 'https://stefanprodan.github.io/podinfo', name: 'podinfo', version: '6.9.0' } };

describe('stage values at any depth', () => {
  test('a perStage value three levels deep in Helm values renders the cluster\'s value', () => {
    const fleet = twoStages((p) =>
      p.install(Components.helm({ ...PODINFO, values: { ingress: { hosts: [{ host: perStage({ development: 'dev.acme.dev', production: 'acme.dev' }) }] } } })),
    );
    expect(release(fleet, 'dev', 'podinfo').spec.values.ingress.hosts).toEqual([{ host: 'dev.acme.dev' }]);
    expect(release(fleet, 'prod', 'podinfo').spec.values.ingress.hosts).toEqual([{ host: 'acme.dev' }]);
  });

  test('in a catalog component\'s values, merged over the catalog\'s own', () => {
    const fleet = twoStages((p) => p.install(Components.keda({ values: { resources: { operator: { limits: perStage({ production: { memory: '1Gi' }, default: { memory: '256Mi' } }) } } } })));
    expect(release(fleet, 'dev', 'keda').spec.values.resources).toEqual({ operator: { limits: { memory: '256Mi' } } });
    expect(release(fleet, 'prod', 'keda').spec.values.resources).toEqual({ operator: { limits: { memory: '1Gi' } } });
  });

  test('a chart version may differ per stage', () => {
    const fleet = twoStages((p) => p.install(Components.helm({ ...PODINFO, chart: { ...PODINFO.chart, version: perStage({ development: '6.10.0', default: '6.9.0' }) as never } })));
    expect(release(fleet, 'dev', 'podinfo').spec.chart.spec.version).toBe('6.10.0');
    expect(release(fleet, 'prod', 'podinfo').spec.chart.spec.version).toBe('6.9.0');
  });

  test('a value with none for the stage is an error naming its path', () => {
    const fleet = twoStages((p) => p.install(Components.helm({ ...PODINFO, values: { ingress: { hosts: [{ host: perStage({ production: 'acme.dev' }) }] } } })));
    expect(errorsOf(fleet)).toEqual([
      'dev/infrastructure/controllers/podinfo: values.ingress.hosts[0].host: stage.pick: no value for stage "development" and no default (given: production)',
    ]);
  });

  test('in a catalog component\'s options, named by the component', () => {
    const fleet = twoStages((p) => p.install(Components.certManager({ email: perStage({ production: 'ops@acme.dev' }) as never })));
    expect(errorsOf(fleet)).toEqual([
      'dev/infrastructure/controllers: Components.certManager(...).email: stage.pick: no value for stage "development" and no default (given: production)',
    ]);
  });

  test('in a workload\'s config files and nested options', () => {
    const fleet = shopFleet((apps) => {
      new Worker(apps, 'app', {
        image: 'ghcr.io/acme/app:1.0.0',
        resources: { cpu: '100m', memory: perStage({ production: '1Gi', default: '256Mi' }) as never },
        configFiles: { path: '/etc/app', files: { 'app.yaml': perStage({ production: 'level: warn', default: 'level: debug' }) as never } },
      });
    });
    const dev = objectsOf(fleet, 'dev-eu');
    const prod = objectsOf(fleet, 'prod-eu');
    expect(find(dev, 'ConfigMap', 'app-config').data).toEqual({ 'app.yaml': 'level: debug' });
    expect(find(prod, 'ConfigMap', 'app-config').data).toEqual({ 'app.yaml': 'level: warn' });
    expect(find(dev, 'Deployment', 'app').spec.template.spec.containers[0].resources.requests.memory).toBe('256Mi');
    expect(find(prod, 'Deployment', 'app').spec.template.spec.containers[0].resources.requests.memory).toBe('1Gi');
  });

  test('in a hand-written ApiObject: rendered for the cluster, or an error naming the field', () => {
    const fleet = shopFleet((apps) => {
      new ApiObject(apps, 'settings', {
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name: 'settings', labels: { tier: perStage({ production: 'gold', default: 'bronze' }) as never } },
        data: { level: perStage({ production: 'warn', default: 'debug' }) as never },
      });
    });
    expect(find(objectsOf(fleet, 'dev-eu'), 'ConfigMap', 'settings')).toMatchObject({ metadata: { labels: { tier: 'bronze' } }, data: { level: 'debug' } });
    expect(find(objectsOf(fleet, 'prod-eu'), 'ConfigMap', 'settings')).toMatchObject({ metadata: { labels: { tier: 'gold' } }, data: { level: 'warn' } });

    const broken = oneCluster((apps) => {
      new ApiObject(apps, 'settings', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'settings' }, data: { level: perStage({ production: 'warn' }) as never } });
    });
    expect(errorsOf(broken)).toEqual([
      'dev-eu/apps/shop/settings: ConfigMap settings: data.level: stage.pick: no value for stage "development" and no default (given: production)',
    ]);
  });

  test('inside a binding\'s wrapper (a cdk8s-plus port becomes k8s.IntOrString): resolved, or an error naming the field', () => {
    // cdk8s unwraps IntOrString and Quantity only when their value is a number or a string: a
    // stage value there was "can't render non-simple object of type 'IntOrString'".
    const fleet = shopFleet((apps) => {
      new kplus.Service(apps, 'api', { ports: [{ port: 80, targetPort: perStage({ production: 8443, default: 8080 }) as never }] });
    });
    expect(find(objectsOf(fleet, 'dev-eu'), 'Service', 'api').spec.ports).toEqual([{ port: 80, targetPort: 8080 }]);
    expect(find(objectsOf(fleet, 'prod-eu'), 'Service', 'api').spec.ports).toEqual([{ port: 80, targetPort: 8443 }]);
    const broken = oneCluster((apps) => {
      new kplus.Service(apps, 'api', { ports: [{ port: 80, targetPort: perStage({ production: 8443 }) as never }] });
    });
    expect(errorsOf(broken)).toEqual([expect.stringMatching(/^dev-eu\/apps\/shop\/api\/Resource: Service api: spec\.ports\[0\]\.targetPort: stage\.pick: no value for stage "development"/)]);
  });
});
