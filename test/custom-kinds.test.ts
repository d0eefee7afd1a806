// Any custom kind: CRDs named in cdk8s.yaml validate their objects (synth and `npm run validate`
// alike), the kinds strata's catalog installs are known, and the unchecked escape is visible.
import { describe, expect, jest, test } from '@jest/globals';
import { ApiObject } from 'cdk8s';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  Fleet, Provider, Stage, Testing, UNCHECKED_ANNOTATION, isClusterScoped, loadProjectSchemas, markUnchecked,
  Components, registerCustomResourceDefinition, summarize, totalsOf, validateDist, type Apps, type Manifest, type Platform,
} from '../lib/index.js';
import { schemaErrors } from '../lib/validate/schema.js';
import { errorsOf } from './support/errors.js';

const WIDGET_CRD = join('test', 'fixtures', 'crds', 'widgets.example.com.yaml');

/** A project folder whose cdk8s.yaml names the widget CRD, as a user's repository would. */
function project(): string {
  const root = mkdtempSync(join(tmpdir(), 'strata-project-'));
  mkdirSync(join(root, 'crds'));
  copyFileSync(WIDGET_CRD, join(root, 'crds', 'widgets.example.com.yaml'));
  writeFileSync(join(root, 'cdk8s.yaml'), 'language: typescript\napp: node main.js\nimports:\n  - widgets:=crds/widgets.example.com.yaml\n  - keda:=https://example.com/keda.yaml\n');
  return root;
}

function fleetIn(root: string, define: (apps: Apps) => void, outdir?: string, platform?: (p: Platform) => void): Fleet {
  const fleet = new Fleet({ name: 'acme', projectRoot: root, outdir });
  fleet.addCluster('dev', { stage: Stage.DEVELOPMENT, region: 'eu', provider: Provider.aws() });
  if (platform) fleet.platform(platform);
  // The namespace, declared where its objects are: a cluster-scoped object inside a namespace scope.
  fleet.apps('tools', (apps) => {
    new ApiObject(apps, 'namespace', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'tools' } });
    define(apps);
  });
  return fleet;
}

const widget = (apps: Apps, id: string, spec: Record<string, unknown>): ApiObject =>
  new ApiObject(apps, id, { apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: id }, spec });

const object = (objects: readonly Manifest[], kind: string, name: string): Manifest | undefined =>
  objects.find((o) => o.kind === kind && o.metadata.name === name);

