// Checks that read the rendered objects of a cluster, so a typed construct and a hand-written
// ApiObject are held to the same rule: Flux dependsOn cycles, Flux paths, route conflicts.
import { ApiObject } from 'cdk8s';
import { k8s } from 'cdk8s-plus-27';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Components, WebService, validateDist, type Apps, type Fleet } from '../lib/index.js';
import { BASE, oneCluster } from './support/fleets.js';
import { findingsOf, fleetOf } from './support/policy.js';

/** `path: message` of the findings of `rule`. */
const of = (fleet: Fleet, rule: string) => findingsOf(fleet).filter((f) => f.rule === rule).map((f) => `${f.path}: ${f.message}`);

const helmRelease = (apps: Apps, name: string, dependsOn: { name: string; namespace?: string }[], namespace?: string) =>
  new ApiObject(apps, name, {
    apiVersion: 'helm.toolkit.fluxcd.io/v2',
    kind: 'HelmRelease',
    metadata: { name, namespace },
    spec: { interval: '1h', chart: { spec: { chart: name, sourceRef: { kind: 'HelmRepository', name: 'charts', namespace: 'flux-system' } } }, dependsOn },
  });

const kustomization = (apps: Apps, name: string, spec: Record<string, unknown>) =>
  new ApiObject(apps, name, {
    apiVersion: 'kustomize.toolkit.fluxcd.io/v1',
    kind: 'Kustomization',
    metadata: { name, namespace: 'flux-system' },
    spec: { interval: '1h', prune: true, sourceRef: { kind: 'GitRepository', name: 'flux-system' }, ...spec },
  });

describe('flux-dependency-cycle', () => {
  const RULE = 'flux-dependency-cycle';

  test('typed: components whose HelmReleases wait for each other', () => {
    const fleet = fleetOf('development', () => undefined, (platform) => {
      platform.install(Components.keda({ dependsOn: ['metrics-server'] }));
      platform.install(Components.metricsServer({ dependsOn: ['keda'] }));
    });
    expect(of(fleet, RULE)).toEqual([
      'c/infrastructure/controllers/keda/release: dependsOn cycle HelmRelease flux-system/keda → flux-system/metrics-server → flux-system/keda: Flux would never reconcile any of them',
    ]);
  });

  test('hand-written: HelmReleases, a dependsOn without namespace meaning the object\'s own', () => {
    const fleet = fleetOf('development', (apps) => {
      helmRelease(apps, 'a', [{ name: 'b' }]);
      helmRelease(apps, 'b', [{ name: 'c', namespace: 'shop' }]);
      helmRelease(apps, 'c', [{ name: 'a' }]);
      // Same names in another namespace: no edge back into shop.
      helmRelease(apps, 'x', [{ name: 'x', namespace: 'shop' }], 'flux-system');
    });
    expect(of(fleet, RULE)).toEqual(['c/apps/shop/a: dependsOn cycle HelmRelease shop/a → shop/b → shop/c → shop/a: Flux would never reconcile any of them']);
  });

  test('hand-written: a Kustomization waiting for itself, and a chain that is no cycle', () => {
    const fleet = fleetOf('development', (apps) => {
      kustomization(apps, 'self', { path: './dist/c/apps/shop', dependsOn: [{ name: 'self' }] });
      kustomization(apps, 'after', { path: './dist/c/apps/shop', dependsOn: [{ name: 'apps-shop' }, { name: 'infrastructure-configs' }] });
    });
    expect(of(fleet, RULE)).toEqual(['c/apps/shop/self: Kustomization flux-system/self depends on itself (spec.dependsOn): Flux would never reconcile it']);
  });
});

