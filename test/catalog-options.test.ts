// The catalog's fixed choices as options (gateway, cert-manager, Envoy Gateway, Gateway API CRDs,
// external-dns), and that everything referring to a renamed object follows it: routes' parentRefs,
// the ACME solver's route, issuer annotations, the data plane the tenants admit, dependsOn.
import { ApiObject } from 'cdk8s';
import { Components, Provider, Testing, WebService, type Apps, type Manifest } from '../lib/index.js';
import { errorsOf } from './support/errors.js';
import { BASE, platformFleet } from './support/fleets.js';

function find(all: readonly Manifest[], kind: string, name: string, namespace?: string): Record<string, any> {
  const found = all.find((o) => o.kind === kind && o.metadata.name === name && (namespace === undefined || o.metadata.namespace === namespace));
  if (!found) throw new Error(`no ${kind} ${namespace ?? '*'}/${name} among ${all.map((o) => `${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`).join(', ')}`);
  return found;
}

const storefront = (apps: Apps) => { new WebService(apps, 'storefront', { ...BASE, host: 'shop' }); };

describe('a renamed gateway: everything attached to it follows', () => {
  const fleet = platformFleet((p) => {
    p.install(Components.certManager({ email: 'platform@acme.dev' }));
    p.install(Components.gateway({
      name: 'edge',
      namespace: 'edge-gateway',
      className: 'edge-envoy',
      listeners: { http: { name: 'web', port: 8080 }, https: { name: 'websecure', port: 8443, certificateSecret: 'edge-wildcard' } },
      envoy: { namespace: 'envoy' },
    }));
    p.addTenant('shop', { exposed: true });
  }, { apps: storefront });
  // Rendering runs every rule: no reference among these objects dangles.
  const all = Testing.synth(fleet).objects;

  test('the Gateway, its listeners, class and certificate', () => {
    const gateway = find(all, 'Gateway', 'edge', 'edge-gateway');
    expect(gateway.spec.gatewayClassName).toBe('edge-envoy');
    expect(gateway.spec.listeners.map((l: any) => [l.name, l.protocol, l.port])).toEqual([['web', 'HTTP', 8080], ['websecure', 'HTTPS', 8443]]);
    expect(gateway.spec.listeners[1].tls.certificateRefs).toEqual([{ group: '', kind: 'Secret', name: 'edge-wildcard' }]);
    expect(find(all, 'GatewayClass', 'edge-envoy').spec.controllerName).toBe('gateway.envoyproxy.io/gatewayclass-controller');
    expect(find(all, 'Namespace', 'edge-gateway')).toBeDefined();
  });

  test("the app's HTTPRoute and the redirect attach to the renamed gateway's listeners", () => {
    expect(find(all, 'HTTPRoute', 'storefront', 'shop').spec.parentRefs).toEqual([{ group: 'gateway.networking.k8s.io', kind: 'Gateway', name: 'edge', namespace: 'edge-gateway', sectionName: 'websecure' }]);
    expect(find(all, 'HTTPRoute', 'https-redirect', 'edge-gateway').spec.parentRefs).toEqual([{ group: 'gateway.networking.k8s.io', kind: 'Gateway', name: 'edge', sectionName: 'web' }]);
  });

  test("cert-manager's HTTP-01 solver answers through the renamed HTTP listener", () => {
    const solvers = find(all, 'ClusterIssuer', 'letsencrypt-production').spec.acme.solvers;
    expect(solvers[1].http01.gatewayHTTPRoute.parentRefs).toEqual([{ group: 'gateway.networking.k8s.io', kind: 'Gateway', name: 'edge', namespace: 'edge-gateway', sectionName: 'web' }]);
  });

  test('Envoy Gateway runs in its renamed namespace, and the data plane the app admits is there', () => {
    expect(find(all, 'HelmRelease', 'envoy-gateway').spec.targetNamespace).toBe('envoy');
    expect(find(all, 'HelmRelease', 'envoy-gateway-crds').spec.targetNamespace).toBe('envoy');
    const policy = all.filter((o) => o.kind === 'NetworkPolicy' && o.metadata.namespace === 'shop');
    const peers = JSON.stringify(policy.map((p: any) => p.spec.ingress ?? []));
    expect(peers).toContain('"kubernetes.io/metadata.name":"envoy"');
    expect(peers).toContain('"gateway.envoyproxy.io/owning-gateway-name":"edge"');
    expect(peers).not.toContain('envoy-gateway-system');
  });
});

describe('gateway listeners and allowedRoutes', () => {
  test('HTTPS off: one HTTP listener, no redirect, no certificate, and no DNS-01 needed on a provider without one', () => {
    const all = Testing.synth(platformFleet((p) => {
      p.install(Components.certManager());
      p.install(Components.gateway({ listeners: { https: false } }));
      p.addTenant('shop', { exposed: true });
    }, { provider: Provider.onPremises(), apps: (apps) => { new WebService(apps, 'storefront', { ...BASE, host: 'shop', tls: false }); } })).objects;
    const gateway = find(all, 'Gateway', 'public');
    expect(gateway.spec.listeners.map((l: any) => l.name)).toEqual(['http']);
    expect(gateway.metadata.annotations['cert-manager.io/cluster-issuer']).toBeUndefined();
    expect(all.some((o) => o.kind === 'HTTPRoute' && o.metadata.name === 'https-redirect')).toBe(false);
    expect(find(all, 'ClusterIssuer', 'letsencrypt-staging').spec.acme.solvers.map((s: any) => Object.keys(s))).toEqual([['http01']]);
  });

  test('an HTTPS route on a plain-HTTP gateway is an error naming the host', () => {
    const errors = errorsOf(platformFleet((p) => {
      p.install(Components.certManager());
      p.install(Components.gateway({ listeners: { https: false } }));
      p.addTenant('shop', { exposed: true });
    }, { apps: storefront }));
    expect(errors).toContain('c1/apps/shop/storefront: host "shop.c1.acme.dev" is served over HTTPS, but gateway "gateway/public" serves plain HTTP only (Components.gateway({ listeners: { https: false } })): set tls: false, or give the gateway an HTTPS listener');
  });

  test('a provided certificate: no issuer annotation, no redirect when turned off', () => {
    const all = Testing.synth(platformFleet((p) => {
      p.install(Components.gateway({ listeners: { https: { issuer: false, certificateSecret: 'wildcard-acme-dev', redirect: false } } }));
    })).objects;
    const gateway = find(all, 'Gateway', 'public');
    expect(gateway.spec.listeners[1].tls.certificateRefs[0].name).toBe('wildcard-acme-dev');
    expect(gateway.metadata.annotations['cert-manager.io/cluster-issuer']).toBeUndefined();
    expect(all.some((o) => o.kind === 'HTTPRoute')).toBe(false);
  });

  test('allowedRoutes: every namespace, or a selector of your labels the gateway namespace carries too', () => {
    const all = (allowedRoutes: object) => Testing.synth(platformFleet((p) => p.install(Components.gateway({ allowedRoutes })))).objects;
    expect(find(all({ from: 'All' }), 'Gateway', 'public').spec.listeners[0].allowedRoutes).toEqual({ namespaces: { from: 'All' } });
    const selected = all({ labels: { 'acme.dev/edge': 'yes' } });
    expect(find(selected, 'Gateway', 'public').spec.listeners[0].allowedRoutes).toEqual({ namespaces: { from: 'Selector', selector: { matchLabels: { 'acme.dev/edge': 'yes' } } } });
    expect(find(selected, 'Namespace', 'gateway').metadata.labels['acme.dev/edge']).toBe('yes');
  });

  test('the gateway namespace is not declared with createNamespace: false', () => {
    const all = Testing.synth(platformFleet((p) => {
      p.install(Components.gateway({ createNamespace: false, namespace: 'shared-edge' }));
      p.addTenant('shared-edge');
    })).objects;
    expect(all.filter((o) => o.kind === 'Namespace' && o.metadata.name === 'shared-edge')).toHaveLength(1); // the tenant's
    expect(all.some((o) => o.kind === 'NetworkPolicy' && o.metadata.name === 'default-deny' && o.metadata.namespace === 'shared-edge' && o.metadata.labels?.['app.kubernetes.io/part-of'] === undefined)).toBe(true);
  });

  const at = 'c1/infrastructure/configs/gateway';
  test.each([
    [{ listeners: { http: { name: 'Web' } } }, 'listeners.http.name "Web" is not a DNS-1123 subdomain'],
    [{ listeners: { http: { name: 'web' }, https: { name: 'web' } } }, 'listeners.http.name and listeners.https.name are both "web": routes attach to a listener by name'],
    [{ listeners: { http: { port: 0 } } }, 'listeners.http.port 0 is not a port (a whole number from 1 to 65535)'],
    [{ listeners: { https: { port: 80 } } }, 'listeners.http.port and listeners.https.port are both 80: HTTP and HTTPS cannot share a port'],
    [{ listeners: { https: { issuer: false } } }, 'listeners.https.issuer is false, but no listeners.https.certificateSecret names the Secret holding the certificate: name it, or leave issuer out'],
    [{ listeners: { https: { certificateSecret: 'Wildcard' } } }, 'listeners.https.certificateSecret "Wildcard" is not a DNS-1123 subdomain'],
    [{ allowedRoutes: { from: 'Some' } }, 'allowedRoutes.from "Some" is not one of "All", "Same", "Selector"'],
    [{ allowedRoutes: { from: 'All', labels: { a: 'b' } } }, 'allowedRoutes.labels apply only to from "Selector", not "All": leave them out'],
    [{ allowedRoutes: { labels: {} } }, 'allowedRoutes.labels is empty: a selector without labels admits every namespace; use from "All" to say so'],
    [{ namespace: 'kube-system', createNamespace: true }, 'createNamespace is true, but namespace "kube-system" is a system namespace, which strata never declares: leave createNamespace out'],
  ])('%j', (options, message) => {
    const errors = errorsOf(platformFleet((p) => { p.install(Components.certManager()); p.install(Components.gateway(options as never)); }));
    expect(errors.filter((e) => e.startsWith(`${at}: ${message}`))).toHaveLength(1);
  });
});

describe('cert-manager issuers and solvers', () => {
  test('renamed issuers: cluster.tlsIssuer, the gateway annotation and a Certificate naming it follow; the key Secret and directory are options', () => {
    const fleet = platformFleet((p, cluster) => {
      p.install(Components.certManager({ issuers: { production: { name: 'public-ca', server: 'https://acme.example.com/directory', privateKeySecretName: 'public-ca-account' } } }));
      p.install(Components.gateway());
      p.install({ name: 'certificate', install: (platform) => {
        new ApiObject(platform.configs, 'wildcard', {
          apiVersion: 'cert-manager.io/v1', kind: 'Certificate',
          metadata: { name: 'internal', namespace: 'gateway' },
          spec: { secretName: 'internal-tls', dnsNames: ['internal.acme.dev'], issuerRef: { kind: 'ClusterIssuer', name: cluster.tlsIssuer ?? 'none' } },
        });
      } });
    }, { provider: Provider.aws() });
    const all = Testing.synth(fleet).objects;
    expect(fleet.cluster('c1').tlsIssuer).toBe('public-ca');
    expect(find(all, 'ClusterIssuer', 'public-ca').spec.acme).toMatchObject({ server: 'https://acme.example.com/directory', privateKeySecretRef: { name: 'public-ca-account' } });
    expect(find(all, 'ClusterIssuer', 'letsencrypt-staging')).toBeDefined();
    expect(find(all, 'Gateway', 'public').metadata.annotations['cert-manager.io/cluster-issuer']).toBe('public-ca');
    expect(find(all, 'Certificate', 'internal').spec.issuerRef.name).toBe('public-ca');
  });

  test('on an ingress cluster the Ingress annotation names the renamed issuer', () => {
    const all = Testing.synth(platformFleet((p) => {
      p.install(Components.certManager({ issuer: 'staging', issuers: { staging: { name: 'le-test' } } }));
      p.install(Components.ingress());
      p.addTenant('shop', { exposed: true });
    }, { traffic: 'ingress', apps: storefront })).objects;
    expect(find(all, 'Ingress', 'storefront').metadata.annotations['cert-manager.io/cluster-issuer']).toBe('le-test');
    expect(find(all, 'ClusterIssuer', 'le-test').spec.acme.solvers).toEqual([{ http01: { ingress: { ingressClassName: 'traefik' } } }]);
  });

  test('solvers: DNS-01 with a provider of your own for given zones, HTTP-01 through the IngressClass on a gateway cluster', () => {
    const all = Testing.synth(platformFleet((p) => {
      p.install(Components.certManager({ solvers: { http01: 'ingress', dns01: { solver: { cloudflare: { apiTokenSecretRef: { name: 'cloudflare', key: 'token' } } }, zones: ['acme.dev', 'acme.io'] } } }));
    }, { provider: Provider.onPremises() })).objects;
    expect(find(all, 'ClusterIssuer', 'letsencrypt-production').spec.acme.solvers).toEqual([
      { dns01: { cloudflare: { apiTokenSecretRef: { name: 'cloudflare', key: 'token' } } }, selector: { dnsZones: ['acme.dev', 'acme.io'] } },
      { http01: { ingress: { ingressClassName: 'traefik' } } },
    ]);
  });

  test('DNS-01 only: a solver without zones solves every name', () => {
    const all = Testing.synth(platformFleet((p) => p.install(Components.certManager({ solvers: { http01: 'none', dns01: { solver: { route53: {} } } } })))).objects;
    expect(find(all, 'ClusterIssuer', 'letsencrypt-production').spec.acme.solvers).toEqual([{ dns01: { route53: { region: 'eu-west-1' } } }]);
  });

  test('cert-manager from the OCI registry, in its own namespace, named as on a live cluster', () => {
    const all = Testing.synth(platformFleet((p) => p.install(Components.certManager({ chart: { repository: 'oci://quay.io/jetstack/charts' }, placement: 'namespace', source: { name: 'cert-manager-chart' } })))).objects;
    expect(find(all, 'OCIRepository', 'cert-manager-chart', 'cert-manager').spec.url).toBe('oci://quay.io/jetstack/charts/cert-manager');
    expect(find(all, 'HelmRelease', 'cert-manager', 'cert-manager').spec.chartRef).toEqual({ kind: 'OCIRepository', name: 'cert-manager-chart' });
  });

  const at = 'c1/infrastructure/configs/cert-manager';
  test.each([
    [{ issuers: { staging: { name: 'LE' } } }, 'issuers.staging.name "LE" is not a DNS-1123 subdomain'],
    [{ issuers: { production: { server: 'http://acme.example.com' } } }, 'issuers.production.server "http://acme.example.com" is not an https:// URL of an ACME directory'],
    [{ issuers: { production: { privateKeySecretName: 'Key' } } }, 'issuers.production.privateKeySecretName "Key" is not a DNS-1123 subdomain'],
    [{ issuers: { staging: { name: 'le' }, production: { name: 'le' } } }, 'issuers.staging.name and issuers.production.name are both "le": two ClusterIssuers need two names'],
    [{ solvers: { http01: 'dns' } }, 'solvers.http01 "dns" is not one of "gateway", "ingress", "none"'],
    [{ solvers: { http01: 'gateway' } }, 'solvers.http01 is "gateway", but cluster "c1" has no gateway: install Components.gateway(), or solve through "ingress"'],
    [{ solvers: { http01: 'none' } }, 'solvers.http01 is "none" and no solvers.dns01 is given: the issuers could solve no challenge; give solvers.dns01'],
    [{ solvers: { dns01: { solver: { route53: {} }, zones: ['Acme.dev'] } } }, 'solvers.dns01.zones[0] "Acme.dev" is not a DNS-1123 subdomain'],
  ])('%j', (options, message) => {
    const errors = errorsOf(platformFleet((p) => p.install(Components.certManager(options as never)), { traffic: 'ingress' }));
    expect(errors).toEqual([expect.stringContaining(`${at}: ${message}`)]);
  });
});

describe('the Gateway API CRDs and the other catalog entries', () => {
  test('gateway-api: name, repository and intervals', () => {
    const all = Testing.synth(platformFleet((p) => p.install(Components.gatewayApi({ name: 'gateway-crds', repository: 'https://git.example.com/mirror/gateway-api', sourceInterval: '24h', interval: '6h', timeout: '2m' })))).objects;
    expect(find(all, 'GitRepository', 'gateway-crds').spec).toMatchObject({ url: 'https://git.example.com/mirror/gateway-api', interval: '24h' });
    expect(find(all, 'Kustomization', 'gateway-crds').spec).toMatchObject({ interval: '6h', timeout: '2m', sourceRef: { kind: 'GitRepository', name: 'gateway-crds' } });
  });

  test.each([
    [{ repository: 'git@example.com:x.git' }, 'gateway-api repository "git@example.com:x.git" is not an https:// or ssh:// Git URL'],
    [{ interval: '1 hour' }, 'interval "1 hour" is not a Flux duration'],
    [{ name: 'Gateway' }, 'gateway-api name "Gateway" is not a DNS-1123 label'],
  ])('gateway-api %j', (options, message) => {
    const errors = errorsOf(platformFleet((p) => p.install(Components.gatewayApi(options as never))));
    expect(errors).toEqual([expect.stringContaining(message)]);
  });

  test('Envoy Gateway: the CRD release names and the controller dependsOn follow', () => {
    const all = Testing.synth(platformFleet((p) => p.install(Components.envoyGateway({ name: 'envoy', crdRelease: { name: 'envoy-crds', releaseName: 'eg-crds', source: { name: 'envoy-crds-chart' } } })))).objects;
    expect(find(all, 'HelmRelease', 'envoy-crds').spec).toMatchObject({ releaseName: 'eg-crds', chartRef: { kind: 'OCIRepository', name: 'envoy-crds-chart' } });
    expect(find(all, 'HelmRelease', 'envoy').spec.dependsOn).toEqual([{ name: 'envoy-crds' }]);
    expect(find(all, 'OCIRepository', 'envoy').spec.url).toBe('oci://docker.io/envoyproxy/gateway-helm');
  });

  test('external-dns keeps a live TXT owner id', () => {
    const all = Testing.synth(platformFleet((p) => p.install(Components.externalDns({ txtOwnerId: 'eks-prod-1' })))).objects;
    expect(find(all, 'HelmRelease', 'external-dns').spec.values.txtOwnerId).toBe('eks-prod-1');
  });

  test('Traefik in a namespace of your choice: the ingress peer follows', () => {
    const fleet = platformFleet((p) => p.install(Components.ingress({ namespace: 'edge' })), { traffic: 'ingress' });
    const all = Testing.synth(fleet).objects;
    expect(find(all, 'HelmRelease', 'traefik').spec.targetNamespace).toBe('edge');
    expect(fleet.cluster('c1').ingressPeer?.namespace).toBe('edge');
  });
});