describe('a CRD named in cdk8s.yaml', () => {
  const root = project();

  test('is registered from the repository file; URL entries are left to `npm run import`', () => {
    const loaded = loadProjectSchemas(root);
    expect(loaded).toEqual({ kinds: ['example.com/v1/Widget', 'example.com/v1/WidgetClass'], files: ['crds/widgets.example.com.yaml'], findings: [] });
    expect(isClusterScoped('example.com/v1', 'WidgetClass')).toBe(true);
    expect(isClusterScoped('example.com/v1', 'Widget')).toBe(false);
  });

  test('validates its objects: a typo is an unknown field, wrong types and values are errors', () => {
    const errors = errorsOf(fleetIn(root, (apps) => {
      widget(apps, 'typo', { replicas: 1, replicass: 2 });
      widget(apps, 'types', { replicas: 'two', mode: 'quick', labels: { a: 1 } });
      widget(apps, 'missing', {});
    }));
    expect(errors).toEqual([
      'dev/apps/tools/typo: Widget typo: schema example.com/v1: /spec/replicass is an unknown field (did you mean "replicas"?)',
      'dev/apps/tools/types: Widget types: schema example.com/v1: /spec/replicas must be integer',
      'dev/apps/tools/types: Widget types: schema example.com/v1: /spec/mode must be equal to one of the allowed values (valid: fast, safe)',
      'dev/apps/tools/types: Widget types: schema example.com/v1: /spec/labels/a must be string',
      "dev/apps/tools/missing: Widget missing: schema example.com/v1: /spec must have required property 'replicas'",
    ]);
  });

  test('int-or-string, preserved unknown fields, embedded resources and nullable values pass as the API server takes them', () => {
    const { objects } = Testing.synth(fleetIn(root, (apps) => {
      widget(apps, 'number', { replicas: 1, size: 3, settings: { anything: { goes: true } }, note: null });
      widget(apps, 'text', { replicas: 1, size: '50%', template: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x' }, data: { a: 'b' } } });
    }), { cluster: 'dev', layer: 'apps' });
    expect(object(objects, 'Widget', 'number')?.spec).toEqual({ replicas: 1, size: 3, settings: { anything: { goes: true } } });
    expect(object(objects, 'Widget', 'text')?.metadata.namespace).toBe('tools');
  });

  test('its cluster-scoped kinds get no namespace inside fleet.apps and land in _cluster/', () => {
    const { files, objects } = Testing.synth(fleetIn(root, (apps) => {
      new ApiObject(apps, 'standard', { apiVersion: 'example.com/v1', kind: 'WidgetClass', metadata: { name: 'standard' }, spec: { controller: 'x' } });
    }), { cluster: 'dev', layer: 'apps' });
    expect(object(objects, 'WidgetClass', 'standard')?.metadata).not.toHaveProperty('namespace');
    expect(Object.keys(files)).toContain('dev/apps/tools/_cluster/widgetclass-standard.yaml');
  });

  test('`npm run validate` reads the same cdk8s.yaml: it accepts what the synth wrote, and rejects it without the CRD', () => {
    const out = join(root, 'dist');
    jest.spyOn(console, 'log').mockImplementation(() => undefined);
    expect(fleetIn(root, (apps) => {
      widget(apps, 'ok', { replicas: 1 });
      new ApiObject(apps, 'standard', { apiVersion: 'example.com/v1', kind: 'WidgetClass', metadata: { name: 'standard' } });
      markUnchecked(new ApiObject(apps, 'probe', { apiVersion: 'vendor.io/v1', kind: 'Probe', metadata: { name: 'probe' } }), 'vendor publishes no CRD');
    }, out).synth()).toBeDefined();
    jest.restoreAllMocks();
    expect(validateDist(out, { root }).exitCode).toBe(0);
    // A fresh process, as CI runs it: with the project's cdk8s.yaml, and with one that does not name the CRD.
    const run = (projectRoot: string) => spawnSync(process.execPath, ['scripts/run.mjs', 'lib/validate/cli.ts', out, '--root', projectRoot], { encoding: 'utf8' });
    const withCrd = run(root);
    expect(withCrd.status).toBe(0);
    expect(withCrd.stdout).toContain('(1 unchecked) in');
    expect(withCrd.stdout).toContain('unchecked (not schema-validated): dev/apps/tools/probe: vendor publishes no CRD');
    const without = mkdtempSync(join(tmpdir(), 'strata-project-'));
    const rejected = run(without);
    expect(rejected.status).toBe(1);
    expect(rejected.stderr).toContain('Widget ok: no schema is known for example.com/v1 Widget');
    // Without the CRD's scope, WidgetClass is taken as namespaced: what the synth wrote would not be accepted.
    expect(rejected.stderr).toContain('WidgetClass standard is namespaced but has no namespace');
  });

  test('a file outside the repository or missing, or a document that is not a CRD, is an error on cdk8s.yaml', () => {
    const bad = mkdtempSync(join(tmpdir(), 'strata-project-'));
    writeFileSync(join(bad, 'not-a-crd.yaml'), 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n');
    writeFileSync(join(bad, 'cdk8s.yaml'), 'imports:\n  - a:=/elsewhere/crds/a.yaml\n  - b:=crds/missing.yaml\n  - c:=not-a-crd.yaml\n');
    expect(loadProjectSchemas(bad).findings.map((f) => `${f.path}: ${f.message}`)).toEqual([
      'cdk8s.yaml: imports: /elsewhere/crds/a.yaml is outside the repository: commit a pinned copy of the CRD (e.g. under crds/) and name that file',
      'cdk8s.yaml: imports: crds/missing.yaml does not exist',
      'cdk8s.yaml: imports: not-a-crd.yaml: not a CustomResourceDefinition (kind "ConfigMap")',
    ]);
    const fleet = new Fleet({ name: 'acme', projectRoot: bad });
    fleet.addCluster('dev', { stage: Stage.DEVELOPMENT, region: 'eu', provider: Provider.aws() });
    expect(errorsOf(fleet)).toContain('cdk8s.yaml: imports: crds/missing.yaml does not exist');
  });
});

describe('registerCustomResourceDefinition', () => {
  test('registers a CRD from YAML text (a file or URL content) and validates with it', () => {
    const crd = readFileSync(WIDGET_CRD, 'utf8').replace(/example\.com/g, 'gadgets.dev').replace(/Widget/g, 'Gadget');
    const gadget = (spec: unknown): Manifest => ({ apiVersion: 'gadgets.dev/v1', kind: 'Gadget', metadata: { name: 'g', namespace: 'tools' }, spec });
    expect(schemaErrors(gadget({ replicas: 1 }))).toEqual([expect.stringContaining('no schema is known for gadgets.dev/v1 Gadget')]);
    expect(registerCustomResourceDefinition(crd, 'gadgets.yaml')).toEqual(['gadgets.dev/v1/Gadget', 'gadgets.dev/v1/GadgetClass']);
    expect(schemaErrors(gadget({ replicas: 1 }))).toEqual([]);
    expect(schemaErrors(gadget({ replicas: 1, sise: 2 }))).toEqual(['Gadget g: schema gadgets.dev/v1: /spec/sise is an unknown field (did you mean "size"?)']);
  });

  test('refuses what is not an apiextensions.k8s.io/v1 CustomResourceDefinition', () => {
    expect(() => registerCustomResourceDefinition('a: [', 'broken.yaml')).toThrow(/^broken\.yaml: invalid YAML: /);
    expect(() => registerCustomResourceDefinition({ apiVersion: 'apiextensions.k8s.io/v1beta1', kind: 'CustomResourceDefinition', spec: { names: {} } }, 'old.yaml')).toThrow(
      'old.yaml: CustomResourceDefinition apiextensions.k8s.io/v1beta1 is not apiextensions.k8s.io/v1',
    );
    expect(() => registerCustomResourceDefinition({ apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', spec: { names: { kind: 'X' }, group: 'x.dev', versions: [] } }, 'x.yaml')).toThrow(
      'x.yaml: CustomResourceDefinition needs spec.group, spec.names.kind, spec.scope (Namespaced or Cluster) and spec.versions',
    );
  });
});

describe('kinds strata knows without a project CRD', () => {
  const root = mkdtempSync(join(tmpdir(), 'strata-project-'));

  test('ExternalSecret, ClusterSecretStore, ServiceMonitor, PodMonitor and v1 Pod validate; the store lands in _cluster/', () => {
    const { files, objects } = Testing.synth(fleetIn(root, (apps) => {
      new ApiObject(apps, 'store', { apiVersion: 'external-secrets.io/v1', kind: 'ClusterSecretStore', metadata: { name: 'vault' }, spec: { provider: { fake: { data: [{ key: 'k', value: 'v' }] } } } });
      new ApiObject(apps, 'secret', {
        apiVersion: 'external-secrets.io/v1', kind: 'ExternalSecret', metadata: { name: 'db' },
        spec: { secretStoreRef: { kind: 'ClusterSecretStore', name: 'vault' }, target: { name: 'db' }, data: [{ secretKey: 'password', remoteRef: { key: 'k' } }] },
      });
      new ApiObject(apps, 'monitor', { apiVersion: 'monitoring.coreos.com/v1', kind: 'ServiceMonitor', metadata: { name: 'web' }, spec: { selector: { matchLabels: { app: 'web' } }, endpoints: [{ port: 'http' }] } });
      new ApiObject(apps, 'pods', { apiVersion: 'monitoring.coreos.com/v1', kind: 'PodMonitor', metadata: { name: 'web' }, spec: { selector: { matchLabels: { app: 'web' } }, podMetricsEndpoints: [{ port: 'http' }] } });
      new ApiObject(apps, 'debug', {
        apiVersion: 'v1', kind: 'Pod', metadata: { name: 'debug', labels: { 'app.kubernetes.io/name': 'debug' } },
        spec: {
          securityContext: { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } },
          containers: [{
            name: 'c', image: 'busybox:1.36',
            resources: { requests: { cpu: '10m', memory: '16Mi' }, limits: { memory: '16Mi' } },
            securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } },
          }],
        },
      });
    }, undefined, (p) => p.install(Components.externalSecrets())), { cluster: 'dev', layer: 'apps' });
    expect(object(objects, 'ClusterSecretStore', 'vault')?.metadata).not.toHaveProperty('namespace');
    expect(Object.keys(files)).toContain('dev/apps/tools/_cluster/clustersecretstore-vault.yaml');
    expect(object(objects, 'ExternalSecret', 'db')?.metadata.namespace).toBe('tools');
  });

  test('their schemas find mistakes: a wrong type, a typo in an ExternalSecret and a ServiceMonitor, a Pod field the API does not know', () => {
    const errors = errorsOf(fleetIn(root, (apps) => {
      new ApiObject(apps, 'secret', { apiVersion: 'external-secrets.io/v1', kind: 'ExternalSecret', metadata: { name: 'db' }, spec: { refreshInterval: 5, secretStoreRef: { nmae: 'vault' } } });
      new ApiObject(apps, 'monitor', { apiVersion: 'monitoring.coreos.com/v1', kind: 'ServiceMonitor', metadata: { name: 'web' }, spec: { selector: {}, endpoints: [{ port: 'http', intervall: '30s' }] } });
      new ApiObject(apps, 'pod', { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: { containers: [{ name: 'c', image: 'busybox:1.36' }], restartPolicyy: 'Never' } });
    }, undefined, (p) => p.install(Components.externalSecrets())));
    expect(errors).toContain('dev/apps/tools/secret: ExternalSecret db: schema external-secrets.io/v1: /spec/refreshInterval must be string');
    expect(errors).toContain('dev/apps/tools/secret: ExternalSecret db: schema external-secrets.io/v1: /spec/secretStoreRef/nmae is an unknown field (did you mean "name"?)');
    expect(errors).toContainEqual(expect.stringMatching(/^dev\/apps\/tools\/monitor: ServiceMonitor web: schema monitoring.coreos.com\/v1: \/spec\/endpoints\/0\/intervall is an unknown field \(did you mean "interval"\?\)$/));
    expect(errors).toContainEqual(expect.stringMatching(/^dev\/apps\/tools\/pod: Pod p: schema v1: \/spec\/restartPolicyy is an unknown field \(did you mean "restartPolicy"\?\)$/));
  });
});

describe('markUnchecked', () => {
  const root = mkdtempSync(join(tmpdir(), 'strata-project-'));
  const probe = (apps: Apps, id: string) => new ApiObject(apps, id, { apiVersion: 'vendor.io/v1', kind: 'Probe', metadata: { name: id }, spec: { anything: true } });

  test('without a schema or the mark, an object of an unknown kind is an error saying how to fix it', () => {
    expect(errorsOf(fleetIn(root, (apps) => void probe(apps, 'p')))).toEqual([
      'dev/apps/tools/p: Probe p: no schema is known for vendor.io/v1 Probe, so it cannot be validated: name its CustomResourceDefinition file in cdk8s.yaml (imports), register it with registerCustomResourceDefinition, or mark the object with markUnchecked(obj, reason)',
    ]);
  });

  test('marks the object with its reason in the output, and the synth summary counts it', () => {
    const rendered = fleetIn(root, (apps) => void markUnchecked(probe(apps, 'p'), 'vendor publishes no CRD')).render();
    const probeObject = rendered.model.clusters[0].folders.flatMap((f) => f.objects).find((o) => o.manifest.kind === 'Probe');
    expect(probeObject?.manifest.metadata.annotations).toEqual({ [UNCHECKED_ANNOTATION]: 'vendor publishes no CRD' });
    expect(summarize(totalsOf(rendered.model), rendered.files.size, 0, 'dist')).toMatch(/, \d+ objects \(1 unchecked\), /);
  });

  test('an empty reason is an error', () => {
    expect(errorsOf(fleetIn(root, (apps) => void markUnchecked(probe(apps, 'p'), ' ')))).toContain(
      'dev/apps/tools/p: markUnchecked(Probe "p"): reason " " is empty: say why the object cannot be schema-checked',
    );
  });

  test('a synth lists every unchecked object with its reason', () => {
    const logs: string[] = [];
    jest.spyOn(console, 'log').mockImplementation((m: string) => void logs.push(m));
    const quiet = process.env.STRATA_QUIET;
    delete process.env.STRATA_QUIET;
    try {
      fleetIn(root, (apps) => void markUnchecked(probe(apps, 'p'), 'vendor publishes no CRD'), join(root, 'dist')).synth();
    } finally {
      process.env.STRATA_QUIET = quiet;
      jest.restoreAllMocks();
    }
    expect(logs.join('\n')).toMatch(/objects \(1 unchecked\)/);
    expect(logs.join('\n')).toContain('unchecked (not schema-validated): dev/apps/tools/p: vendor publishes no CRD');
  });
});
