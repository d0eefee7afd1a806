// Where the schemas come from (issue 17 item 4): Kubernetes kinds from kubernetes-models 4.5.1,
// which supports the Node version strata requires; the custom resources of strata's components
// from the CRDs' own openAPIV3Schema, vendored in lib/validate/crd-schemas.ts from the pinned CRDs
// of cdk8s.yaml (External Secrets and prometheus-operator from their pinned types).
import { describe, expect, test } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import semver from 'semver';
import { parse } from 'yaml';
import { CRD_SCHEMAS } from '../lib/validate/crd-schemas.js';
import { registerCustomResourceDefinition, registeredKinds, schemaErrors } from '../lib/validate/schema.js';

const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as { engines: { node: string }; dependencies: Record<string, string> };
const lock = JSON.parse(readFileSync('package-lock.json', 'utf8')) as { packages: Record<string, { engines?: unknown; version?: string }> };

describe('honest requirements', () => {
  test('every installed package supports the oldest Node that engines.node admits (npm ci prints no EBADENGINE)', () => {
    const oldest = semver.minVersion(pkg.engines.node)!.version;
    expect(oldest).toBe('20.19.0');
    const refusing = Object.entries(lock.packages)
      .filter(([, p]) => typeof (p.engines as { node?: unknown } | undefined)?.node === 'string')
      .filter(([, p]) => !semver.satisfies(oldest, (p.engines as { node: string }).node))
      .map(([name, p]) => `${name} ${(p.engines as { node: string }).node}`);
    expect(refusing).toEqual([]);
  });

  test('no schema model package is a dependency: only kubernetes-models 4.5.1 for Kubernetes kinds', () => {
    expect(Object.keys(pkg.dependencies).filter((d) => d.startsWith('@kubernetes-models/'))).toEqual([]);
    expect(pkg.dependencies['kubernetes-models']).toBe('4.5.1');
  });
});

