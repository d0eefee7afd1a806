import { k8s } from 'cdk8s-plus-27';
import { parse } from 'yaml';
import { ClusterIssuer } from '../imports/cert-manager-clusterissuer-cert-manager.io.js';
import { HelmRelease } from '../imports/flux-helm-helm.toolkit.fluxcd.io.js';
import {
  Components, Fleet, Provider, Stage, Testing,
  type Cluster, type IComponent, type Manifest, type Platform,
} from '../lib/index.js';
import { errorsOf } from './support/errors.js';

/** One cluster `c1` on `provider`, with `define` as its platform. */
function fleetWith(define: (platform: Platform, cluster: Cluster) => void, provider = Provider.aws(), stage = Stage.PRODUCTION): Fleet {
  const fleet = new Fleet({ name: 'acme', domain: 'acme.dev' });
  fleet.addCluster('c1', { stage, region: 'eu-west-1', provider });
  fleet.platform(define);
  return fleet;
}

function objects(fleet: Fleet): Manifest[] {
  return Testing.synth(fleet).objects;
}

function find(fleet: Fleet, kind: string, name: string): Record<string, any> {
  const found = objects(fleet).find((o) => o.kind === kind && o.metadata.name === name);
  if (!found) throw new Error(`no ${kind} ${name}`);
  return found;
}

/** The infrastructure folders of `c1`, for snapshots. */
function infrastructure(fleet: Fleet): Record<string, string> {
  return Object.fromEntries(Object.entries(Testing.synth(fleet, { cluster: 'c1' }).files).filter(([path]) => path.startsWith('c1/infrastructure/')));
}

const CATALOG: Record<string, () => IComponent> = {
  metricsServer: () => Components.metricsServer(),
  certManager: () => Components.certManager({ email: 'platform@acme.dev' }),
  ingress: () => Components.ingress(),
  externalDns: () => Components.externalDns(),
  keda: () => Components.keda(),
  karpenter: () => Components.karpenter(),
  clusterAutoscaler: () => Components.clusterAutoscaler(),
  externalSecrets: () => Components.externalSecrets(),
};

