// lib/fleet/object-json.ts renders an object exactly as cdk8s's `ApiObject.prototype.toJson`
// does, only faster: the same JSON, and the same error, for every kind of value a resolver may
// replace (lazy values, tokens, IntOrString/Quantity unions, stage values, unsafe keys), with
// strata's resolvers and with an app whose own resolver must see every value.
import { describe, expect, test } from '@jest/globals';
import { ApiObject, App, Chart, Lazy, Testing as Cdk8sTesting, type IResolver, type ResolutionContext } from 'cdk8s';
import { IntOrString, KubeDeployment, Quantity } from 'cdk8s-plus-27/lib/imports/k8s.js';
import { markUnchecked, perStage } from '../lib/index.js';
import { apiObjectJson } from '../lib/fleet/object-json.js';
import { oneCluster } from './support/fleets.js';

/** Values every resolver of cdk8s or strata acts on, at several depths, beside plain ones. */
function tricky(inFleet: boolean): Record<string, unknown> {
  // cdk8s alone cannot render these keys; strata's PlainKeysResolver can. (A null item of a list,
  // which cdk8s renders as undefined, is left out of the fleet: its YAML writer does not take it.)
  const unsafe = inFleet ? JSON.parse('{"__proto__": {"polluted": true}, "constructor": "x", "plain": 1}') : { plain: 1 };
  return {
    data: {
      lazy: Lazy.any({ produce: () => ({ nested: Lazy.any({ produce: () => 'deep' }) }) }),
      implicit: { resolve: () => 'from-resolve' },
      // A list with a string `value`: NumberStringUnionResolver takes it for a union.
      union: Object.assign(['a'], { value: 'from-union' }),
      nothing: null,
      missing: undefined,
      list: inFleet ? ['a', 1, true, { b: [2, 'c'] }] : ['a', 1, true, null, { b: [2, 'c'] }],
      number: 0,
      empty: '',
      unsafe,
    },
    spec: { port: IntOrString.fromNumber(8080), size: Quantity.fromString('1Gi') },
  };
}

function sameAsCdk8s(obj: ApiObject): void {
  let expected: unknown;
  let expectedError: string | undefined;
  try {
    expected = ApiObject.prototype.toJson.call(obj);
  } catch (e) {
    expectedError = String(e);
  }
  if (expectedError !== undefined) expect(() => apiObjectJson(obj)).toThrow(expectedError.replace(/^Error: /, ''));
  else {
    const actual = apiObjectJson(obj);
    expect(actual).toEqual(expected);
    // Key order too: the YAML keeps it.
    expect(JSON.stringify(actual)).toBe(JSON.stringify(expected));
  }
}

