// Strange but legal JavaScript is a collected, clear error or a correct round-trip, never a crash:
// objects without a prototype, own keys named `__proto__` or `constructor`, empty names and names
// of Object.prototype members, NaN.
import { ApiObject, JsonPatch } from 'cdk8s';
import { parse } from 'yaml';
import { Components, Fleet, Provider, Stage, WebService } from '../lib/index.js';
import { show } from '../lib/fleet/errors.js';
import { errorsOf, oneCluster } from './support/fleets.js';

const BASE = { image: 'ghcr.io/acme/web:1.4.2', port: 8080, resources: { cpu: '250m', memory: '256Mi' } } as const;
const RESERVED = 'is reserved: the constructs library takes ids named like members of Object.prototype (constructor, toString, __proto__, ...) for existing children; choose another';

/** The parsed YAML of the rendered file whose path ends with `suffix`. */
function renderedFile(fleet: Fleet, suffix: string): Record<string, any> {
  const files = fleet.render().files;
  const path = [...files.keys()].find((p) => p.endsWith(suffix));
  if (!path) throw new Error(`no file ${suffix} among ${[...files.keys()].join(', ')}`);
  return parse(files.get(path)!, { version: '1.1' });
}

function nullProto<T extends object>(value: T): T {
  return Object.assign(Object.create(null), value);
}

function metricsServerWith(values: Record<string, unknown>): Fleet {
  const fleet = oneCluster(() => undefined, { platform: false });
  fleet.platform((p) => p.install(Components.metricsServer({ values })));
  return fleet;
}