describe('flux-path-produced', () => {
  const RULE = 'flux-path-produced';
  const FOLDERS = 'folders: ./dist/c/apps/shop, ./dist/c/infrastructure/configs, ./dist/c/infrastructure/controllers';

  test('hand-written: a folder the synth does not produce, no path, and a folder a layer already applies', () => {
    const fleet = fleetOf('development', (apps) => {
      kustomization(apps, 'missing', { path: './dist/c/apps/web' });
      kustomization(apps, 'root', {});
      kustomization(apps, 'twice', { path: 'dist/c/apps/shop/' });
      kustomization(apps, 'elsewhere', { path: './anything', sourceRef: { kind: 'GitRepository', name: 'vendor', namespace: 'flux-system' } });
    });
    expect(of(fleet, RULE)).toEqual([
      `c/apps/shop/missing: spec.path "./dist/c/apps/web" is not a folder the synth produces for this cluster (${FOLDERS})`,
      'c/apps/shop/root: spec.path is not set: Flux would apply the root of the fleet\'s repository, every cluster\'s folders at once',
      'c/apps/shop/twice: spec.path "dist/c/apps/shop/" is also applied by Kustomization flux-system/apps-shop (c/flux/apps-shop): two Kustomizations applying one folder prune each other\'s objects',
    ]);
  });

  test('typed: the layer Kustomizations of a committed dist/ whose path was edited', () => {
    const outdir = join(mkdtempSync(join(tmpdir(), 'strata-paths-')), 'dist');
    fleetOf('development', () => undefined, undefined, outdir).synth();
    const layers = join(outdir, 'clusters/c/layers.yaml');
    writeFileSync(layers, readFileSync(layers, 'utf8').replace('path: ./dist/c/apps/shop', 'path: ./dist/c/apps/shops'));
    const messages = validateDist(outdir).findings.filter((f) => f.rule === RULE).map((f) => f.message);
    expect(messages).toEqual([`spec.path "./dist/c/apps/shops" is not a folder the synth produces for this cluster (${FOLDERS})`]);
  });
});