describe('components', () => {
  test.each(Object.keys(CATALOG))('%s matches its snapshot', (name) => {
    expect(infrastructure(fleetWith((p) => p.install(CATALOG[name]())))).toMatchSnapshot();
  });

  test('a component is a HelmRelease in flux-system installing into its own, created, namespace with CRD policy and remediation', () => {
    const fleet = fleetWith((p) => p.install(Components.keda()));
    const release = find(fleet, 'HelmRelease', 'keda');
    expect(release.metadata.namespace).toBe('flux-system');
    expect(release.spec).toMatchObject({
      releaseName: 'keda',
      targetNamespace: 'keda',
      storageNamespace: 'keda',
      chart: { spec: { chart: 'keda', version: '2.20.2', sourceRef: { kind: 'HelmRepository', name: 'keda' } } },
      install: { crds: 'Create', remediation: { retries: 3 } },
      upgrade: { crds: 'CreateReplace', remediation: { retries: 3, remediateLastFailure: true } },
    });
    expect(find(fleet, 'HelmRepository', 'keda').spec.url).toBe('https://kedacore.github.io/charts');
    expect(find(fleet, 'Namespace', 'keda')).toBeDefined();
    expect(Object.keys(Testing.synth(fleet).files)).toContain('c1/infrastructure/controllers/flux-system/helmrelease-keda.yaml');
  });

  test('components in kube-system create no namespace', () => {
    const fleet = fleetWith((p) => p.install(Components.metricsServer()));
    expect(find(fleet, 'HelmRelease', 'metrics-server').spec.targetNamespace).toBe('kube-system');
    expect(objects(fleet).filter((o) => o.kind === 'Namespace')).toEqual([]);
  });

  test('an OCI chart is an OCIRepository selecting the Helm layer, referenced by chartRef', () => {
    const fleet = fleetWith((p) => p.install(Components.karpenter()));
    expect(find(fleet, 'HelmRelease', 'karpenter').spec.chartRef).toEqual({ kind: 'OCIRepository', name: 'karpenter' });
    expect(find(fleet, 'HelmRelease', 'karpenter').spec.chart).toBeUndefined();
    expect(find(fleet, 'OCIRepository', 'karpenter').spec).toMatchObject({
      url: 'oci://public.ecr.aws/karpenter/karpenter',
      ref: { tag: '1.14.1' },
      layerSelector: { mediaType: 'application/vnd.cncf.helm.chart.content.v1.tar+gzip', operation: 'copy' },
    });
  });

  test('a semver range on an OCI chart becomes the OCIRepository semver', () => {
    const fleet = fleetWith((p) => p.install(Components.karpenter({ version: '~1.14.0' })));
    expect(find(fleet, 'OCIRepository', 'karpenter').spec.ref).toEqual({ semver: '~1.14.0' });
  });

  test('values are merged over the catalog defaults, and the version can be changed', () => {
    const fleet = fleetWith((p) => p.install(Components.ingress({ version: '41.7.1', values: { deployment: { replicas: 3 }, logs: { general: { level: 'DEBUG' } } } })));
    const spec = find(fleet, 'HelmRelease', 'traefik').spec;
    expect(spec.chart.spec.version).toBe('41.7.1');
    expect(spec.values.deployment).toEqual({ replicas: 3 });
    expect(spec.values.logs).toEqual({ general: { level: 'DEBUG' } });
    expect(spec.values.ingressClass).toEqual({ enabled: true, isDefaultClass: true, name: 'traefik' });
  });

  test('dependsOn waits for other releases', () => {
    const fleet = fleetWith((p) => {
      p.install(Components.certManager());
      p.install(Components.externalSecrets({ dependsOn: ['cert-manager'] }));
    });
    expect(find(fleet, 'HelmRelease', 'external-secrets').spec.dependsOn).toEqual([{ name: 'cert-manager' }]);
  });

  test('any chart installs the same way through Components.helm', () => {
    const fleet = fleetWith((p) =>
      p.install(Components.helm({ name: 'podinfo', namespace: 'podinfo', chart: { repository: 'oci://ghcr.io/stefanprodan/charts', name: 'podinfo', version: '6.9.0' }, values: { replicaCount: 2 } })),
    );
    expect(find(fleet, 'HelmRelease', 'podinfo').spec.values).toEqual({ replicaCount: 2 });
    expect(find(fleet, 'OCIRepository', 'podinfo').spec.url).toBe('oci://ghcr.io/stefanprodan/charts/podinfo');
  });

  test('each component records its capability on the cluster', () => {
    const fleet = fleetWith((p) => {
      for (const name of ['metricsServer', 'certManager', 'ingress', 'externalDns', 'keda', 'externalSecrets']) p.install(CATALOG[name]());
      p.install(Components.nodeAutoscaler());
    });
    fleet.render();
    expect([...fleet.cluster('c1').capabilities].sort()).toEqual(['cert-manager', 'external-dns', 'external-secrets', 'ingress', 'karpenter', 'keda', 'metrics-server']);
  });

  test('metrics-server is only recorded where the provider runs it (GKE)', () => {
    const fleet = fleetWith((p) => p.install(Components.metricsServer()), Provider.gcp());
    expect(objects(fleet).filter((o) => o.kind === 'HelmRelease')).toEqual([]);
    expect(fleet.cluster('c1').capabilities.has('metrics-server')).toBe(true);
  });

  test('metrics-server and the ingress controller run two replicas with a PDB in production, one elsewhere', () => {
    const spec = (stage: Stage, name: string) => find(fleetWith((p) => { p.install(Components.metricsServer()); p.install(Components.ingress()); }, Provider.aws(), stage), 'HelmRelease', name).spec.values;
    expect(spec(Stage.PRODUCTION, 'metrics-server')).toEqual({ replicas: 2, podDisruptionBudget: { enabled: true, minAvailable: 1 } });
    expect(spec(Stage.DEVELOPMENT, 'metrics-server')).toEqual({ replicas: 1 });
    expect(spec(Stage.PRODUCTION, 'traefik').deployment).toEqual({ replicas: 2 });
    expect(spec(Stage.DEVELOPMENT, 'traefik').podDisruptionBudget).toBeUndefined();
  });
});

