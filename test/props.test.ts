// Unknown keys in props are errors at synth time, at any depth, with the closest known key.
import { describe, expect, test } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { Autoscaling, Components, Fleet, NodePool, Probe, Provider, Stage, Trigger, WebService, Worker, perStage, type Cluster, type Platform } from '../lib/index.js';
import { didYouMean, propsProblems } from '../lib/fleet/props.js';
import { errorsOf, oneCluster } from './support/fleets.js';

// @ts-expect-error: a plain ES module without declarations
import { OUTPUT, render } from '../scripts/props-keys.mjs';

function platformFleet(define: (platform: Platform, cluster: Cluster) => void, stage = Stage.PRODUCTION): Fleet {
  const fleet = new Fleet({ name: 'acme', domain: 'acme.dev' });
  fleet.addCluster('c1', { stage, region: 'eu-west-1', provider: Provider.aws() });
  fleet.platform(define);
  return fleet;
}

const WORKER = 'dev-eu/apps/shop/app';
const IMAGE = 'ghcr.io/acme/app:1.0.0';

describe('known keys', () => {
  test('the generated known keys are those of the current TypeScript declarations', () => {
    expect(readFileSync(OUTPUT, 'utf8')).toBe(render());
  }, 60_000);

  test('did you mean: the closest key when it is close enough to be a typo, case ignored first', () => {
    expect(didYouMean('emial', ['email', 'issuer', 'values', 'version'])).toBe('email');
    expect(didYouMean('Email', ['email', 'emails'])).toBe('email');
    expect(didYouMean('storageClassName', ['email', 'issuer'])).toBeUndefined();
  });

  test('a record type takes any key; its values are still checked', () => {
    expect(propsProblems('ClaimOptions', { path: '/data', size: '1Gi' })).toEqual([]);
    expect(propsProblems('StatefulServiceProps', { image: IMAGE, storage: { data: { path: '/data', size: '1Gi', sise: '2Gi' } } })).toEqual([
      'storage.data.sise is not a known key: did you mean "size"? (valid keys: accessMode, path, size, storageClass)',
    ]);
  });
});