describe('route-conflict', () => {
  const RULE = 'route-conflict';
  const route = (apps: Apps, name: string, kind: 'HTTPRoute' | 'GRPCRoute', spec: Record<string, unknown>) =>
    new ApiObject(apps, name, { apiVersion: 'gateway.networking.k8s.io/v1', kind, metadata: { name }, spec });
  const ATTACH = { parentRefs: [{ name: 'public', namespace: 'gateway', sectionName: 'https' }], hostnames: ['shop.dev-eu.acme.dev'] };
  const backend = [{ name: 'app', port: 80 }];

  test('typed and hand-written: a hand-written HTTPRoute taking a WebService\'s host and path', () => {
    const fleet = oneCluster((apps) => {
      new WebService(apps, 'app', { ...BASE, host: 'shop', paths: ['/api'] });
      route(apps, 'legacy', 'HTTPRoute', { ...ATTACH, rules: [{ matches: [{ path: { type: 'PathPrefix', value: '/api/' } }], backendRefs: backend }] });
    });
    expect(of(fleet, RULE)).toEqual([
      'dev-eu/apps/shop/legacy: host "shop.dev-eu.acme.dev" path "/api/" on the listener "https" of gateway "gateway/public" is also claimed by HTTPRoute shop/app (dev-eu/apps/shop/app/http-route): one host and path belong to one route per listener',
    ]);
  });

  test('hand-written: method, headers, path type and hostname make matches distinct; the same ones conflict', () => {
    const fleet = oneCluster((apps) => {
      new WebService(apps, 'app', { ...BASE, port: 8080 });
      const rules = (...matches: Record<string, unknown>[]) => [{ matches, backendRefs: backend }];
      route(apps, 'a', 'HTTPRoute', { ...ATTACH, rules: rules({ path: { type: 'PathPrefix', value: '/v1' }, method: 'GET', headers: [{ name: 'X-Canary', value: '1' }] }) });
      route(apps, 'b', 'HTTPRoute', { ...ATTACH, rules: rules({ path: { type: 'PathPrefix', value: '/v1' }, method: 'POST' }, { path: { type: 'Exact', value: '/v1' } }) });
      route(apps, 'c', 'HTTPRoute', { ...ATTACH, hostnames: ['other.dev-eu.acme.dev'], rules: rules({ path: { type: 'PathPrefix', value: '/v1' }, method: 'GET', headers: [{ name: 'x-canary', value: '1' }] }) });
      route(apps, 'd', 'HTTPRoute', { ...ATTACH, rules: rules({ method: 'GET', path: { value: '/v1/' }, headers: [{ type: 'Exact', name: 'x-canary', value: '1' }] }) });
    });
    expect(of(fleet, RULE)).toEqual([
      'dev-eu/apps/shop/d: host "shop.dev-eu.acme.dev" GET path "/v1/" with headers x-canary=1 on the listener "https" of gateway "gateway/public" is also claimed by HTTPRoute shop/a (dev-eu/apps/shop/a): one host and path belong to one route per listener',
    ]);
  });

  test('hand-written: a parentRef without sectionName attaches to every listener of the gateway; routes without hostnames claim every host', () => {
    const fleet = oneCluster((apps) => {
      new WebService(apps, 'app', { ...BASE, port: 8080 });
      new ApiObject(apps, 'edge', {
        apiVersion: 'gateway.networking.k8s.io/v1', kind: 'Gateway', metadata: { name: 'edge' },
        spec: { gatewayClassName: 'eg', listeners: [{ name: 'web', port: 80, protocol: 'HTTP' }, { name: 'admin', port: 8080, protocol: 'HTTP' }] },
      });
      route(apps, 'all', 'HTTPRoute', { parentRefs: [{ name: 'edge' }], rules: [{ backendRefs: backend }] });
      route(apps, 'admin', 'HTTPRoute', { parentRefs: [{ name: 'edge', sectionName: 'admin' }], rules: [{ matches: [{ path: { type: 'PathPrefix', value: '/' } }], backendRefs: backend }] });
    });
    expect(of(fleet, RULE)).toEqual([
      'dev-eu/apps/shop/admin: every host path "/" on the listener "admin" of gateway "shop/edge" is also claimed by HTTPRoute shop/all (dev-eu/apps/shop/all): one host and path belong to one route per listener',
    ]);
  });

  test('typed and hand-written: a GRPCRoute takes every request of its host, so an HTTPRoute on it conflicts', () => {
    const fleet = oneCluster((apps) => {
      new WebService(apps, 'app', { ...BASE, host: 'shop', paths: ['/web'] });
      route(apps, 'rpc', 'GRPCRoute', { ...ATTACH, rules: [{ matches: [{ method: { service: 'acme.Orders' } }], backendRefs: backend }] });
      route(apps, 'rpc2', 'GRPCRoute', { ...ATTACH, rules: [{ matches: [{ method: { service: 'acme.Orders' } }], backendRefs: backend }] });
    });
    expect(of(fleet, RULE)).toEqual([
      'dev-eu/apps/shop/rpc: host "shop.dev-eu.acme.dev" on the listener "https" of gateway "gateway/public" is routed by GRPCRoute shop/rpc and HTTPRoute shop/app (dev-eu/apps/shop/app/http-route): a GRPCRoute takes every request of its host, so one host belongs to gRPC or to HTTP routes per listener',
      'dev-eu/apps/shop/rpc2: host "shop.dev-eu.acme.dev" on the listener "https" of gateway "gateway/public" is routed by GRPCRoute shop/rpc2 and HTTPRoute shop/app (dev-eu/apps/shop/app/http-route): a GRPCRoute takes every request of its host, so one host belongs to gRPC or to HTTP routes per listener',
      'dev-eu/apps/shop/rpc2: host "shop.dev-eu.acme.dev" gRPC acme.Orders/* on the listener "https" of gateway "gateway/public" is also claimed by GRPCRoute shop/rpc (dev-eu/apps/shop/rpc): one host and path belong to one route per listener',
    ]);
  });

  test('typed and hand-written Ingresses of one class; another class is another entry point', () => {
    const ingress = (apps: Apps, name: string, ingressClassName: string, path: string) =>
      new k8s.KubeIngress(apps, name, {
        metadata: { name },
        spec: { ingressClassName, rules: [{ host: 'shop.dev-eu.acme.dev', http: { paths: [{ path, pathType: 'Prefix', backend: { service: { name: 'app', port: { number: 80 } } } }] } }] },
      });
    const fleet = oneCluster((apps, cluster) => {
      new WebService(apps, 'app', { ...BASE, host: 'shop', paths: ['/api'] });
      ingress(apps, 'same', cluster.provider.ingressClass, '/api/');
      ingress(apps, 'internal', 'internal', '/api');
    }, { traffic: 'ingress' });
    expect(of(fleet, RULE)).toEqual([
      'dev-eu/apps/shop/same: host "shop.dev-eu.acme.dev" path "/api/" on the ingress class "traefik" is also claimed by Ingress shop/app (dev-eu/apps/shop/app/ingress): one host and path belong to one route per listener',
    ]);
  });
});