describe('cert-manager', () => {
  test('installs with its CRDs and ClusterIssuers for ACME staging and production in infrastructure/configs', () => {
    const fleet = fleetWith((p) => p.install(Components.certManager({ email: 'platform@acme.dev' })));
    const files = Object.keys(Testing.synth(fleet).files);
    expect(files).toContain('c1/infrastructure/configs/_cluster/clusterissuer-letsencrypt-production.yaml');
    expect(files).toContain('c1/infrastructure/configs/_cluster/clusterissuer-letsencrypt-staging.yaml');
    expect(find(fleet, 'HelmRelease', 'cert-manager').spec.values).toEqual({ crds: { enabled: true, keep: true } });
    expect(find(fleet, 'ClusterIssuer', 'letsencrypt-production').spec.acme).toEqual({
      server: 'https://acme-v02.api.letsencrypt.org/directory',
      email: 'platform@acme.dev',
      privateKeySecretRef: { name: 'letsencrypt-production' },
      solvers: [{ http01: { ingress: { ingressClassName: 'traefik' } } }],
    });
    expect(find(fleet, 'ClusterIssuer', 'letsencrypt-staging').spec.acme.server).toBe('https://acme-staging-v02.api.letsencrypt.org/directory');
  });

  test('production clusters issue from production, others from staging, unless overridden', () => {
    const issuer = (stage: Stage, props = {}) => {
      const fleet = fleetWith((p) => p.install(Components.certManager(props)), Provider.aws(), stage);
      fleet.render();
      return fleet.cluster('c1').tlsIssuer;
    };
    expect(issuer(Stage.PRODUCTION)).toBe('letsencrypt-production');
    expect(issuer(Stage.STAGING)).toBe('letsencrypt-staging');
    expect(issuer(Stage.DEVELOPMENT, { issuer: 'production' })).toBe('letsencrypt-production');
  });

  test('an unknown issuer is an error', () => {
    expect(errorsOf(fleetWith((p) => p.install(Components.certManager({ issuer: 'prod' as never }))))).toEqual([
      'c1: cert-manager issuer "prod" is not one of staging, production',
    ]);
  });

  test('an invalid e-mail is an error', () => {
    expect(errorsOf(fleetWith((p) => p.install(Components.certManager({ email: 'platform.acme.dev' }))))).toEqual([
      'c1: cert-manager email "platform.acme.dev" is not an e-mail address',
    ]);
  });
});

describe('ingress, DNS and node autoscaling follow the provider', () => {
  test('the ingress controller registers the profile class, uses its load balancer annotations and sets ingressPeer', () => {
    const fleet = fleetWith((p) => p.install(Components.ingress()), Provider.gcp());
    const values = find(fleet, 'HelmRelease', 'traefik').spec.values;
    expect(values.service).toEqual({ annotations: { 'cloud.google.com/l4-rbs': 'enabled' } });
    expect(values.providers).toEqual({ kubernetesIngress: { publishedService: { enabled: true } } });
    expect(fleet.cluster('c1').ingressPeer).toEqual({ namespace: 'traefik', podLabels: { 'app.kubernetes.io/name': 'traefik' } });
  });

  test('external-dns uses the profile DNS service, owns records as the cluster, never deletes by default', () => {
    const values = (provider: Provider) => find(fleetWith((p) => p.install(Components.externalDns()), provider), 'HelmRelease', 'external-dns').spec.values;
    expect(values(Provider.aws())).toEqual({
      provider: { name: 'aws' }, sources: ['service', 'ingress'], domainFilters: ['c1.acme.dev'], policy: 'upsert-only', registry: 'txt', txtOwnerId: 'c1',
    });
    expect(values(Provider.gcp()).provider).toEqual({ name: 'google' });
    expect(values(Provider.onPremises({ externalDnsProvider: 'rfc2136' })).provider).toEqual({ name: 'rfc2136' });
  });

  test('external-dns without a DNS service is an error', () => {
    expect(errorsOf(fleetWith((p) => p.install(Components.externalDns()), Provider.onPremises()))).toEqual([
      `c1: external-dns: provider "on-premises" has no DNS service: set Components.externalDns({ provider: '...' }) or leave external-dns out on this cluster`,
    ]);
  });

  test('nodeAutoscaler installs Karpenter on aws and cluster-autoscaler, configured for the cloud, elsewhere', () => {
    const releases = (provider: Provider) => objects(fleetWith((p) => p.install(Components.nodeAutoscaler()), provider)).filter((o) => o.kind === 'HelmRelease');
    expect(releases(Provider.aws()).map((r) => r.metadata.name)).toEqual(['karpenter']);
    expect(releases(Provider.aws())[0].spec).toMatchObject({ targetNamespace: 'kube-system', values: { settings: { clusterName: 'c1' } } });
    const gcp = releases(Provider.gcp());
    expect(gcp.map((r) => r.metadata.name)).toEqual(['cluster-autoscaler']);
    expect((gcp[0].spec as any).values).toMatchObject({ cloudProvider: 'gce', autoscalingGroupsnamePrefix: [{ name: 'gke-c1', minSize: 1, maxSize: 10 }] });
    expect((releases(Provider.azure())[0].spec as any).values).toMatchObject({ cloudProvider: 'azure', autoDiscovery: { clusterName: 'c1' } });
  });

  test('cluster-autoscaler on aws discovers node groups by cluster name in the cluster region', () => {
    const values = find(fleetWith((p) => p.install(Components.clusterAutoscaler())), 'HelmRelease', 'cluster-autoscaler').spec.values;
    expect(values).toMatchObject({ cloudProvider: 'aws', awsRegion: 'eu-west-1', autoDiscovery: { clusterName: 'c1' } });
  });

  test('a provider without node autoscaler, Karpenter off aws and bad node groups are errors', () => {
    expect(errorsOf(fleetWith((p) => p.install(Components.nodeAutoscaler()), Provider.onPremises()))).toEqual([
      'c1: provider "on-premises" has no node autoscaler: leave Components.nodeAutoscaler() out on this cluster, or set nodeAutoscaler in its provider profile',
    ]);
    expect(errorsOf(fleetWith((p) => p.install(Components.karpenter()), Provider.gcp()))).toEqual([
      'c1: karpenter runs on aws only, not on provider "gcp": use Components.nodeAutoscaler(), which picks the provider\'s autoscaler',
    ]);
    expect(errorsOf(fleetWith((p) => p.install(Components.clusterAutoscaler()), Provider.onPremises()))).toEqual([
      'c1: cluster-autoscaler needs a cloud to add nodes from; provider "on-premises" has none: leave it out on this cluster',
    ]);
    expect(errorsOf(fleetWith((p) => p.install(Components.clusterAutoscaler({ nodeGroups: [{ prefix: 'gke-c1', min: 5, max: 3 }] })), Provider.gcp()))).toEqual([
      'c1: cluster-autoscaler node group "gke-c1": min (5) and max (3) must be whole numbers with 0 <= min <= max',
    ]);
  });
});