describe('vendored CRD schemas', () => {
  const config = parse(readFileSync('cdk8s.yaml', 'utf8')) as { imports: string[] };
  const urls = config.imports.map((e) => e.split(':=').at(-1)!).filter((s) => s.startsWith('https://'));

  test('come from exactly the CRDs cdk8s.yaml pins (and the pinned types of External Secrets and prometheus-operator)', () => {
    const sources = new Set(Object.values(CRD_SCHEMAS).map((e) => e.source));
    expect([...sources].filter((s) => !urls.includes(s)).sort()).toEqual([
      '@kubernetes-models/external-secrets@2.0.0 (types)',
      '@kubernetes-models/prometheus-operator@6.0.0 (types)',
    ]);
    expect(urls.filter((u) => !sources.has(u))).toEqual([]);
  });

  test('every kind strata validated with a model package is still registered, with its scope', () => {
    const before = [
      'v1/ConfigMap', 'v1/Pod', 'v1/LimitRange', 'v1/Namespace', 'v1/PersistentVolumeClaim', 'v1/ResourceQuota', 'v1/Secret', 'v1/Service', 'v1/ServiceAccount',
      'apps/v1/DaemonSet', 'apps/v1/Deployment', 'apps/v1/StatefulSet', 'batch/v1/CronJob', 'batch/v1/Job', 'autoscaling/v2/HorizontalPodAutoscaler',
      'policy/v1/PodDisruptionBudget', 'networking.k8s.io/v1/Ingress', 'networking.k8s.io/v1/IngressClass', 'networking.k8s.io/v1/NetworkPolicy',
      'rbac.authorization.k8s.io/v1/ClusterRole', 'rbac.authorization.k8s.io/v1/ClusterRoleBinding', 'rbac.authorization.k8s.io/v1/Role',
      'rbac.authorization.k8s.io/v1/RoleBinding', 'storage.k8s.io/v1/StorageClass', 'scheduling.k8s.io/v1/PriorityClass',
      'apiextensions.k8s.io/v1/CustomResourceDefinition', 'kustomize.toolkit.fluxcd.io/v1/Kustomization', 'source.toolkit.fluxcd.io/v1/GitRepository',
      'source.toolkit.fluxcd.io/v1/HelmRepository', 'source.toolkit.fluxcd.io/v1/OCIRepository', 'helm.toolkit.fluxcd.io/v2/HelmRelease',
      'notification.toolkit.fluxcd.io/v1beta3/Alert', 'notification.toolkit.fluxcd.io/v1beta3/Provider', 'keda.sh/v1alpha1/ClusterTriggerAuthentication',
      'keda.sh/v1alpha1/ScaledJob', 'keda.sh/v1alpha1/ScaledObject', 'keda.sh/v1alpha1/TriggerAuthentication', 'karpenter.sh/v1/NodePool',
      'karpenter.k8s.aws/v1/EC2NodeClass', 'cert-manager.io/v1/Certificate', 'cert-manager.io/v1/ClusterIssuer', 'cert-manager.io/v1/Issuer',
      'gateway.networking.k8s.io/v1/GRPCRoute', 'gateway.networking.k8s.io/v1/Gateway', 'gateway.networking.k8s.io/v1/GatewayClass',
      'gateway.networking.k8s.io/v1/HTTPRoute', 'gateway.networking.k8s.io/v1/ReferenceGrant', 'external-secrets.io/v1/ClusterSecretStore',
      'external-secrets.io/v1/ExternalSecret', 'external-secrets.io/v1/SecretStore', 'monitoring.coreos.com/v1/PodMonitor', 'monitoring.coreos.com/v1/ServiceMonitor',
    ];
    expect(before.filter((k) => !registeredKinds().includes(k))).toEqual([]);
    const scopes = Object.fromEntries(Object.entries(CRD_SCHEMAS).filter(([, e]) => e.scope === 'Cluster').map(([k]) => [k, true]));
    expect(Object.keys(scopes).sort()).toEqual([
      'cert-manager.io/v1/ClusterIssuer', 'external-secrets.io/v1/ClusterSecretStore', 'gateway.networking.k8s.io/v1/GatewayClass',
      'gateway.networking.k8s.io/v1beta1/GatewayClass', 'karpenter.k8s.aws/v1/EC2NodeClass', 'karpenter.sh/v1/NodePool', 'keda.sh/v1alpha1/ClusterTriggerAuthentication',
    ]);
  });

  test('the committed compiled validators match a fresh compilation of the committed schemas', () => {
    const result = spawnSync(process.execPath, ['scripts/run.mjs', 'scripts/crd-validators.ts', '--check'], { encoding: 'utf8' });
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
  }, 180_000);

  test('the heap holds the code of the kinds validated, not of every vendored kind (5 MB in every thread)', () => {
    const result = spawnSync(process.execPath, ['scripts/run.mjs', 'test/fixtures/heap/validator-strings.ts'], { encoding: 'utf8' });
    expect(result.stderr).toBe('');
    // One Kustomization validated: the code of its kind, of the 30 (all 30, made at load, before).
    expect(JSON.parse(result.stdout)).toEqual({ errors: [], validatorCode: 1 });
  }, 60_000);

  test("a CRD's own constraints are checked: patterns, enums, bounds, required fields", () => {
    const kustomization = (spec: Record<string, unknown>) => ({ apiVersion: 'kustomize.toolkit.fluxcd.io/v1', kind: 'Kustomization', metadata: { name: 'k', namespace: 'flux-system' }, spec });
    const valid = { interval: '10m', prune: true, sourceRef: { kind: 'GitRepository', name: 'repo' } };
    expect(schemaErrors(kustomization(valid))).toEqual([]);
    expect(schemaErrors(kustomization({ ...valid, interval: '10 minutes', sourceRef: { kind: 'Repo', name: 'repo' } }))).toEqual([
      'Kustomization k: schema kustomize.toolkit.fluxcd.io/v1: /spec/interval must match pattern "^([0-9]+(\\.[0-9]+)?(ms|s|m|h))+$"',
      'Kustomization k: schema kustomize.toolkit.fluxcd.io/v1: /spec/sourceRef/kind must be equal to one of the allowed values (valid: OCIRepository, GitRepository, Bucket, ExternalArtifact)',
    ]);
    expect(schemaErrors(kustomization({ interval: '10m' }))).toEqual([
      "Kustomization k: schema kustomize.toolkit.fluxcd.io/v1: /spec must have required property 'prune'",
      "Kustomization k: schema kustomize.toolkit.fluxcd.io/v1: /spec must have required property 'sourceRef'",
    ]);
  });

  test('External Secrets kinds (from their pinned types): value types, enums and unknown fields', () => {
    const externalSecret = (spec: Record<string, unknown>) => ({ apiVersion: 'external-secrets.io/v1', kind: 'ExternalSecret', metadata: { name: 'db', namespace: 'shop' }, spec });
    expect(schemaErrors(externalSecret({ secretStoreRef: { kind: 'ClusterSecretStore', name: 'aws' }, target: { creationPolicy: 'Owner' } }))).toEqual([]);
    expect(schemaErrors(externalSecret({ secretStoreRef: { kind: 'ClusterSecretStore', name: 'aws' }, target: { creationPolicy: 'Always' } }))).toEqual([
      'ExternalSecret db: schema external-secrets.io/v1: /spec/target/creationPolicy must be equal to one of the allowed values (valid: Merge, None, Orphan, Owner)',
    ]);
  });

  test('a core kind is validated against the Kubernetes 1.33 OpenAPI: a container stopSignal (new in 1.33) is checked against its enum', () => {
    const pod = (stopSignal: string) => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'x' }, spec: { containers: [{ name: 'app', image: 'app:1', lifecycle: { stopSignal } }] } });
    expect(schemaErrors(pod('SIGTERM'), '1.33')).toEqual([]);
    expect(schemaErrors(pod('SIGSTOPP'), '1.33')).toEqual([
      expect.stringMatching(/^Pod p: schema v1: \/spec\/containers\/0\/lifecycle\/stopSignal must be equal to one of the allowed values \(valid: SIGABRT, .*SIGTERM.*\)$/),
    ]);
  });
});

