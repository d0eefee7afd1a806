import {
  Components, Fleet, Provider, Stage, Testing, WebService,
  type Apps, type Cluster, type Manifest, type Platform, type TrafficMode,
} from '../lib/index.js';
import { errorsOf } from './support/errors.js';
import { BASE, GATEWAY_PEER, errorsOf as appErrorsOf, find, objectsOf, oneCluster, platformFleet, shopFleet } from './support/fleets.js';

/** The example platform's traffic part: cert-manager, the traffic component, an exposed tenant. */
const trafficPlatform = (p: Platform) => {
  p.install(Components.certManager({ email: 'platform@acme.dev' }));
  p.install(Components.traffic());
  p.addTenant('shop', { exposed: true });
};

const all = (fleet: Fleet): Manifest[] => Testing.synth(fleet).objects;
const get = (objects: readonly Manifest[], kind: string, name: string) => find(objects, kind, name);
const kinds = (objects: readonly Manifest[]) => objects.map((o) => `${o.kind}/${o.metadata.name}`).sort();

describe('gateway components', () => {
  const envoy = platformFleet(trafficPlatform);
  const objects = all(envoy);

  test('the gateway layer (infrastructure/configs) matches its snapshot', () => {
    expect(Testing.synth(envoy, { cluster: 'c1', layer: 'infrastructure/configs' }).files).toMatchSnapshot();
  });

  test('Gateway API CRDs: a GitRepository at tag v1.6.1 fetching only config/crd/standard, applied without pruning', () => {
    const source = get(objects, 'GitRepository', 'gateway-api');
    expect(source.metadata.namespace).toBe('flux-system');
    expect(source.spec).toMatchObject({ url: 'https://github.com/kubernetes-sigs/gateway-api', ref: { tag: 'v1.6.1' } });
    expect(source.spec.ignore.split('\n')).toEqual(['/*', '!/config/', '/config/*', '!/config/crd/', '/config/crd/*', '!/config/crd/standard/', '']);
    const crds = get(objects, 'Kustomization', 'gateway-api');
    expect(crds.spec).toMatchObject({ path: './config/crd/standard', prune: false, wait: true, sourceRef: { kind: 'GitRepository', name: 'gateway-api' } });
    expect(Object.keys(Testing.synth(envoy, { cluster: 'c1', layer: 'infrastructure/controllers' }).files)).toContain('c1/infrastructure/controllers/flux-system/kustomization-gateway-api.yaml');
  });

  test('Envoy Gateway: its CRD chart without the Gateway API CRDs, then the controller chart with every bundled CRD skipped', () => {
    expect(get(objects, 'OCIRepository', 'envoy-gateway').spec).toMatchObject({ url: 'oci://docker.io/envoyproxy/gateway-helm', ref: { tag: 'v1.9.0' } });
    expect(get(objects, 'OCIRepository', 'envoy-gateway-crds').spec).toMatchObject({ url: 'oci://docker.io/envoyproxy/gateway-crds-helm', ref: { tag: 'v1.9.0' } });
    expect(get(objects, 'HelmRelease', 'envoy-gateway-crds').spec.values).toEqual({ crds: { gatewayAPI: { enabled: false }, envoyGateway: { enabled: true } } });
    const controller = get(objects, 'HelmRelease', 'envoy-gateway').spec;
    expect(controller).toMatchObject({ targetNamespace: 'envoy-gateway-system', install: { crds: 'Skip' }, upgrade: { crds: 'Skip' }, dependsOn: [{ name: 'envoy-gateway-crds' }], values: { crds: { enabled: false } } });
    expect(get(objects, 'Namespace', 'envoy-gateway-system')).toBeDefined();
    expect([...envoy.cluster('c1').capabilities].sort()).toEqual(['cert-manager', 'gateway-api', 'gateway-controller']);
  });

  test('the GatewayClass names Envoy Gateway; its proxies are the data plane peer', () => {
    expect(get(objects, 'GatewayClass', 'envoy-gateway').spec).toEqual({ controllerName: 'gateway.envoyproxy.io/gatewayclass-controller' });
    expect(envoy.cluster('c1').gateway?.dataPlane).toEqual({
      namespace: 'envoy-gateway-system',
      podLabels: {
        'app.kubernetes.io/name': 'envoy',
        'app.kubernetes.io/component': 'proxy',
        'gateway.envoyproxy.io/owning-gateway-name': 'public',
        'gateway.envoyproxy.io/owning-gateway-namespace': 'gateway',
      },
    });
  });

  test('the Gateway: HTTP and HTTPS listeners for *.<domain>, routes only from labelled namespaces, a cert-manager wildcard certificate', () => {
    const gateway = get(objects, 'Gateway', 'public');
    expect(gateway.metadata).toMatchObject({ namespace: 'gateway', annotations: { 'cert-manager.io/cluster-issuer': 'letsencrypt-production' } });
    expect(gateway.spec.gatewayClassName).toBe('envoy-gateway');
    const allowedRoutes = { namespaces: { from: 'Selector', selector: { matchLabels: { 'strata.dev/gateway-access': 'true' } } } };
    expect(gateway.spec.listeners).toEqual([
      { name: 'http', protocol: 'HTTP', port: 80, hostname: '*.c1.acme.dev', allowedRoutes },
      { name: 'https', protocol: 'HTTPS', port: 443, hostname: '*.c1.acme.dev', allowedRoutes, tls: { mode: 'Terminate', certificateRefs: [{ group: '', kind: 'Secret', name: 'public-tls' }] } },
    ]);
    expect(gateway.spec.infrastructure.annotations).toEqual(Provider.aws().loadBalancerAnnotations);
    expect(get(objects, 'Namespace', 'gateway').metadata.labels).toMatchObject({ 'strata.dev/gateway-access': 'true', 'pod-security.kubernetes.io/enforce': 'restricted' });
  });

  test('plain HTTP is redirected to HTTPS with a 301 by a route on the HTTP listener', () => {
    expect(get(objects, 'HTTPRoute', 'https-redirect').spec).toEqual({
      parentRefs: [{ group: 'gateway.networking.k8s.io', kind: 'Gateway', name: 'public', sectionName: 'http' }],
      rules: [{ filters: [{ type: 'RequestRedirect', requestRedirect: { scheme: 'https', statusCode: 301 } }] }],
    });
  });

  test('without an issuer the gateway serves plain HTTP only: no HTTPS listener, no redirect', () => {
    const plain = all(platformFleet((p) => p.install(Components.gateway())));
    expect(get(plain, 'Gateway', 'public').spec.listeners.map((l: { name: string }) => l.name)).toEqual(['http']);
    expect(get(plain, 'Gateway', 'public').metadata.annotations?.['cert-manager.io/cluster-issuer']).toBeUndefined();
    expect(plain.some((o) => o.kind === 'HTTPRoute')).toBe(false);
  });

  test('name, namespace, domain and class can be chosen', () => {
    const custom = all(platformFleet((p) => p.install(Components.gateway({ name: 'edge', namespace: 'edge', domain: 'acme.com', className: 'eg' }))));
    const gateway = get(custom, 'Gateway', 'edge');
    expect([gateway.metadata.namespace, gateway.spec.gatewayClassName, gateway.spec.listeners[0].hostname]).toEqual(['edge', 'eg', '*.acme.com']);
    expect(get(custom, 'GatewayClass', 'eg')).toBeDefined();
  });

  test("on gcp the provider's managed class serves the gateway: no CRDs, controller or GatewayClass; Google's front ends are the peer", () => {
    const fleet = platformFleet(trafficPlatform, { provider: Provider.gcp({ acmeDns01: { cloudDns: { project: 'acme-dns' } } }) });
    const gcp = all(fleet);
    expect(get(gcp, 'Gateway', 'public').spec.gatewayClassName).toBe('gke-l7-global-external-managed');
    expect(get(gcp, 'Gateway', 'public').spec.infrastructure).toBeUndefined();
    expect(gcp.filter((o) => ['GatewayClass', 'GitRepository', 'HelmRelease'].includes(o.kind) && /gateway/.test(o.metadata.name))).toEqual([]);
    expect(fleet.cluster('c1').gateway?.dataPlane).toEqual({ cidrs: ['35.191.0.0/16', '130.211.0.0/22'] });
    expect(fleet.cluster('c1').capabilities.has('gateway-api')).toBe(true);
  });

  test('a gcp cluster may run Envoy instead', () => {
    const gcp = all(platformFleet((p) => p.install(Components.gateway()), { provider: Provider.gcp({ gatewayController: 'envoy' }) }));
    expect(get(gcp, 'GatewayClass', 'envoy-gateway')).toBeDefined();
    expect(get(gcp, 'HelmRelease', 'envoy-gateway')).toBeDefined();
  });

  test('Components.traffic() installs the gateway on gateway clusters and Traefik on Ingress clusters', () => {
    expect(kinds(all(platformFleet(trafficPlatform))).filter((k) => /traefik|Gateway\//.test(k))).toEqual(['Gateway/public']);
    const ingress = all(platformFleet(trafficPlatform, { traffic: 'ingress' }));
    expect(kinds(ingress).filter((k) => /traefik|Gateway\//.test(k))).toEqual(['HelmRelease/traefik', 'HelmRepository/traefik', 'Namespace/traefik']);
  });

  test('Ingress is chosen per cluster, or for every cluster of a provider profile', () => {
    const fleet = new Fleet({ name: 'acme', domain: 'acme.dev' });
    const a = fleet.addCluster('a', { stage: Stage.PRODUCTION, region: 'eu', provider: Provider.aws(), traffic: 'ingress' });
    const b = fleet.addCluster('b', { stage: Stage.PRODUCTION, region: 'eu', provider: Provider.onPremises({ traffic: 'ingress' }) });
    const c = fleet.addCluster('c', { stage: Stage.PRODUCTION, region: 'eu', provider: Provider.aws() });
    expect([a.traffic, b.traffic, c.traffic]).toEqual(['ingress', 'ingress', 'gateway']);
  });
});

describe('cert-manager with a gateway', () => {
  test('turns on its Gateway API support and solves DNS-01 for the wildcard, HTTP-01 through the gateway, even when installed first', () => {
    const objects = all(platformFleet(trafficPlatform));
    expect(get(objects, 'HelmRelease', 'cert-manager').spec.values.config).toEqual({
      apiVersion: 'controller.config.cert-manager.io/v1alpha1',
      kind: 'ControllerConfiguration',
      enableGatewayAPI: true,
    });
    expect(get(objects, 'ClusterIssuer', 'letsencrypt-staging').spec.acme.solvers).toEqual([
      { dns01: { route53: { region: 'eu-west-1' } }, selector: { dnsZones: ['c1.acme.dev'] } },
      { http01: { gatewayHTTPRoute: { parentRefs: [{ group: 'gateway.networking.k8s.io', kind: 'Gateway', name: 'public', namespace: 'gateway', sectionName: 'http' }] } } },
    ]);
  });

  test('stays as it was on Ingress clusters', () => {
    const objects = all(platformFleet(trafficPlatform, { traffic: 'ingress' }));
    expect(get(objects, 'HelmRelease', 'cert-manager').spec.values.config).toBeUndefined();
    expect(get(objects, 'ClusterIssuer', 'letsencrypt-staging').spec.acme.solvers).toEqual([{ http01: { ingress: { ingressClassName: 'traefik' } } }]);
  });

  test('the tenant admits the data plane to HTTP-01 solver pods', () => {
    const policy = get(all(platformFleet(trafficPlatform)), 'NetworkPolicy', 'allow-acme-http01-solver');
    expect(policy.spec.ingress[0].from[0].podSelector.matchLabels).toMatchObject({ 'app.kubernetes.io/name': 'envoy', 'gateway.envoyproxy.io/owning-gateway-name': 'public' });
  });

  test('external-dns publishes route hosts where the Gateway API is installed', () => {
    const sources = (traffic: TrafficMode) =>
      get(all(platformFleet((p) => { p.install(Components.externalDns()); trafficPlatform(p); }, { traffic })), 'HelmRelease', 'external-dns').spec.values.sources;
    expect(sources('gateway')).toEqual(['service', 'ingress', 'gateway-httproute', 'gateway-grpcroute']);
    expect(sources('ingress')).toEqual(['service', 'ingress']);
  });
});

describe('tenants decide exposure', () => {
  test('an exposed tenant carries the gateway access label; others do not', () => {
    const objects = all(platformFleet((p) => { p.addTenant('shop', { exposed: true }); p.addTenant('billing'); }));
    expect(get(objects, 'Namespace', 'shop').metadata.labels?.['strata.dev/gateway-access']).toBe('true');
    expect(get(objects, 'Namespace', 'billing').metadata.labels?.['strata.dev/gateway-access']).toBeUndefined();
  });
});

describe('routes of web services', () => {
  const web = (props: Record<string, unknown>, setup: (apps: Apps) => void = () => undefined) =>
    objectsOf(oneCluster((apps) => { setup(apps); new WebService(apps, 'web', { ...BASE, ...props }); }));

  test('a routed web service with paths, timeouts and a canary matches its snapshot', () => {
    const fleet = shopFleet((apps) => {
      const web = new WebService(apps, 'storefront', { ...BASE, host: 'shop', paths: ['/', '/cart'], timeouts: { request: '15s', backendRequest: '5s' } });
      new WebService(apps, 'storefront-canary', { ...BASE, image: 'ghcr.io/acme/app:1.5.0', canaryOf: web, weight: 10 });
    });
    expect(Testing.synth(fleet, { cluster: 'prod-eu', layer: 'apps' }).files).toMatchSnapshot();
  });

  test('an HTTPRoute on the HTTPS listener, a PathPrefix per path, timeouts, the Service port as backend', () => {
    const route = get(web({ host: 'shop', paths: ['/', '/cart'], timeouts: { request: '15s' } }), 'HTTPRoute', 'web');
    expect(route.spec).toEqual({
      parentRefs: [{ group: 'gateway.networking.k8s.io', kind: 'Gateway', name: 'public', namespace: 'gateway', sectionName: 'https' }],
      hostnames: ['shop.dev-eu.acme.dev'],
      rules: [{
        matches: [{ path: { type: 'PathPrefix', value: '/' } }, { path: { type: 'PathPrefix', value: '/cart' } }],
        backendRefs: [{ group: '', kind: 'Service', name: 'web', port: 80 }],
        timeouts: { request: '15s' },
      }],
    });
  });

  test('tls: false attaches to the HTTP listener', () => {
    const route = get(objectsOf(oneCluster((apps, cluster) => { cluster.tlsIssuer = undefined; new WebService(apps, 'web', { ...BASE, host: 'shop', tls: false }); })), 'HTTPRoute', 'web');
    expect(route.spec.parentRefs[0].sectionName).toBe('http');
  });

  test('a routed service admits the data plane on its http port', () => {
    const policy = get(web({ host: 'shop' }), 'NetworkPolicy', 'web-ingress');
    expect(policy.spec.ingress).toEqual([
      { from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': GATEWAY_PEER.namespace } }, podSelector: { matchLabels: GATEWAY_PEER.podLabels } }], ports: [{ port: 8080, protocol: 'TCP' }] },
    ]);
  });

  test('canaries share the route by weight: a canary takes its percentage, the service the rest; a canary renders no route of its own', () => {
    const objects = objectsOf(shopFleet((apps) => {
      const stable = new WebService(apps, 'storefront', { ...BASE, host: 'shop' });
      new WebService(apps, 'storefront-canary', { ...BASE, canaryOf: stable, weight: 10 });
      new WebService(apps, 'storefront-next', { ...BASE, canaryOf: stable, weight: 5 });
    }));
    expect(get(objects, 'HTTPRoute', 'storefront').spec.rules[0].backendRefs).toEqual([
      { group: '', kind: 'Service', name: 'storefront', port: 80, weight: 85 },
      { group: '', kind: 'Service', name: 'storefront-canary', port: 80, weight: 10 },
      { group: '', kind: 'Service', name: 'storefront-next', port: 80, weight: 5 },
    ]);
    expect(objects.filter((o) => o.kind === 'HTTPRoute').map((o) => o.metadata.name)).toEqual(['storefront']);
    expect(get(objects, 'NetworkPolicy', 'storefront-canary-ingress').spec.ingress[0].from[0].namespaceSelector.matchLabels).toEqual({ 'kubernetes.io/metadata.name': GATEWAY_PEER.namespace });
  });

  test('a canary without a weight gets no requests yet; an explicit weight on the service is kept', () => {
    const refs = (primaryWeight?: number) =>
      get(objectsOf(shopFleet((apps) => {
        const stable = new WebService(apps, 'storefront', { ...BASE, host: 'shop', weight: primaryWeight });
        new WebService(apps, 'storefront-canary', { ...BASE, canaryOf: stable });
      })), 'HTTPRoute', 'storefront').spec.rules[0].backendRefs.map((b: { weight: number }) => b.weight);
    expect(refs()).toEqual([100, 0]);
    expect(refs(3)).toEqual([3, 0]);
  });

  test('gRPC services get a GRPCRoute, an h2c Service port named grpc and TCP probes', () => {
    const objects = web({ host: 'api', protocol: 'grpc', port: 9090 });
    expect(get(objects, 'GRPCRoute', 'web').spec).toEqual({
      parentRefs: [{ group: 'gateway.networking.k8s.io', kind: 'Gateway', name: 'public', namespace: 'gateway', sectionName: 'https' }],
      hostnames: ['api.dev-eu.acme.dev'],
      rules: [{ backendRefs: [{ group: '', kind: 'Service', name: 'web', port: 80 }] }],
    });
    expect(objects.some((o) => o.kind === 'HTTPRoute')).toBe(false);
    expect(get(objects, 'Service', 'web').spec.ports).toEqual([{ name: 'grpc', port: 80, targetPort: 'grpc', protocol: 'TCP', appProtocol: 'kubernetes.io/h2c' }]);
    const container = get(objects, 'Deployment', 'web').spec.template.spec.containers[0];
    expect(container.readinessProbe.tcpSocket).toEqual({ port: 'grpc' });
  });

  test('a path of another namespace: the backend namespace grants it (ReferenceGrant in its own folder) and admits the data plane', () => {
    const fleet = oneCluster((apps, cluster) => {
      new WebService(cluster.appsIn('catalog'), 'api', { ...BASE, allowRoutesFrom: ['shop'] });
      new WebService(apps, 'web', { ...BASE, host: 'shop', routes: [{ path: '/api', service: 'api', namespace: 'catalog' }] });
    }, { tenants: ['shop', 'catalog'] });
    const route = get(objectsOf(fleet), 'HTTPRoute', 'web');
    expect(route.spec.rules[1]).toEqual({
      matches: [{ path: { type: 'PathPrefix', value: '/api' } }],
      backendRefs: [{ group: '', kind: 'Service', name: 'api', namespace: 'catalog', port: 80 }],
    });
    const files = Testing.synth(fleet, { cluster: 'dev-eu', layer: 'apps' }).files;
    expect(Object.keys(files)).toContain('dev-eu/apps/catalog/referencegrant-api.yaml');
    const catalog = Testing.synth(fleet, { cluster: 'dev-eu', layer: 'apps' }).objects.filter((o) => o.metadata.namespace === 'catalog');
    expect(get(catalog, 'ReferenceGrant', 'api').spec).toEqual({
      from: [{ group: 'gateway.networking.k8s.io', kind: 'HTTPRoute', namespace: 'shop' }, { group: 'gateway.networking.k8s.io', kind: 'GRPCRoute', namespace: 'shop' }],
      to: [{ group: '', kind: 'Service', name: 'api' }],
    });
    expect(get(catalog, 'NetworkPolicy', 'api-ingress').spec.ingress).toHaveLength(1);
  });

  test('a path of the same namespace needs no grant', () => {
    const objects = objectsOf(oneCluster((apps) => {
      new WebService(apps, 'api', BASE);
      new WebService(apps, 'web', { ...BASE, host: 'shop', routes: [{ path: '/api', service: 'api' }] });
    }));
    expect(get(objects, 'HTTPRoute', 'web').spec.rules[1].backendRefs).toEqual([{ group: '', kind: 'Service', name: 'api', port: 80 }]);
    expect(objects.some((o) => o.kind === 'ReferenceGrant')).toBe(false);
    expect(get(objects, 'NetworkPolicy', 'api-ingress').spec.ingress).toHaveLength(1);
  });
});

describe('switching a cluster between gateway and Ingress', () => {
  test('changes only the route object and the NetworkPolicy peer, never the workload', () => {
    const define = (apps: Apps) => new WebService(apps, 'storefront', { ...BASE, host: 'shop', paths: ['/', '/cart'] });
    const gateway = objectsOf(oneCluster(define, { traffic: 'gateway' }));
    const ingress = objectsOf(oneCluster(define, { traffic: 'ingress' }));
    const unchanged = (objects: Manifest[]) => objects.filter((o) => !['HTTPRoute', 'Ingress', 'NetworkPolicy'].includes(o.kind));
    expect(unchanged(gateway)).toEqual(unchanged(ingress));
    expect(kinds(gateway).filter((k) => !kinds(ingress).includes(k))).toEqual(['HTTPRoute/storefront']);
    expect(kinds(ingress).filter((k) => !kinds(gateway).includes(k))).toEqual(['Ingress/storefront']);
    // The pods that carry the traffic differ (Envoy's proxies vs the ingress controller): nothing else in the policy does.
    const policy = (objects: Manifest[]) => get(objects, 'NetworkPolicy', 'storefront-ingress').spec;
    const { ingress: gatewayRules, ...gatewayRest } = policy(gateway);
    const { ingress: ingressRules, ...ingressRest } = policy(ingress);
    expect(gatewayRest).toEqual(ingressRest);
    expect(gatewayRules[0].ports).toEqual(ingressRules[0].ports);
    expect(gatewayRules[0].from).not.toEqual(ingressRules[0].from);
    expect(get(ingress, 'Ingress', 'storefront').spec.rules[0].http.paths.map((p: { path: string }) => p.path)).toEqual(['/', '/cart']);
  });
});

const PATH = 'dev-eu/apps/shop/app';

describe('route errors', () => {
  const webErrors = (props: Record<string, unknown>, setup: (apps: Apps, cluster: Cluster) => void = () => undefined, options: Parameters<typeof oneCluster>[1] = {}) =>
    appErrorsOf(oneCluster((apps, cluster) => { setup(apps, cluster); new WebService(apps, 'app', { ...BASE, ...props }); }, options));

  test('a route on a cluster without a gateway', () => {
    expect(webErrors({ host: 'shop' }, (_, cluster) => (cluster.gateway = undefined))).toEqual([
      `${PATH}: host "shop.dev-eu.acme.dev" is routed through the cluster gateway (traffic "gateway"), but the platform of cluster "dev-eu" installs none: install Components.gateway() (or Components.traffic()), or set traffic: 'ingress' on the cluster`,
    ]);
  });

  test('a host outside the listener hostname', () => {
    expect(webErrors({ host: 'shop.acme.com' })).toEqual([
      `${PATH}: host "shop.acme.com" is outside hostname "*.dev-eu.acme.dev" of the https listener of gateway "gateway/public": use a name under "dev-eu.acme.dev", such as "shop"`,
    ]);
  });

  test('an HTTPS host more than one label under the domain', () => {
    expect(webErrors({ host: 'eu.shop.dev-eu.acme.dev' })).toEqual([
      `${PATH}: host "eu.shop.dev-eu.acme.dev" is outside hostname "*.dev-eu.acme.dev" of the https listener of gateway "gateway/public", whose wildcard certificate covers one label: use a name directly under "dev-eu.acme.dev", such as "eu"`,
    ]);
    // The HTTP listener's hostname matches any depth under the domain.
    expect(get(objectsOf(oneCluster((apps) => new WebService(apps, 'app', { ...BASE, host: 'eu.shop.dev-eu.acme.dev', tls: false }))), 'HTTPRoute', 'app').spec.hostnames).toEqual(['eu.shop.dev-eu.acme.dev']);
  });

  test('a host in a namespace the tenant does not expose', () => {
    const fleet = new Fleet({ name: 'acme', domain: 'acme.dev' });
    fleet.addCluster('dev-eu', { stage: Stage.DEVELOPMENT, region: 'eu', provider: Provider.aws() });
    fleet.platform((p) => p.addTenant('shop'));
    fleet.platform((p) => { p.install(Components.certManager()); p.install(Components.gateway()); });
    fleet.apps('shop', (apps) => new WebService(apps, 'app', { ...BASE, host: 'shop' }));
    expect(errorsOf(fleet)).toEqual([
      `${PATH}: host "shop.dev-eu.acme.dev": namespace "shop" is not exposed to traffic from outside the cluster: declare its tenant with exposed: true (platform.addTenant("shop", { exposed: true }))`,
    ]);
  });

  test('invalid paths', () => {
    expect(webErrors({ host: 'shop', paths: ['cart', '/a/../b'] })).toEqual([
      `${PATH}: paths[0] "cart" is not a path prefix: start with "/" and use no "//", "/./", "/../", "%2F", "?", "#" or spaces`,
      `${PATH}: paths[1] "/a/../b" is not a path prefix: start with "/" and use no "//", "/./", "/../", "%2F", "?", "#" or spaces`,
    ]);
  });

  test('timeouts that are not durations, or a backend attempt longer than the request', () => {
    expect(webErrors({ host: 'shop', timeouts: { request: '10 seconds' } })).toEqual([
      `${PATH}: timeouts.request "10 seconds" is not a Gateway API duration (e.g. "10s", "1m30s", "500ms")`,
    ]);
    expect(webErrors({ host: 'shop', timeouts: { request: '10s', backendRequest: '1m' } })).toEqual([
      `${PATH}: timeouts.backendRequest ("1m") is longer than timeouts.request ("10s"): one attempt cannot outlast the whole request`,
    ]);
  });

  test('a backend port the Service does not expose', () => {
    expect(webErrors({ host: 'shop', routes: [{ path: '/api', service: 'api', port: 8080 }] }, (apps) => new WebService(apps, 'api', BASE))).toEqual([
      `${PATH}: routes[0]: Service "shop/api" does not expose port 8080 (ports: 80)`,
      // The policy rule over rendered routes finds it too (it also covers hand-written routes).
      `${PATH}/http-route: backend Service shop/api has no port 8080`,
    ]);
  });

  test('a backend that is not declared', () => {
    expect(webErrors({ host: 'shop', routes: [{ path: '/api', service: 'api' }] })).toEqual([
      `${PATH}: routes[0]: there is no WebService "api" in namespace "shop" on cluster "dev-eu"`,
      `${PATH}/http-route: backend Service shop/api does not exist on this cluster`,
    ]);
  });

  test('a backend of another namespace that does not accept routes from this one', () => {
    const errors = webErrors({ host: 'shop', routes: [{ path: '/api', service: 'api', namespace: 'catalog' }] }, (_, cluster) => new WebService(cluster.appsIn('catalog'), 'api', BASE), { tenants: ['shop', 'catalog'] });
    expect(errors).toEqual([
      `${PATH}: routes[0]: WebService "api" of namespace "catalog" does not accept routes from namespace "shop": add allowRoutesFrom: ["shop"] to it (strata renders the ReferenceGrant)`,
    ]);
  });

  test('invalid route entries and allowRoutesFrom namespaces', () => {
    expect(webErrors({ host: 'shop', routes: [{ path: 'api', service: 'API' }], allowRoutesFrom: ['Shop'] })).toEqual([
      `${PATH}: routes[0].path "api" is not a path prefix: start with "/" and use no "//", "/./", "/../", "%2F", "?", "#" or spaces`,
      `${PATH}: routes[0].service "API" is not a DNS-1123 label (lowercase letters, digits and '-', starting and ending with a letter or digit, at most 63 characters)`,
      `${PATH}: allowRoutesFrom: "Shop" is not a DNS-1123 label (lowercase letters, digits and '-', starting and ending with a letter or digit, at most 63 characters)`,
    ]);
  });

  test('weights that sum to zero', () => {
    const errors = webErrors({ host: 'shop', weight: 0 }, () => undefined);
    expect(errors).toEqual([`${PATH}: the weights of host "shop.dev-eu.acme.dev" sum to zero (app 0): no request would be served; give one of them a weight above 0`]);
    const withCanary = appErrorsOf(shopFleet((apps) => {
      const app = new WebService(apps, 'app', { ...BASE, host: 'shop', weight: 0 });
      new WebService(apps, 'app-canary', { ...BASE, canaryOf: app, weight: 0 });
    }, { clusters: { 'dev-eu': { stage: Stage.DEVELOPMENT } } }));
    expect(withCanary).toEqual([`${PATH}: the weights of host "shop.dev-eu.acme.dev" sum to zero (app 0, app-canary 0): no request would be served; give one of them a weight above 0`]);
  });

  test('canaries taking more than every request', () => {
    const errors = appErrorsOf(shopFleet((apps) => {
      const app = new WebService(apps, 'app', { ...BASE, host: 'shop' });
      new WebService(apps, 'app-a', { ...BASE, canaryOf: app, weight: 60 });
      new WebService(apps, 'app-b', { ...BASE, canaryOf: app, weight: 50 });
    }, { clusters: { 'dev-eu': { stage: Stage.DEVELOPMENT } } }));
    expect(errors).toEqual([`${PATH}: the canaries of host "shop.dev-eu.acme.dev" take 110 percent of its requests (app 0, app-a 60, app-b 50): their weights are percentages, at most 100 together`]);
  });

  test.each([
    ['a whole number from 0 to 1000000', { host: 'shop', weight: 2.5 }, 'weight 2.5 is not a whole number from 0 to 1000000'],
    ['only with a host or canaryOf', { weight: 10 }, 'weight is set, but WebService "app" has neither a host nor canaryOf: a weight shares a host\'s requests between versions'],
  ])('a weight is %s', (_, props, message) => {
    expect(webErrors(props)).toEqual([`${PATH}: ${message}`]);
  });

  describe('canaryOf', () => {
    const canaryErrors = (props: (primary: WebService) => Record<string, unknown>, primaryProps: Record<string, unknown> = { host: 'shop' }, setup?: (apps: Apps, cluster: Cluster) => WebService) =>
      appErrorsOf(oneCluster((apps, cluster) => {
        const primary = setup ? setup(apps, cluster) : new WebService(apps, 'web', { ...BASE, ...primaryProps });
        new WebService(apps, 'app', { ...BASE, ...props(primary) });
      }, { tenants: ['shop', 'other'] }));

    test('a canary takes its route from the service: host, paths, timeouts, routes and tls are left out', () => {
      expect(canaryErrors((web) => ({ canaryOf: web, host: 'beta', tls: false }))).toEqual([
        `${PATH}: canaryOf: a canary serves the route of WebService "web": leave out host, tls`,
      ]);
    });

    test('a canary of a canary', () => {
      const errors = canaryErrors((beta) => ({ canaryOf: beta }), {}, (apps) => {
        const web = new WebService(apps, 'web', { ...BASE, host: 'shop' });
        return new WebService(apps, 'beta', { ...BASE, canaryOf: web });
      });
      expect(errors).toEqual([`${PATH}: canaryOf: WebService "beta" is itself a canary: name the service it is a canary of`]);
    });

    test('a canary of another namespace', () => {
      const errors = canaryErrors((web) => ({ canaryOf: web }), {}, (_, cluster) => new WebService(cluster.appsIn('other'), 'web', { ...BASE, host: 'other' }));
      expect(errors).toEqual([`${PATH}: canaryOf: WebService "web" is in namespace "other" of cluster "dev-eu": a canary joins a service of its own namespace`]);
    });

    test('a canary of a service without a host', () => {
      expect(canaryErrors((web) => ({ canaryOf: web }), {})).toEqual([`${PATH}: canaryOf: WebService "web" has no host, so there is no route to share`]);
    });

    test('a canary speaking another protocol', () => {
      expect(canaryErrors((web) => ({ canaryOf: web, protocol: 'grpc' }))).toEqual([
        `${PATH}: canaryOf: protocol "grpc" differs from "http" of WebService "web", whose route it joins`,
      ]);
    });
  });

  test('gRPC props that only HTTP routes have, and unknown protocols', () => {
    expect(webErrors({ host: 'api', protocol: 'grpc', paths: ['/'], healthPath: '/healthz' })).toEqual([
      `${PATH}: protocol "grpc" is routed by host alone (a GRPCRoute) and probed over TCP: leave out paths, healthPath`,
    ]);
    expect(webErrors({ protocol: 'websocket' })).toEqual([`${PATH}: protocol "websocket" is not "http" or "grpc"`]);
  });

  const ingressCannot = (what: string) =>
    `${PATH}: cluster "dev-eu" routes through Ingress (traffic "ingress"), which cannot express ${what}: route the cluster through the gateway, or leave it out here`;

  test.each([
    ['timeouts', { host: 'shop', timeouts: { request: '10s' } }, 'timeouts'],
    ['gRPC', { host: 'api', protocol: 'grpc' }, 'gRPC (protocol "grpc")'],
    ['weights', { host: 'shop', weight: 50 }, 'weighted backends'],
    ['backends in other namespaces', { host: 'shop', routes: [{ path: '/api', service: 'api', namespace: 'catalog' }] }, 'a backend in another namespace (routes[0] to "catalog/api")'],
  ])('Ingress cannot express %s', (_, props, what) => {
    expect(webErrors(props, () => undefined, { traffic: 'ingress' })).toEqual([ingressCannot(what)]);
  });

  test('Ingress cannot express a canary', () => {
    const errors = appErrorsOf(oneCluster((apps) => {
      const web = new WebService(apps, 'web', { ...BASE, host: 'shop' });
      new WebService(apps, 'app', { ...BASE, canaryOf: web, weight: 10 });
    }, { traffic: 'ingress' }));
    expect(errors).toEqual([`${PATH}: canaryOf: ${ingressCannot('weighted backends').slice(PATH.length + 2)}`]);
  });
});

describe('platform errors', () => {
  test('a wildcard HTTPS listener on a provider without a DNS-01 solver', () => {
    expect(errorsOf(platformFleet(trafficPlatform, { provider: Provider.gcp() }))).toEqual([
      `c1/infrastructure/configs/cert-manager: the HTTPS listener of gateway "gateway/public" serves "*.c1.acme.dev", a wildcard certificate Let's Encrypt issues only through DNS-01, but provider "gcp" names no DNS-01 solver: set acmeDns01 on its profile, e.g. Provider.gcp({ acmeDns01: { cloudDns: { project: '<dns project>' } } }), or give Components.certManager({ solvers: { dns01 } })`,
    ]);
  });

  test('a Gateway API version that is not a release tag', () => {
    expect(errorsOf(platformFleet((p) => p.install(Components.gateway({ gatewayApi: { version: 'main' } }))))).toEqual([
      'c1/infrastructure/controllers/gateway-api: gateway-api version "main" is not a release tag of https://github.com/kubernetes-sigs/gateway-api (e.g. "v1.6.1")',
    ]);
  });

  test('a managed gateway controller the provider does not offer', () => {
    expect(errorsOf(platformFleet((p) => p.install(Components.gateway()), { provider: Provider.azure({ gatewayController: 'managed' }) }))).toEqual([
      `c1: provider "azure" has gatewayController "managed" but no managedGateway: set managedGateway in its profile, or gatewayController: 'envoy'`,
    ]);
  });

  test('invalid gateway names', () => {
    expect(errorsOf(platformFleet((p) => p.install(Components.gateway({ name: 'Public', namespace: 'edge_1' }))))).toEqual(expect.arrayContaining([
      `c1/infrastructure/configs/gateway: gateway name "Public" is not a DNS-1123 subdomain (lowercase letters, digits, '-' and '.', starting and ending with a letter or digit, at most 253 characters)`,
      `c1/infrastructure/configs/gateway: gateway namespace "edge_1" is not a DNS-1123 label (lowercase letters, digits and '-', starting and ending with a letter or digit, at most 63 characters)`,
    ]));
  });

  test('an unknown traffic mode', () => {
    const fleet = new Fleet({ name: 'acme', domain: 'acme.dev' });
    fleet.addCluster('c1', { stage: Stage.PRODUCTION, region: 'eu', provider: Provider.aws(), traffic: 'mesh' as TrafficMode });
    expect(errorsOf(fleet)).toEqual(['c1: traffic "mesh" is not "gateway" or "ingress"']);
  });
});