describe('tenants', () => {
  const tenantFleet = (define?: (p: Platform) => void) => {
    const fleet = fleetWith((p) => {
      define?.(p);
      p.addTenant('shop', { quota: { cpu: '20', memory: '64Gi', pods: 100 }, group: 'team-shop' });
    });
    fleet.apps('shop', (apps) => new k8s.KubeConfigMap(apps, 'settings', { metadata: { name: 'settings' } }));
    return fleet;
  };

  test('matches its snapshot', () => {
    expect(infrastructure(tenantFleet())).toMatchSnapshot();
  });

  test('the namespace enforces Pod Security restricted', () => {
    expect(find(tenantFleet(), 'Namespace', 'shop').metadata.labels).toMatchObject({
      'pod-security.kubernetes.io/enforce': 'restricted',
      'pod-security.kubernetes.io/audit': 'restricted',
      'pod-security.kubernetes.io/warn': 'restricted',
    });
  });

  test('quota, default requests and limits', () => {
    const fleet = tenantFleet();
    expect(find(fleet, 'ResourceQuota', 'quota').spec.hard).toEqual({ 'requests.cpu': '20', 'requests.memory': '64Gi', 'limits.memory': '64Gi', pods: 100 });
    expect(find(fleet, 'LimitRange', 'defaults').spec.limits).toEqual([
      { type: 'Container', defaultRequest: { cpu: '100m', memory: '128Mi' }, default: { memory: '1Gi' } },
    ]);
  });

  test('default-deny networking with DNS egress to kube-dns over UDP and TCP', () => {
    const fleet = tenantFleet();
    expect(find(fleet, 'NetworkPolicy', 'default-deny').spec).toEqual({ podSelector: {}, policyTypes: ['Ingress', 'Egress'] });
    expect(find(fleet, 'NetworkPolicy', 'allow-dns').spec.egress).toEqual([{
      // CoreDNS pods, and the node-local cache on its link-local address (aws profile).
      to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } }, podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } } }, { ipBlock: { cidr: '169.254.20.10/32' } }],
      ports: [{ protocol: 'UDP', port: 53 }, { protocol: 'TCP', port: 53 }],
    }]);
  });

  test("the team's group may edit its namespace", () => {
    const binding = find(tenantFleet(), 'RoleBinding', 'team-edit');
    expect(binding.metadata.namespace).toBe('shop');
    expect(binding.roleRef).toEqual({ apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'edit' });
    expect(binding.subjects).toEqual([{ apiGroup: 'rbac.authorization.k8s.io', kind: 'Group', name: 'team-shop' }]);
  });

  test("the tenant's apps reconcile from their own folder as a ServiceAccount bound only in the tenant's namespace", () => {
    const fleet = tenantFleet();
    const sa = find(fleet, 'ServiceAccount', 'shop-reconciler');
    expect(sa.metadata.namespace).toBe('flux-system');
    const binding = find(fleet, 'RoleBinding', 'flux-reconciler');
    expect(binding.metadata.namespace).toBe('shop');
    expect(binding.subjects).toEqual([{ kind: 'ServiceAccount', name: 'shop-reconciler', namespace: 'flux-system' }]);
    const sync = find(fleet, 'Kustomization', 'apps-shop');
    expect(sync.metadata.namespace).toBe('flux-system');
    expect(sync.spec).toMatchObject({ serviceAccountName: 'shop-reconciler', path: './dist/c1/apps/shop', dependsOn: [{ name: 'infrastructure-configs' }] });
    const files = Testing.synth(fleet).files;
    expect(files['c1/apps/shop/kustomization.yaml']).toBe('apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n  - configmap-settings.yaml\n');
    expect(parse(files['c1/apps/shop/configmap-settings.yaml']).metadata.namespace).toBe('shop');
    expect(find(fleet, 'Kustomization', 'infrastructure-configs').spec.serviceAccountName).toBe('kustomize-controller');
  });

  test('a namespace without tenant gets its own folder applied with the layer identity', () => {
    const fleet = tenantFleet((p) => new k8s.KubeNamespace(p.configs, 'tools', { metadata: { name: 'tools' } }));
    fleet.apps('tools', (apps) => new k8s.KubeConfigMap(apps, 'c', { metadata: { name: 'c' } }));
    const sync = find(fleet, 'Kustomization', 'apps-tools');
    expect(sync.spec.path).toBe('./dist/c1/apps/tools');
    expect(sync.spec.serviceAccountName).toBe('kustomize-controller');
  });

  test('a layer after apps waits for every namespace folder; with none, for what apps waits for', () => {
    const fleet = tenantFleet();
    fleet.addLayer('monitoring');
    expect(find(fleet, 'Kustomization', 'monitoring').spec.dependsOn).toEqual([{ name: 'apps-shop' }]);
    const empty = fleetWith(() => undefined);
    empty.addLayer('monitoring');
    new k8s.KubeConfigMap(empty.cluster('c1').layer('monitoring'), 'c', { metadata: { name: 'c', namespace: 'kube-system' } });
    expect(find(empty, 'Kustomization', 'monitoring').spec.dependsOn).toEqual([{ name: 'infrastructure-configs' }]);
  });

  test('admits the ingress controller to cert-manager HTTP-01 solvers, even when declared before them', () => {
    const fleet = tenantFleet();
    fleet.platform((p) => { p.install(Components.certManager()); p.install(Components.ingress()); });
    expect(find(fleet, 'NetworkPolicy', 'allow-acme-http01-solver').spec).toEqual({
      podSelector: { matchLabels: { 'acme.cert-manager.io/http01-solver': 'true' } },
      policyTypes: ['Ingress'],
      ingress: [{
        from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'traefik' } }, podSelector: { matchLabels: { 'app.kubernetes.io/name': 'traefik' } } }],
        ports: [{ protocol: 'TCP', port: 8089 }],
      }],
    });
    expect(objects(tenantFleet()).filter((o) => o.metadata.name === 'allow-acme-http01-solver')).toEqual([]);
  });

  test('invalid names and quantities are errors', () => {
    const fleet = fleetWith((p) => p.addTenant('shop', { quota: { cpu: '20 cores', memory: '64Gi' }, defaults: { memoryLimit: 'lots' } }));
    expect(errorsOf(fleet)).toEqual([
      'c1/infrastructure/configs/tenant-shop: tenant "shop": quota.cpu "20 cores" is not a Kubernetes quantity (e.g. "20", "500m", "64Gi")',
      'c1/infrastructure/configs/tenant-shop: tenant "shop": defaults.memoryLimit "lots" is not a Kubernetes quantity (e.g. "20", "500m", "64Gi")',
    ]);
    expect(errorsOf(fleetWith((p) => p.addTenant('Shop'))).filter((e) => e.includes('tenant name'))).toEqual([
      expect.stringMatching(/^c1\/infrastructure\/configs\/tenant-Shop: tenant name "Shop" is not a DNS-1123 label/),
    ]);
  });

  test('a tenant in a layer without a folder per namespace is an error', () => {
    const fleet = fleetWith((p) => p.addTenant('shop', { layer: 'infrastructure/configs' }));
    expect(errorsOf(fleet)).toEqual([
      `c1: tenant "shop": layer "infrastructure/configs" puts all namespaces in one folder, so Flux could not apply the tenant's apps as its own ServiceAccount: use a layer with folderPerNamespace`,
    ]);
  });

  test("an object in another namespace inside a tenant's folder is an error", () => {
    const fleet = tenantFleet((p) => new k8s.KubeNamespace(p.configs, 'payments', { metadata: { name: 'payments' } }));
    fleet.apps('shop', (apps) => new k8s.KubeConfigMap(apps, 'stolen', { metadata: { name: 'stolen', namespace: 'payments' } }));
    expect(errorsOf(fleet)).toEqual([
      'c1/apps: ConfigMap "stolen" is in namespace "payments", but folder "apps/shop" is applied as ServiceAccount "shop-reconciler", which may change only namespace "shop"',
    ]);
  });

  test('an object outside any namespace in the apps layer is an error', () => {
    const fleet = tenantFleet();
    fleet.eachCluster((c) => new k8s.KubeClusterRole(c.layer('apps'), 'reader', { metadata: { name: 'reader' } }));
    expect(errorsOf(fleet)).toEqual([
      `c1/apps: ClusterRole "reader" is outside any namespace: layer "apps" has a folder per namespace, declare it inside fleet.apps('<namespace>', ...)`,
    ]);
  });
});