describe('apiObjectJson renders as cdk8s does', () => {
  test('every object of a rendered fleet, with a hand-written object holding stage values and unsafe keys', () => {
    const fleet = oneCluster((apps) => {
      const settings = new ApiObject(apps, 'settings', {
        apiVersion: 'example.acme.dev/v1',
        kind: 'Settings',
        metadata: { name: 'settings', labels: { tier: perStage({ production: 'gold', default: 'bronze' }) as never } },
        ...tricky(true),
      });
      markUnchecked(settings, 'a made-up kind that holds every value a resolver acts on');
    });
    fleet.render();
    const objects = fleet.node.findAll().filter((c): c is ApiObject => c instanceof ApiObject);
    expect(objects.length).toBeGreaterThan(10);
    for (const obj of objects) sameAsCdk8s(obj);
    const settings = objects.find((o) => o.kind === 'Settings')!;
    expect(apiObjectJson(settings)).toMatchObject({ metadata: { labels: { tier: 'bronze' } }, data: { lazy: { nested: 'deep' }, implicit: 'from-resolve', union: { value: 'from-union' }, unsafe: { plain: 1 } } });
  });

  test('an app with a resolver of its own: it sees strings and numbers too', () => {
    const seen: string[] = [];
    const upper: IResolver = {
      resolve(context: ResolutionContext) {
        if (typeof context.value === 'string') {
          seen.push(context.key.join('.'));
          if (context.value !== context.value.toUpperCase()) context.replaceValue(context.value.toUpperCase());
        }
      },
    };
    const chart = new Chart(new App({ resolvers: [upper] }), 'c');
    const obj = new ApiObject(chart, 'o', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'o' }, ...tricky(false) });
    obj.addJsonPatch();
    sameAsCdk8s(obj);
    seen.length = 0;
    expect(apiObjectJson(obj)).toMatchObject({ metadata: { name: 'O' }, data: { empty: '', list: ['A', 1, true, undefined, { b: [2, 'C'] }] } });
    expect(seen).toContain('data.list.4.b.1');
  });

  test('a typed binding and JSON patches', () => {
    const chart = Cdk8sTesting.chart();
    const deployment = new KubeDeployment(chart, 'd', { spec: { selector: { matchLabels: { app: 'd' } }, template: { spec: { containers: [{ name: 'app', image: 'nginx' }] } } } });
    sameAsCdk8s(deployment);
  });

  test('the same error for a value cdk8s cannot render', () => {
    class Opaque {}
    const obj = new ApiObject(Cdk8sTesting.chart(), 'o', { apiVersion: 'v1', kind: 'ConfigMap', data: { bad: new Opaque() } });
    expect(() => apiObjectJson(obj)).toThrow(/^Failed serializing construct at path 'test\/o' with name '[^']+': Error: can't render non-simple object of type 'Opaque'$/);
    sameAsCdk8s(obj);
  });

  test('keys in the order sanitizeValue sorts them (UTF-16 code units), small and large objects, and unsorted when cdk8s is told not to sort', () => {
    const keys = ['b', 'B', 'a', '_x', 'é', 'Z', '10x', '9x', 'aa', 'a-b'];
    const many = Object.fromEntries(Array.from({ length: 40 }, (_, i) => [`k${(i * 7) % 40}`, i]));
    const make = () => new ApiObject(Cdk8sTesting.chart(), 'o', {
      apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'o', labels: { z: '1', a: '2' } },
      data: { ...Object.fromEntries(keys.map((k, i) => [k, { [k]: i, nested: { y: 1, x: [{ b: 1, a: null }] } }])), many },
    });
    sameAsCdk8s(make());
    expect(Object.keys(apiObjectJson(make()).data as object)).toEqual([...keys, 'many'].sort());
    process.env.CDK8S_DISABLE_SORT = '1';
    try {
      sameAsCdk8s(make());
      expect(Object.keys(apiObjectJson(make()).data as object)).toEqual([...keys, 'many']);
    } finally {
      delete process.env.CDK8S_DISABLE_SORT;
    }
  });

  test('the first error cdk8s throws: a resolver failing anywhere before any unrenderable value, then the first of those in sorted order', () => {
    class Alpha {}
    class Zeta {}
    const chart = Cdk8sTesting.chart();
    const two = new ApiObject(chart, 'two', { apiVersion: 'v1', kind: 'ConfigMap', data: { z: new Zeta(), list: [1, { deep: new Alpha() }] } });
    expect(() => apiObjectJson(two)).toThrow(/non-simple object of type 'Alpha'/);
    sameAsCdk8s(two);
    const failing = Lazy.any({ produce: () => { throw new Error('the lazy value failed'); } });
    const lazy = new ApiObject(chart, 'lazy', { apiVersion: 'v1', kind: 'ConfigMap', data: { a: { inner: [new Alpha()] }, z: failing } });
    expect(() => apiObjectJson(lazy)).toThrow(/the lazy value failed/);
    sameAsCdk8s(lazy);
    const inMetadata = new ApiObject(chart, 'meta', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { labels: { a: new Zeta() as never } }, data: { b: new Alpha() } });
    expect(() => apiObjectJson(inMetadata)).toThrow(/non-simple object of type 'Zeta'/);
    sameAsCdk8s(inMetadata);
  });

  test('an own __proto__ key in an app without strata\'s resolvers: dropped as cdk8s drops it', () => {
    const obj = new ApiObject(Cdk8sTesting.chart(), 'o', { apiVersion: 'v1', kind: 'ConfigMap', data: JSON.parse('{"__proto__": {"x": 1}, "b": 2}') });
    sameAsCdk8s(obj);
    expect(apiObjectJson(obj).data).toEqual({ b: 2 });
  });
});