describe('formats of a CRD schema, as the API server checks them', () => {
  const crd = {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: 'probes.formats.dev' },
    spec: {
      group: 'formats.dev',
      names: { kind: 'Probe', plural: 'probes' },
      scope: 'Namespaced',
      versions: [{
        name: 'v1', served: true, storage: true,
        schema: {
          openAPIV3Schema: {
            type: 'object',
            properties: {
              spec: {
                type: 'object',
                properties: {
                  port: { type: 'integer', format: 'int32' },
                  size: { type: 'integer', format: 'int64' },
                  caBundle: { type: 'string', format: 'byte' },
                  at: { type: 'string', format: 'date-time' },
                  v4: { type: 'string', format: 'ipv4' },
                  v6: { type: 'string', format: 'ipv6' },
                  hostname: { type: 'string', format: 'hostname' },
                },
              },
            },
          },
        },
      }],
    },
  };
  registerCustomResourceDefinition(crd, 'formats.yaml');
  const probe = (spec: Record<string, unknown>) => schemaErrors({ apiVersion: 'formats.dev/v1', kind: 'Probe', metadata: { name: 'p', namespace: 'x' }, spec });

  test('valid values pass; a format it does not check (hostname) accepts anything, as before', () => {
    expect(probe({ port: 2147483647, size: 2 ** 40, caBundle: 'aGVsbG8=', at: '2026-11-30T04:00:00Z', v4: '10.0.0.1', v6: '2001:db8::1', hostname: '-not a host-' })).toEqual([]);
    expect(probe({ v6: '::ffff:10.0.0.1' })).toEqual([]);
  });

  test('int32, byte, date-time, ipv4 and ipv6 violations are errors', () => {
    expect(probe({ port: 2147483648, caBundle: 'not base64!', at: '30.11.2026', v4: '10.0.0.256', v6: '2001:db8:::1' })).toEqual([
      'Probe p: schema formats.dev/v1: /spec/port must match format "int32"',
      'Probe p: schema formats.dev/v1: /spec/caBundle must match format "byte"',
      'Probe p: schema formats.dev/v1: /spec/at must match format "date-time"',
      'Probe p: schema formats.dev/v1: /spec/v4 must match format "ipv4"',
      'Probe p: schema formats.dev/v1: /spec/v6 must match format "ipv6"',
    ]);
  });
});