describe('alerts', () => {
  test('a Slack provider with its address in a Secret, and an alert for every failed Kustomization and HelmRelease', () => {
    const fleet = fleetWith((p) => p.alerts({ type: 'slack', secretName: 'slack-webhook', channel: '#platform-alerts' }));
    const provider = find(fleet, 'Provider', 'slack');
    expect(provider.metadata.namespace).toBe('flux-system');
    expect(provider.spec).toEqual({ type: 'slack', channel: '#platform-alerts', secretRef: { name: 'slack-webhook' } });
    const alert = find(fleet, 'Alert', 'slack');
    expect(alert.metadata.namespace).toBe('flux-system');
    expect(alert.spec).toEqual({
      providerRef: { name: 'slack' },
      eventSeverity: 'error',
      eventSources: [{ kind: 'Kustomization', name: '*' }, { kind: 'HelmRelease', name: '*' }],
      eventMetadata: { cluster: 'c1', stage: 'production' },
    });
    expect(infrastructure(fleet)).toMatchSnapshot();
  });

  test('Microsoft Teams and generic webhooks, named as asked', () => {
    const fleet = fleetWith((p) => {
      p.alerts({ type: 'msteams', secretName: 'teams-webhook' });
      p.alerts({ type: 'generic', secretName: 'oncall-webhook', name: 'oncall', severity: 'info' });
    });
    expect(find(fleet, 'Provider', 'msteams').spec).toEqual({ type: 'msteams', secretRef: { name: 'teams-webhook' } });
    expect(find(fleet, 'Provider', 'oncall').spec).toEqual({ type: 'generic', secretRef: { name: 'oncall-webhook' } });
    expect(find(fleet, 'Alert', 'oncall').spec.eventSeverity).toBe('info');
  });

  test('a bad type, secret name or a channel outside Slack is an error', () => {
    expect(errorsOf(fleetWith((p) => p.alerts({ type: 'msteams', secretName: 'Teams_Hook', channel: '#x' })))).toEqual([
      expect.stringMatching(/^c1\/infrastructure\/controllers\/alerts-msteams: alerts secretName "Teams_Hook" is not a DNS-1123 subdomain/),
      'c1/infrastructure/controllers/alerts-msteams: alerts channel "#x" applies to slack only, not "msteams"',
    ]);
    expect(errorsOf(fleetWith((p) => p.alerts({ type: 'pager' as never, secretName: 'hook' })))).toContain(
      'c1/infrastructure/controllers/alerts-pager: alerts type "pager" is not supported (valid: slack, msteams, generic)',
    );
    expect(errorsOf(fleetWith((p) => p.alerts({ type: 'slack', secretName: 'hook', name: 'On Call' })))).toEqual([
      expect.stringMatching(/^c1\/infrastructure\/controllers\/alerts-On Call\/provider: Provider name "On Call" is not a DNS-1123 subdomain/),
      expect.stringMatching(/^c1\/infrastructure\/controllers\/alerts-On Call\/alert: Alert name "On Call" is not a DNS-1123 subdomain/),
    ]);
  });
});