describe('strange but legal JavaScript', () => {
  test('Helm values without a prototype render like plain ones (cdk8s threw a TypeError)', () => {
    const plain = renderedFile(metricsServerWith({ a: 1, nested: { b: [nullProto({ c: 'd' })] } }), 'helmrelease-metrics-server.yaml');
    const bare = renderedFile(metricsServerWith(nullProto({ a: 1, nested: nullProto({ b: [nullProto({ c: 'd' })] }) })), 'helmrelease-metrics-server.yaml');
    expect(bare.spec.values).toEqual(plain.spec.values);
    expect(bare.spec.values).toMatchObject({ a: 1, nested: { b: [{ c: 'd' }] } });
  });

  test('an own key __proto__ survives in Helm values and ConfigMap data; constructor too', () => {
    const values = renderedFile(metricsServerWith(JSON.parse('{"__proto__": {"a": 1}, "b": 2}')), 'helmrelease-metrics-server.yaml').spec.values;
    expect(Object.getOwnPropertyDescriptor(values, '__proto__')?.value).toEqual({ a: 1 });
    expect(values.b).toBe(2);
    const fleet = oneCluster((apps) => void new ApiObject(apps, 'c', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' }, data: JSON.parse('{"__proto__": "x", "constructor": "y", "a": "z"}') }));
    const data = renderedFile(fleet, 'configmap-c.yaml').data;
    expect(Object.entries(data)).toEqual([['__proto__', 'x'], ['a', 'z'], ['constructor', 'y']]);
  });

  test('an own key __proto__ in config files reaches the ConfigMap', () => {
    const files = JSON.parse('{"__proto__": "x = 1", "app.conf": "y = 2"}');
    const fleet = oneCluster((apps) => void new WebService(apps, 'web', { ...BASE, configFiles: { path: '/etc/web', files } }));
    expect(Object.entries(renderedFile(fleet, 'configmap-web-config.yaml').data)).toEqual([['__proto__', 'x = 1'], ['app.conf', 'y = 2']]);
  });

  test('an own key __proto__ in annotations is a clear error (not a qualified name), not a silent loss', () => {
    const fleet = oneCluster((apps) => void new ApiObject(apps, 'c', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', annotations: JSON.parse('{"__proto__": "x"}') } }));
    expect(errorsOf(fleet)).toEqual(['dev-eu/apps/shop/c: metadata.annotations: key "__proto__" has a name part that is not 1-63 letters, digits, "-", "_" or ".", starting and ending with a letter or digit']);
  });

  test.each(['', 'constructor', '__proto__', 'valueOf'])('cluster, namespace, workload and component named %j are collected errors', (name) => {
    const what = (label: string) => (name === '' ? `${label} is empty` : `${label} ${show(name)} ${RESERVED}`);
    const fleet = new Fleet({ name: 'acme' });
    fleet.addCluster(name, { stage: Stage.DEVELOPMENT, region: 'eu', provider: Provider.aws() });
    expect(errorsOf(fleet)).toContain(`(${name}): ${what('cluster name')}`);

    expect(errorsOf(oneCluster(() => undefined, { tenants: [name], platform: false }))).toContain(`dev-eu/apps/(${name}): ${what('namespace')}`);
    expect(errorsOf(oneCluster((apps) => void new WebService(apps, name, BASE)))).toEqual([`dev-eu/apps/shop/(${name}): ${what('WebService id')}`]);
    const component = oneCluster(() => undefined, { platform: false });
    component.platform((p) => p.install(Components.helm({ name, namespace: 'podinfo', chart: { repository: 'oci://ghcr.io/stefanprodan/charts', name: 'podinfo', version: '6.9.0' } })));
    expect(errorsOf(component)).toContain(`dev-eu/infrastructure/controllers/(${name}): ${what('component name')}`);
  });

  test('a hand-written object with a reserved or empty id is a collected error naming the id', () => {
    expect(errorsOf(oneCluster((apps) => void new ApiObject(apps, 'constructor', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' } })))).toEqual([
      `dev-eu: construct id "constructor" in Apps [shop] ${RESERVED}`,
    ]);
    expect(errorsOf(oneCluster((apps) => void new ApiObject(apps, '', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' } })))).toEqual([
      'dev-eu: a construct id is empty: every construct inside the fleet needs a non-empty id',
    ]);
  });

  test('a JSON patch that does not apply is named, not reported as a TypeError inside cdk8s', () => {
    const fleet = oneCluster((apps) => new ApiObject(apps, 'c', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' } }).addJsonPatch(JsonPatch.add('/spec/template/x', 1)));
    expect(errorsOf(fleet)).toEqual([expect.stringMatching(/^dev-eu\/apps\/shop\/c: ConfigMap c: JSON patch add \/spec\/template\/x does not apply \(.+\): every part of the path but the last must exist$/)]);
  });

  test('a layer path segment named like an Object.prototype member is an invalid layer path', () => {
    const fleet = oneCluster(() => undefined, { platform: false });
    fleet.addLayer('constructor');
    expect(errorsOf(fleet)).toContain('dev-eu: layer path "constructor" is invalid: use DNS-1123 labels joined by \'/\', e.g. "infrastructure/controllers"');
  });

  test('show() says what JSON cannot: NaN, Infinity, -0, undefined, bigint, objects without a prototype, cycles', () => {
    const cycle: Record<string, unknown> = { a: 1 };
    cycle.self = cycle;
    expect([show(NaN), show(-Infinity), show(-0), show(undefined), show(12n), show({ a: NaN, b: undefined }), show([NaN, null])]).toEqual([
      'NaN', '-Infinity', '-0', 'undefined', '12n', '{"a":NaN}', '[NaN,null]',
    ]);
    expect(show(nullProto({ x: 1 }))).toBe('{"x":1}');
    expect(show(cycle)).toBe('{"a":1,"self":[circular]}');
    expect(show('a')).toBe('"a"');
    expect(show('main\nx\u2028y\u0085')).toBe('"main\\nx\\u2028y\\u0085"');
  });

  test('NaN, Infinity or a bigint in a manifest is a collected error naming the field, not a crash in the YAML writer', () => {
    const fleet = oneCluster((apps) => void new ApiObject(apps, 'c', { apiVersion: 'acme.io/v1', kind: 'Thing', metadata: { name: 't' }, spec: { ratio: NaN } }));
    expect(errorsOf(fleet)).toContain('dev-eu/apps/shop/c: spec.ratio: is NaN, which JSON and YAML cannot hold');
    const big = oneCluster((apps) => void new ApiObject(apps, 'c', { apiVersion: 'acme.io/v1', kind: 'Thing', metadata: { name: 't' }, spec: { replicas: 3n, items: [Infinity] } }));
    expect(errorsOf(big)).toEqual(expect.arrayContaining([
      'dev-eu/apps/shop/c: spec.items[0]: is Infinity, which JSON and YAML cannot hold',
      'dev-eu/apps/shop/c: spec.replicas: is a bigint, which JSON and YAML cannot hold',
    ]));
  });

  test('a repositoryPath that would add ignore rules is a collected error', () => {
    for (const path of ['dist\n!/secrets', '../dist', 'di st', '#x', '.hidden', '/abs']) {
      const fleet = new Fleet({ name: 'acme', repository: { url: 'https://example.com/r.git' }, repositoryPath: path });
      fleet.addCluster('dev', { stage: Stage.DEVELOPMENT, region: 'eu', provider: Provider.aws() });
      expect(errorsOf(fleet)).toContain(`repositoryPath ${show(path.replace(/^\.\//, '').replace(/\/+$/, ''))} is not a relative folder (segments of letters, digits, '.', '_' and '-' separated by '/', none starting with '.'): it becomes a line of the GitRepository's ignore rules and part of every Flux Kustomization path`);
    }
  });
});