describe('no silent drops: unknown keys are errors', () => {
  test('Components.certManager({ emial }) is an error, not issuers without an e-mail', () => {
    const fleet = platformFleet((p) => p.install(Components.certManager({ emial: 'ops@acme.dev' } as never)));
    expect(errorsOf(fleet)).toEqual([
      'c1/infrastructure/controllers: Components.certManager(...).emial is not a known key: did you mean "email"? (valid keys: chart, createNamespace, dependsOn, driftDetection, email, install, interval, issuer, issuers, name, namespace, namespaceMetadata, placement, releaseDefaults, releaseName, serviceAccountName, solvers, source, test, timeout, upgrade, values, valuesFile, valuesSchema, version)',
    ]);
  });

  test('a misspelt `values` of a Helm chart is an error', () => {
    const fleet = platformFleet((p) => p.install(Components.helm({ name: 'podinfo', namespace: 'podinfo', chart: { repository: 'oci://ghcr.io/stefanprodan/charts', name: 'podinfo', version: '6.9.0' }, valeus: { replicaCount: 2 } } as never)));
    expect(errorsOf(fleet)).toEqual([
      'c1/infrastructure/controllers/podinfo: valeus is not a known key: did you mean "values"? (valid keys: capabilities, chart, crds, createNamespace, dependsOn, driftDetection, install, interval, name, namespace, namespaceMetadata, placement, releaseDefaults, releaseName, retries, serviceAccountName, source, test, timeout, upgrade, values, valuesFile, valuesSchema)',
    ]);
  });

  test('a misspelt chart `version` is reported once, by its key (not again as a version left out or not pinned)', () => {
    const fleet = platformFleet((p) => p.install(Components.helm({ name: 'podinfo', namespace: 'podinfo', chart: { repository: 'oci://ghcr.io/stefanprodan/charts', name: 'podinfo', verison: '6.9.0' } } as never)));
    expect(errorsOf(fleet)).toEqual([
      'c1/infrastructure/controllers/podinfo: chart.verison is not a known key: did you mean "version"? (valid keys: name, repository, version)',
    ]);
  });

  test('nested options of a workload: resources, probes, ports', () => {
    const fleet = oneCluster((apps) => {
      new Worker(apps, 'app', { image: IMAGE, resources: { cpu: '100m', memroy: '128Mi' }, ports: [{ port: 8080, nmae: 'http' }] } as never);
    });
    expect(errorsOf(fleet)).toEqual(expect.arrayContaining([
      `${WORKER}: resources.memroy is not a known key: did you mean "memory"? (valid keys: cpu, cpuLimit, memory, memoryLimit)`,
      `${WORKER}: ports[0].nmae is not a known key: did you mean "name"? (valid keys: appProtocol, name, port, protocol, servicePort)`,
    ]));
  });

  test('a top-level typo of a workload, in every stage of a perStage value too', () => {
    const fleet = oneCluster((apps) => {
      new WebService(apps, 'app', { image: IMAGE, port: 8080, replicaz: 2, resources: perStage({ development: { cpu: '100m', memory: '1Gi' }, production: { cpuu: '1', memory: '1Gi' } }) } as never);
    });
    expect(errorsOf(fleet)).toEqual([
      `${WORKER}: replicaz is not a known key: did you mean "replicas"? (valid keys: ${['allowFrom', 'allowRoutesFrom', 'args', 'autoscaling', 'canaryOf', 'command', 'configFiles', 'egress', 'env', 'healthPath', 'host', 'image', 'name', 'paths', 'port', 'ports', 'probes', 'protocol', 'replicas', 'resources', 'rollingUpdate', 'routes', 'security', 'serviceAccount', 'shutdown', 'sidecars', 'timeouts', 'tls', 'volumes', 'weight', 'zoneSpread'].join(', ')})`,
      `${WORKER}: resources (production).cpuu is not a known key: did you mean "cpu"? (valid keys: cpu, cpuLimit, memory, memoryLimit)`,
    ]);
  });

  test('options given to factories (Autoscaling, Trigger, Probe) are reported by the workload using them', () => {
    const fleet = oneCluster((apps) => {
      new Worker(apps, 'app', {
        image: IMAGE,
        resources: { cpu: '100m', memory: '128Mi' },
        autoscaling: Autoscaling.events({ min: 1, max: 5, triggers: [Trigger.cron({ timezone: 'UTC', start: '0 8 * * *', end: '0 18 * * *', replica: 3 } as never)] }),
        probes: { readiness: Probe.tcp({ port: 8080, periodSecond: 5 } as never) },
      });
    });
    const errors = errorsOf(fleet);
    expect(errors).toContain(`${WORKER}: autoscaling: Autoscaling.events(...).triggers[0]: Trigger.cron(...).replica is not a known key: did you mean "replicas"? (valid keys: end, name, replicas, start, timezone)`);
    expect(errors).toContain(`${WORKER}: probes.readiness: Probe.tcp(...).periodSecond is not a known key: did you mean "periodSeconds"? (valid keys: failureThreshold, initialDelaySeconds, periodSeconds, port, successThreshold, timeoutSeconds)`);
  });

  test('Autoscaling.cpu with a misspelt option', () => {
    const fleet = oneCluster((apps) => {
      new Worker(apps, 'app', { image: IMAGE, resources: { cpu: '100m', memory: '128Mi' }, autoscaling: Autoscaling.cpu({ min: 1, max: 3, utilisation: 50 } as never) });
    });
    expect(errorsOf(fleet)).toContain(`${WORKER}: autoscaling: Autoscaling.cpu(...).utilisation is not a known key: did you mean "utilization"? (valid keys: averageValue, behavior, max, min, utilization)`);
  });

  test('tenants, node pools, the fleet and its clusters', () => {
    const fleet = new Fleet({ name: 'acme', domain: 'acme.dev', repositry: {} } as never);
    fleet.addLayer('monitoring', { intervall: '1h' } as never);
    fleet.addCluster('c1', { stage: Stage.PRODUCTION, region: 'eu-west-1', provider: Provider.aws({ storageClas: 'gp2' } as never), domian: 'x.dev' } as never);
    fleet.platform((p) => {
      p.addTenant('shop', { quota: { cpu: '2', memory: '4Gi', pod: 10 } } as never);
      new NodePool(p, 'general', { cpu: { min: 2, max: 8 }, memory: { min: '4Gi', max: '32Gi' }, limit: { cpu: '100' } } as never);
    });
    const errors = errorsOf(fleet);
    expect(errors).toEqual(expect.arrayContaining([
      'new Fleet(...).repositry is not a known key: did you mean "repository"? (valid keys: decryption, domain, layerSource, layers, name, outdir, projectRoot, repository, repositoryPath)',
      'fleet.addLayer("monitoring", ...).intervall is not a known key: did you mean "interval"? (valid keys: deletionPolicy, dependsOn, folderPerNamespace, force, healthCheckExprs, healthChecks, interval, name, postBuild, prune, retryInterval, serviceAccountName, source, suspend, targetNamespace, timeout, wait)',
      'c1: domian is not a known key: did you mean "domain"? (valid keys: decryption, domain, fluxLockdown, kubernetesVersion, layers, provider, region, stage, traffic)',
      expect.stringMatching(/^c1: provider: Provider\.aws\(\.\.\.\)\.storageClas is not a known key: did you mean "storageClass"\?/),
      'c1/infrastructure/configs/tenant-shop: quota.pod is not a known key: did you mean "pods"? (valid keys: cpu, memory, memoryLimit, pods, storage)',
      expect.stringMatching(/^c1\/infrastructure\/configs\/node-pool-general: limit is not a known key: did you mean "limits"\?/),
    ]));
  });
});
