import { ApiObject, JsonPatch } from 'cdk8s';
import { k8s } from 'cdk8s-plus-27';
import { spawnSync } from 'node:child_process';
import { HelmRelease, HelmReleaseSpecChartSpecSourceRefKind } from '../imports/flux-helm-helm.toolkit.fluxcd.io.js';
import { hasKnownFields, unknownFields } from '../lib/validate/fields.js';
import { CRD_KINDS } from '../lib/validate/models.js';
import { registeredKinds, schemaErrors, schemaOf } from '../lib/validate/schema.js';
import { fleetOf, reported, webWorkload } from './support/policy.js';

const deployment = (extra: Record<string, unknown>) => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'web', namespace: 'shop' },
  spec: { selector: { matchLabels: { a: 'b' } }, template: { metadata: { labels: { a: 'b' } }, spec: { containers: [{ name: 'app', image: 'web:1' }] } }, ...extra },
});

describe('unknown fields', () => {
  test('a typo in an escape-hatch patch on a cdk8s binding is an error, not silently dropped', () => {
    const fleet = fleetOf('production', (apps) => webWorkload(apps).deployment.addJsonPatch(JsonPatch.add('/spec/replicass', 3)));
    expect(reported(fleet)).toEqual([
      'error [] c/apps/shop/web: Deployment web: /spec/replicass is not a field of Deployment, so the cdk8s binding drops it (did you mean "replicas"?)',
    ]);
  });

  test('a patched JSON key whose binding prop is named differently, and a plain value for an IntOrString or Quantity, are errors', () => {
    const fleet = fleetOf('production', (apps) => {
      const w = webWorkload(apps);
      w.deployment.addJsonPatch(JsonPatch.add('/spec/template/spec/hostPID', true));
      w.deployment.addJsonPatch(JsonPatch.add('/spec/template/spec/containers/0/resources/limits/memory', '1Gi'));
      w.pdb.addJsonPatch(JsonPatch.replace('/spec/maxUnavailable', 2));
    });
    expect(reported(fleet)).toEqual([
      'error [] c/apps/shop/web: Deployment web: /spec/template/spec/containers/0/resources/limits/memory: the cdk8s binding drops this plain value; set it as k8s.IntOrString.fromNumber/fromString or k8s.Quantity.fromString (or the binding\'s own class)',
      'error [] c/apps/shop/web: Deployment web: /spec/template/spec/hostPID is not a field of Deployment, so the cdk8s binding drops it (the binding names this field "hostPid": patch that path instead)',
      'error [] c/apps/shop/web-pdb: PodDisruptionBudget web: /spec/maxUnavailable: the cdk8s binding drops this plain value; set it as k8s.IntOrString.fromNumber/fromString or k8s.Quantity.fromString (or the binding\'s own class)',
      // the dropped memory limit is then missing, as the resources rule says
      'error [resources] c/apps/shop/web: container "app" has no limits.memory',
    ]);
  });

  test('a typo on a CRD binding is an error too', () => {
    const fleet = fleetOf('production', () => undefined, (platform) => {
      const release = new HelmRelease(platform.controllers, 'metrics', {
        metadata: { name: 'metrics-server', namespace: 'flux-system' },
        spec: { interval: '1h', serviceAccountName: 'helm-controller', chart: { spec: { chart: 'metrics-server', sourceRef: { kind: HelmReleaseSpecChartSpecSourceRefKind.GIT_REPOSITORY, name: 'flux-system' } } } },
      });
      release.addJsonPatch(JsonPatch.add('/spec/valuez', { replicas: 2 }));
    });
    expect(reported(fleet)).toEqual([
      'error [] c/infrastructure/controllers/metrics: HelmRelease metrics-server: /spec/valuez is not a field of HelmRelease, so the cdk8s binding drops it (did you mean "values"?)',
    ]);
  });

  test('a plain ApiObject keeps the typo, and the schema check rejects it, nested too', () => {
    const fleet = fleetOf('production', (apps) => {
      new ApiObject(apps, 'raw', deployment({ replicass: 3 }));
      new ApiObject(apps, 'raw2', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' }, dataa: { a: '1' } });
    });
    expect(reported(fleet).filter((r) => r.includes('unknown field'))).toEqual([
      'error [] c/apps/shop/raw: Deployment web: schema apps/v1: /spec/replicass is an unknown field (did you mean "replicas"?)',
      'error [] c/apps/shop/raw2: ConfigMap c: schema v1: /dataa is an unknown field (did you mean "data"?)',
    ]);
    const nested = deployment({});
    (nested.spec.template.spec.containers[0] as Record<string, unknown>).imagePullPolicyy = 'Always';
    expect(unknownFields(nested)).toEqual(['/spec/template/spec/containers/0/imagePullPolicyy is an unknown field (did you mean "imagePullPolicy"?)']);
  });

  test('a field of a later Kubernetes release than the cluster runs is an error naming the release (the schema library is newer and accepts it)', () => {
    const service = { apiVersion: 'v1', kind: 'Service', metadata: { name: 's', namespace: 'x' }, spec: { ports: [{ port: 80 }], trafficDistribution: 'PreferClose' } };
    expect(schemaErrors(service, '1.29')).toEqual([
      "Service s: schema v1: /spec/trafficDistribution is a field of Kubernetes 1.30 and later, but this cluster runs 1.29: set the cluster's kubernetesVersion to 1.30 or later where it runs one, or remove the field",
    ]);
    expect(schemaErrors(service, '1.30')).toEqual([]);
  });

  test('free-form fields accept any key: labels, annotations, ConfigMap data, HelmRelease values', () => {
    expect(unknownFields({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', labels: { anything: 'x' }, annotations: { 'a/b': 'c' } }, data: { whatever: '1' } })).toEqual([]);
    expect(unknownFields({ apiVersion: 'helm.toolkit.fluxcd.io/v2', kind: 'HelmRelease', metadata: { name: 'h' }, spec: { interval: '1h', values: { deep: { any: [{ thing: 1 }] } } } })).toEqual([]);
  });

  test('a top-level sops key is known on Secrets only', () => {
    expect(unknownFields({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 's' }, sops: { version: '3' } })).toEqual([]);
    expect(unknownFields({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' }, sops: { version: '3' } })).toEqual([expect.stringMatching(/^\/sops is an unknown field/)]);
  });

  test('every kind strata bundles (core models, vendored CRDs) has a known-field tree (kinds registered from a CRD reject unknown fields through the CRD schema)', () => {
    const split = (k: string): [string, string] => [k.slice(0, k.lastIndexOf('/')), k.slice(k.lastIndexOf('/') + 1)];
    const models = registeredKinds().filter((k) => schemaOf(...split(k))?.source === 'kubernetes-models' || k in CRD_KINDS);
    expect(models.length).toBeGreaterThan(40);
    expect(models.filter((k) => !hasKnownFields(...split(k)))).toEqual([]);
  });

  test('the committed field tree matches a fresh derivation from cdk8s-plus-27 … cdk8s-plus-34 and imports/', () => {
    const result = spawnSync(process.execPath, ['scripts/known-fields.mjs', '--check'], { encoding: 'utf8' });
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
  });

  test('a valid manifest has no schema error; a wrong type still is one', () => {
    expect(schemaErrors(deployment({}))).toEqual([]);
    expect(schemaErrors(deployment({ replicas: 'three' }))).toEqual(['Deployment web: schema apps/v1: /spec/replicas must be integer']);
  });
});

describe('plain k8s bindings', () => {
  test('a KubeConfigMap renders with no finding', () => {
    expect(reported(fleetOf('production', (apps) => new k8s.KubeConfigMap(apps, 'c', { metadata: { name: 'c' }, data: { a: '1' } })))).toEqual([]);
  });
});