describe('ordering and consistency errors', () => {
  const issuer = (scope: Parameters<typeof fleetWith>[0] extends (p: infer P, c: Cluster) => void ? P : never, layer: 'controllers' | 'configs') =>
    new ClusterIssuer(scope[layer], 'my-issuer', { metadata: { name: 'my-issuer' }, spec: { selfSigned: {} } });

  test('an object whose kind comes from a component not installed on the cluster', () => {
    expect(errorsOf(fleetWith((p) => issuer(p, 'configs')))).toEqual([
      'c1/infrastructure/configs/my-issuer: ClusterIssuer my-issuer (cert-manager.io) needs cert-manager, but cluster c1 does not install it (installed: nothing): add Components.certManager() to its platform',
    ]);
  });

  test('a custom resource in the layer that installs its CRDs', () => {
    const fleet = fleetWith((p) => {
      p.install(Components.certManager());
      issuer(p, 'controllers');
    });
    expect(errorsOf(fleet)).toEqual([
      'c1/infrastructure/controllers/my-issuer: ClusterIssuer my-issuer (cert-manager.io) is in layer infrastructure/controllers, which Flux does not reconcile after infrastructure/controllers, where cert-manager installs its CRDs: declare it in a layer that depends on infrastructure/controllers (e.g. infrastructure/configs)',
    ]);
    expect(() => fleetWith((p) => { p.install(Components.certManager()); issuer(p, 'configs'); }).render()).not.toThrow();
  });

  test('a namespaced object whose namespace no layer creates', () => {
    const fleet = fleetWith(() => undefined);
    fleet.apps('payments', (apps) => new k8s.KubeConfigMap(apps, 'c', { metadata: { name: 'c' } }));
    expect(errorsOf(fleet)).toEqual([
      `c1/apps/payments/c: ConfigMap c: namespace "payments" is not created on the cluster: declare it (e.g. platform.addTenant('payments')), declare it external if another repository creates it (platform.externalNamespace('payments')) or use a system namespace (default, flux-system, kube-node-lease, kube-public, kube-system)`,
    ]);
  });

  test('system namespaces need no declaration', () => {
    const fleet = fleetWith((p) => new k8s.KubeConfigMap(p.configs, 'c', { metadata: { name: 'c', namespace: 'kube-system' } }));
    expect(() => fleet.render()).not.toThrow();
  });

  test('a namespace created in a layer Flux reconciles later', () => {
    const fleet = fleetWith((p) => {
      new k8s.KubeConfigMap(p.controllers, 'c', { metadata: { name: 'c', namespace: 'team' } });
      new k8s.KubeNamespace(p.configs, 'team', { metadata: { name: 'team' } });
    });
    expect(errorsOf(fleet)).toEqual([
      'c1/infrastructure/controllers/c: ConfigMap c: namespace "team" is created in c1/infrastructure/configs, which Flux does not reconcile before c1/infrastructure/controllers: create it in c1/infrastructure/controllers or in a layer c1/infrastructure/controllers depends on',
    ]);
  });

  test('a HelmRelease depending on a release that does not exist', () => {
    const fleet = fleetWith((p) => p.install(Components.externalSecrets({ dependsOn: ['cert-manager'] })));
    expect(errorsOf(fleet)).toEqual([
      'c1/infrastructure/controllers/external-secrets/release: dependsOn HelmRelease flux-system/cert-manager does not exist on this cluster',
    ]);
    const handMade = fleetWith((p) => new HelmRelease(p.controllers, 'x', { metadata: { name: 'x', namespace: 'flux-system' }, spec: { interval: '1h', dependsOn: [{ name: 'y', namespace: 'other' }], chartRef: { kind: 'OCIRepository' as never, name: 'x' } } }));
    expect(errorsOf(handMade)).toContain('c1/infrastructure/controllers/x: dependsOn HelmRelease other/y does not exist on this cluster');
  });

  test('a component installed twice, or two components providing one capability', () => {
    expect(errorsOf(fleetWith((p) => { p.install(Components.keda()); p.install(Components.keda({ version: '2.20.1' })); }))).toEqual([
      'c1: component "keda" is installed twice on cluster "c1": install each component once',
    ]);
    expect(errorsOf(fleetWith((p) => { p.install(Components.karpenter()); p.install(Components.nodeAutoscaler()); }))).toEqual([
      'c1: component "karpenter" is installed twice on cluster "c1": install each component once',
    ]);
    const twoIngresses = fleetWith((p) => {
      p.install(Components.ingress());
      p.install(Components.helm({ name: 'haproxy', namespace: 'haproxy', chart: { repository: 'https://haproxytech.github.io/helm-charts', name: 'kubernetes-ingress', version: '1.44.0' }, capabilities: ['ingress'] }));
    });
    expect(errorsOf(twoIngresses)).toEqual([
      'c1: component "haproxy" provides "ingress", which component "traefik" already provides on cluster "c1": install only one of them',
    ]);
  });

  test('components may share a namespace, which is created once', () => {
    const fleet = fleetWith((p) => {
      p.install(Components.helm({ name: 'loki', namespace: 'monitoring', chart: { repository: 'https://grafana.github.io/helm-charts', name: 'loki', version: '6.30.0' } }));
      p.install(Components.helm({ name: 'tempo', namespace: 'monitoring', chart: { repository: 'https://grafana.github.io/helm-charts', name: 'tempo', version: '1.21.0' } }));
    });
    expect(objects(fleet).filter((o) => o.kind === 'Namespace').map((o) => o.metadata.name)).toEqual(['monitoring']);
  });

  test('invalid component, namespace and chart names are errors', () => {
    const fleet = fleetWith((p) => p.install(Components.helm({ name: 'My_Chart', namespace: 'Tools', chart: { repository: 'https://charts.example.com', name: 'Bad Chart', version: '1.0.0' } })));
    expect(errorsOf(fleet)).toEqual(expect.arrayContaining([
      expect.stringMatching(/^c1\/infrastructure\/controllers\/My_Chart: chart name "Bad Chart" is not a DNS-1123 subdomain/),
      expect.stringMatching(/^c1\/infrastructure\/controllers\/My_Chart: component name "My_Chart" is not a DNS-1123 label/),
      expect.stringMatching(/^c1\/infrastructure\/controllers\/My_Chart: component namespace "Tools" is not a DNS-1123 label/),
    ]));
  });

  test('a floating chart version or a non-https repository is an error', () => {
    const fleet = fleetWith((p) => {
      p.install(Components.keda({ version: 'latest' }));
      p.install(Components.helm({ name: 'x', namespace: 'x', chart: { repository: 'http://charts.example.com', name: 'x', version: '1.0.0' } }));
    });
    expect(errorsOf(fleet)).toEqual([
      'c1/infrastructure/controllers/keda: chart version "latest" is neither a semver version nor a semver range: give an exact version (e.g. "1.2.3") or a bounded semver range (e.g. "~1.2.0", "^1.2.0", ">=1.2.0 <2.0.0")',
      'c1/infrastructure/controllers/x: chart repository "http://charts.example.com" is not an https:// or oci:// URL',
    ]);
  });
});

describe('a whole cluster', () => {
  test("the example platform's infrastructure layers match their snapshot", () => {
    const fleet = fleetWith((p) => {
      p.install(Components.metricsServer());
      p.install(Components.certManager({ email: 'platform@acme.dev' }));
      p.install(Components.ingress());
      p.install(Components.externalDns());
      p.install(Components.keda());
      p.install(Components.nodeAutoscaler());
      p.install(Components.externalSecrets());
      p.addTenant('shop', { quota: { cpu: '20', memory: '64Gi' }, group: 'team-shop' });
      p.alerts({ type: 'slack', secretName: 'slack-webhook' });
    });
    const files = Testing.synth(fleet, { cluster: 'c1' }).files;
    expect(Object.fromEntries(Object.entries(files).filter(([path]) => !path.startsWith('c1/apps/')))).toMatchSnapshot();
  });
});
