// Layer Kustomizations: every name and reconcile option is the user's, strata's values the defaults.
import { ApiObject } from 'cdk8s';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { Fleet, LayerSource, Provider, Stage, Testing, type ClusterProps, type FleetProps, type Manifest, type OciLayerSourceProps } from '../lib/index.js';
import { errorsOf } from './support/errors.js';
import { kustomizeBuild } from './support/kubectl.js';
import { schemaErrors } from '../lib/validate/schema.js';

const CLUSTER: ClusterProps = { stage: Stage.PRODUCTION, region: 'eu-west-1', provider: Provider.aws() };

/** A fleet of one cluster `c1` whose platform declares the tenants `shop` and `blog` (two apps folders). */
function fleetOf(props: Partial<FleetProps> = {}, cluster: Partial<ClusterProps> = {}): Fleet {
  const fleet = new Fleet({ name: 'acme', ...props });
  fleet.addCluster('c1', { ...CLUSTER, ...cluster });
  fleet.platform((p) => {
    p.addTenant('shop');
    p.addTenant('blog');
  });
  return fleet;
}

function kustomizations(fleet: Fleet, cluster = 'c1'): (Manifest & { spec: Record<string, any> })[] {
  return Testing.synth(fleet, { cluster }).objects.filter((o) => o.kind === 'Kustomization') as never;
}

function byName(fleet: Fleet, name: string): Manifest & { spec: Record<string, any> } {
  const found = kustomizations(fleet).find((k) => k.metadata.name === name);
  if (!found) throw new Error(`no Kustomization ${name} among ${kustomizations(fleet).map((k) => k.metadata.name).join(', ')}`);
  return found;
}

describe('layer Kustomization names', () => {
  test('naming nothing is the default: today\'s names and options given explicitly render byte-identical', () => {
    // test/example.test.ts pins the example fleet's dist/, which this change leaves as it was.
    const today = { interval: '1h', retryInterval: '2m', timeout: '5m', prune: true, wait: true };
    const explicit = fleetOf({
      repository: { url: 'ssh://git@github.com/acme/fleet.git' },
      layerSource: LayerSource.fleetRepository(),
      layers: {
        controllers: { name: 'infrastructure-controllers', ...today },
        configs: { name: 'infrastructure-configs', ...today },
        apps: { name: 'apps-{namespace}', folderPerNamespace: true, source: LayerSource.fleetRepository(), ...today },
      },
    });
    const implicit = fleetOf({ repository: { url: 'ssh://git@github.com/acme/fleet.git' } });
    expect(Testing.synth(explicit).files).toEqual(Testing.synth(implicit).files);
  });

  test('by default strata names them after their paths', () => {
    expect(kustomizations(fleetOf()).map((k) => k.metadata.name)).toEqual(['infrastructure-controllers', 'infrastructure-configs', 'apps-blog', 'apps-shop']);
  });

  test('the default layers take the names of a fleet that follows Flux\'s example repository, dependsOn following', () => {
    const fleet = fleetOf({ layers: { controllers: { name: 'infra-controllers' }, configs: { name: 'infra-configs' }, apps: { name: 'apps-{namespace}-live' } } });
    const ks = kustomizations(fleet);
    expect(ks.map((k) => [k.metadata.name, k.spec.dependsOn])).toEqual([
      ['infra-controllers', undefined],
      ['infra-configs', [{ name: 'infra-controllers' }]],
      ['apps-blog-live', [{ name: 'infra-configs' }]],
      ['apps-shop-live', [{ name: 'infra-configs' }]],
    ]);
    // The folders keep their paths: only the Kustomizations' names change.
    expect(ks.map((k) => k.spec.path)).toEqual(['./dist/c1/infrastructure/controllers', './dist/c1/infrastructure/configs', './dist/c1/apps/blog', './dist/c1/apps/shop']);
  });

  test('a folder-per-namespace layer names its folders with a function of the namespace', () => {
    const fleet = fleetOf({ layers: { apps: { name: (ns) => (ns === 'shop' ? 'apps' : `apps-${ns}`) } } });
    expect(kustomizations(fleet).map((k) => k.metadata.name)).toEqual(['infrastructure-controllers', 'infrastructure-configs', 'apps-blog', 'apps']);
  });

  test('one apps Kustomization for every namespace, as in Flux\'s example repository', () => {
    const fleet = fleetOf({ layers: { apps: { name: 'apps', folderPerNamespace: false } } });
    // A tenant needs its own folder (it is applied as its own ServiceAccount): use a fleet without tenants.
    const plain = new Fleet({ name: 'acme', layers: { apps: { name: 'apps', folderPerNamespace: false } } });
    plain.addCluster('c1', CLUSTER);
    plain.apps('shop', () => undefined);
    expect(byName(plain, 'apps').spec.path).toBe('./dist/c1/apps');
    expect(errorsOf(fleet).some((e) => e.includes('puts all namespaces in one folder'))).toBe(true);
  });

  test('a cluster overrides the fleet\'s options of a default layer key by key', () => {
    const fleet = new Fleet({ name: 'acme', layers: { controllers: { name: 'infra-controllers', interval: '10m' } } });
    fleet.addCluster('c1', CLUSTER);
    fleet.addCluster('c2', { ...CLUSTER, layers: { controllers: { name: 'controllers' } } });
    expect(kustomizations(fleet, 'c1')[0]).toMatchObject({ metadata: { name: 'infra-controllers' }, spec: { interval: '10m' } });
    expect(kustomizations(fleet, 'c2')[0]).toMatchObject({ metadata: { name: 'controllers' }, spec: { interval: '10m' } });
  });

  test('an added layer takes a name', () => {
    const fleet = fleetOf();
    fleet.addLayer('monitoring', { name: 'observability', dependsOn: ['infrastructure/configs'] });
    expect(byName(fleet, 'observability').spec).toMatchObject({ path: './dist/c1/monitoring', dependsOn: [{ name: 'infrastructure-configs' }] });
  });

  test('two folders with one name are an error naming both', () => {
    const fleet = fleetOf({ layers: { configs: { name: 'infra' } } });
    fleet.addLayer('monitoring', { name: 'infra' });
    expect(errorsOf(fleet)).toEqual([
      'c1: folders "infrastructure/configs" and "monitoring" would share the Flux Kustomization name "infra": names are unique per cluster (flux-system/infra), give each layer its own (LayerProps.name)',
    ]);
  });

  test('a name without {namespace} names one folder: two namespaces make it an error', () => {
    const fleet = fleetOf({ layers: { apps: { name: 'apps' } } });
    expect(errorsOf(fleet)).toEqual([
      'c1: folders "apps/blog" and "apps/shop" would share the Flux Kustomization name "apps": names are unique per cluster (flux-system/apps), give each layer its own (LayerProps.name)',
    ]);
  });

  test('a name that is not DNS-1123, or is bootstrap\'s own, is an error of the layer', () => {
    const fleet = fleetOf({ layers: { controllers: { name: 'Infra_Controllers' }, configs: { name: 'flux-system' }, apps: { name: (ns) => `${ns}.` } } });
    expect(errorsOf(fleet)).toEqual([
      'c1/infrastructure/controllers: name "Infra_Controllers" is not a DNS-1123 subdomain (lowercase letters, digits, \'-\' and \'.\', starting and ending with a letter or digit, at most 253 characters)',
      'c1/infrastructure/configs: name "flux-system" is taken: flux-system/flux-system is the Kustomization `flux bootstrap` creates, which applies clusters/<cluster>/ itself',
      'c1/apps: folder "apps/blog": name "blog." is not a DNS-1123 subdomain (lowercase letters, digits, \'-\' and \'.\', starting and ending with a letter or digit, at most 253 characters)',
      'c1/apps: folder "apps/shop": name "shop." is not a DNS-1123 subdomain (lowercase letters, digits, \'-\' and \'.\', starting and ending with a letter or digit, at most 253 characters)',
    ]);
  });

  test('a name longer than 63 characters is the Flux name check\'s error, on the rendered Kustomization', () => {
    const long = `infra-${'x'.repeat(58)}`;
    const fleet = fleetOf({ layers: { controllers: { name: long } } });
    expect(errorsOf(fleet)).toEqual([
      `c1/flux/${long}: Kustomization name "${long}" has 64 characters: Flux labels every object it applies with kustomize.toolkit.fluxcd.io/name: <name>, and a label value has at most 63, so the API server rejects them all; shorten the name to 63 characters`,
    ]);
  });

  test('a name function that throws or returns no string is an error naming the namespace', () => {
    const fleet = fleetOf({
      layers: {
        apps: {
          name: (ns) => {
            if (ns === 'blog') throw new Error('no name for blog');
            return 42 as unknown as string;
          },
        },
      },
    });
    expect(errorsOf(fleet)).toEqual(['c1/apps: name("blog") threw: no name for blog', 'c1/apps: name("shop") returned 42, not a string']);
  });

  test('a name that is neither a string nor a function is an error', () => {
    const fleet = fleetOf({ layers: { controllers: { name: 42 as never }, apps: { name: ['apps'] as never } } });
    expect(errorsOf(fleet)).toEqual([
      'c1/infrastructure/controllers: name 42 is not a string',
      'c1/apps: name ["apps"] is not a string or a function of the namespace',
    ]);
  });

  test('a function or {namespace} names only folder-per-namespace layers', () => {
    const fleet = fleetOf({ layers: { controllers: { name: () => 'x' }, configs: { name: 'configs-{namespace}' } } });
    expect(errorsOf(fleet)).toEqual([
      'c1/infrastructure/controllers: name is a function of the namespace, but layer "infrastructure/controllers" is one folder (folderPerNamespace is false): give the name as a string',
      'c1/infrastructure/configs: name "configs-{namespace}" uses {namespace}, but layer "infrastructure/configs" is one folder (folderPerNamespace is false)',
    ]);
  });
});

describe('layer reconcile options', () => {
  test('strata\'s defaults render; options without a strata default are not rendered', () => {
    const spec = byName(fleetOf(), 'infrastructure-controllers').spec;
    expect(spec).toMatchObject({ interval: '1h', retryInterval: '2m', timeout: '5m', prune: true, wait: true });
    for (const field of ['force', 'suspend', 'targetNamespace', 'healthChecks', 'healthCheckExprs', 'postBuild', 'deletionPolicy']) expect(spec[field]).toBeUndefined();
  });

  test('each option lands on the layer\'s Kustomization', () => {
    const fleet = fleetOf({
      layers: {
        controllers: {
          interval: '10m', retryInterval: '1m', timeout: '3m', wait: false, prune: false, force: true, suspend: true, deletionPolicy: 'Orphan',
          healthChecks: [{ apiVersion: 'apps/v1', kind: 'Deployment', name: 'coredns', namespace: 'kube-system' }],
          healthCheckExprs: [{ apiVersion: 'cert-manager.io/v1', kind: 'ClusterIssuer', current: "status.conditions.filter(e, e.type == 'Ready').all(e, e.status == 'True')", failed: "status.conditions.filter(e, e.type == 'Ready').all(e, e.status == 'False')" }],
          postBuild: { substitute: { CLUSTER_NAME: 'c1', _region: 'eu-west-1' }, substituteFrom: [{ kind: 'ConfigMap', name: 'cluster-vars' }, { kind: 'Secret', name: 'cluster-secrets', optional: true }] },
        },
      },
    });
    fleet.eachCluster((cluster) => {
      new ApiObject(cluster.layer('infrastructure/configs'), 'cluster-vars', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cluster-vars', namespace: 'flux-system' }, data: { DOMAIN: 'c1.acme.dev' } });
    });
    fleet.addLayer('monitoring', { targetNamespace: 'monitoring' });
    const spec = byName(fleet, 'infrastructure-controllers').spec;
    expect(spec).toMatchObject({ interval: '10m', retryInterval: '1m', timeout: '3m', wait: false, prune: false, force: true, suspend: true, deletionPolicy: 'Orphan' });
    expect(spec.healthChecks).toEqual([{ apiVersion: 'apps/v1', kind: 'Deployment', name: 'coredns', namespace: 'kube-system' }]);
    expect(spec.healthCheckExprs).toEqual([{ apiVersion: 'cert-manager.io/v1', kind: 'ClusterIssuer', current: "status.conditions.filter(e, e.type == 'Ready').all(e, e.status == 'True')", failed: "status.conditions.filter(e, e.type == 'Ready').all(e, e.status == 'False')" }]);
    expect(spec.postBuild).toEqual({
      substitute: { CLUSTER_NAME: 'c1', _region: 'eu-west-1' },
      substituteFrom: [{ kind: 'ConfigMap', name: 'cluster-vars' }, { kind: 'Secret', name: 'cluster-secrets', optional: true }],
    });
    expect(byName(fleet, 'monitoring').spec.targetNamespace).toBe('monitoring');
    // The other layers keep strata's defaults.
    expect(byName(fleet, 'infrastructure-configs').spec).toMatchObject({ interval: '1h', wait: true, prune: true });
  });

  test('a folder-per-namespace layer gives every folder its options', () => {
    const fleet = fleetOf({ layers: { apps: { interval: '5m', force: true } } });
    expect(kustomizations(fleet).filter((k) => k.metadata.name.startsWith('apps-')).map((k) => [k.spec.interval, k.spec.force])).toEqual([['5m', true], ['5m', true]]);
  });

  test('a duration Flux refuses is one error of the layer naming the option, with no schema or rule error repeating it on the Kustomization', () => {
    const fleet = fleetOf({ layers: { configs: { timeout: '5 minutes' } } }, { layers: { apps: { interval: '10' } } });
    fleet.addLayer('monitoring', { retryInterval: '1d' });
    const duration = 'is not a Flux duration: a Go duration of whole or decimal numbers with units h, m, s or ms, e.g. "1h", "5m", "30s", "1h30m"';
    expect(errorsOf(fleet)).toEqual([
      `c1/infrastructure/configs: timeout "5 minutes" ${duration}`,
      `c1/apps: interval "10" ${duration}`,
      `c1/monitoring: retryInterval "1d" ${duration}`,
    ]);
  });

  test('targetNamespace on a folder-per-namespace layer, an invalid one, and a variable name Flux does not substitute are errors of the layer', () => {
    const fleet = fleetOf({ layers: { apps: { targetNamespace: 'shop' }, configs: { targetNamespace: 'Shop' }, controllers: { postBuild: { substitute: { '1st': 'x', 'cluster-name': 'c1' } } } } });
    expect(errorsOf(fleet)).toEqual([
      'c1/infrastructure/controllers: postBuild.substitute.1st is not a variable name Flux substitutes (letters, digits and \'_\', not starting with a digit)',
      'c1/infrastructure/controllers: postBuild.substitute.cluster-name is not a variable name Flux substitutes (letters, digits and \'_\', not starting with a digit)',
      'c1/infrastructure/configs: targetNamespace "Shop" is not a DNS-1123 label (lowercase letters, digits and \'-\', starting and ending with a letter or digit, at most 63 characters)',
      'c1/apps: targetNamespace "shop" is set, but layer "apps" has a folder per namespace: each folder\'s objects are in that folder\'s namespace already',
    ]);
  });

  test('a deletionPolicy Flux does not know is a schema error of the Kustomization', () => {
    const fleet = fleetOf({ layers: { controllers: { deletionPolicy: 'Keep' as never } } });
    expect(errorsOf(fleet)).toEqual([expect.stringMatching(/^c1\/flux\/infrastructure-controllers: Kustomization infrastructure-controllers: schema kustomize.toolkit.fluxcd.io\/v1: \/spec\/deletionPolicy must be equal to one of the allowed values/)]);
  });
});

describe('layer sources', () => {
  const OCI = { url: 'oci://ghcr.io/acme/fleet', ref: { tag: 'latest' } } as const;

  /** Writes a rendered tree to a temporary folder, for real kustomize. */
  function written(files: Record<string, string>): string {
    const dir = mkdtempSync(join(tmpdir(), 'strata-layers-'));
    for (const [path, content] of Object.entries(files)) {
      mkdirSync(dirname(join(dir, path)), { recursive: true });
      writeFileSync(join(dir, path), content);
    }
    return dir;
  }

  function built(dir: string): string[] {
    return parseAllDocuments(kustomizeBuild(dir)).map((d) => `${d.toJS().kind}/${d.toJS().metadata.name}`);
  }

  test('an OCI artifact of the rendered tree: strata declares the OCIRepository, the layers read it, kustomize builds it', () => {
    const fleet = fleetOf({
      repository: { url: 'ssh://git@github.com/acme/fleet.git' },
      layerSource: LayerSource.ociRepository({
        ...OCI, interval: '5m', provider: 'aws', secretName: 'ghcr-auth', serviceAccountName: 'fleet-puller',
        verify: { provider: 'cosign', matchOidcIdentity: [{ issuer: '^https://token.actions.githubusercontent.com$', subject: '^https://github.com/acme/fleet.*$' }] },
      }),
    });
    // The ServiceAccount Flux pulls as must exist (flux-lockdown).
    fleet.eachCluster((cluster) => new ApiObject(cluster.layer('infrastructure/controllers'), 'puller', { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'fleet-puller', namespace: 'flux-system' } }));
    const tree = Testing.synth(fleet, { cluster: 'c1' });
    const oci = tree.objects.filter((o) => o.kind === 'OCIRepository');
    expect(oci).toEqual([{
      apiVersion: 'source.toolkit.fluxcd.io/v1',
      kind: 'OCIRepository',
      metadata: { name: 'acme', namespace: 'flux-system', labels: { 'app.kubernetes.io/managed-by': 'strata' } },
      spec: {
        interval: '5m', url: 'oci://ghcr.io/acme/fleet', ref: { tag: 'latest' }, provider: 'aws', secretRef: { name: 'ghcr-auth' }, serviceAccountName: 'fleet-puller',
        verify: { provider: 'cosign', matchOIDCIdentity: [{ issuer: '^https://token.actions.githubusercontent.com$', subject: '^https://github.com/acme/fleet.*$' }] },
      },
    }]);
    // The artifact is the rendered tree itself (`flux push artifact --path=./dist`): paths start at its root.
    expect(kustomizations(fleet).map((k) => [k.spec.sourceRef, k.spec.path])).toEqual([
      [{ kind: 'OCIRepository', name: 'acme' }, './c1/infrastructure/controllers'],
      [{ kind: 'OCIRepository', name: 'acme' }, './c1/infrastructure/configs'],
      [{ kind: 'OCIRepository', name: 'acme' }, './c1/apps/blog'],
      [{ kind: 'OCIRepository', name: 'acme' }, './c1/apps/shop'],
    ]);
    expect(built(join(written(tree.files), 'clusters/c1'))).toEqual(expect.arrayContaining(['OCIRepository/acme', 'GitRepository/acme', 'Kustomization/apps-shop']));
  });

  test('one layer from an OCI artifact by semver or digest, below a root folder; the others from Git', () => {
    const fleet = fleetOf({ layers: { apps: { source: LayerSource.ociRepository({ url: 'oci://ghcr.io/acme/apps', ref: { semver: '~1.4.0' }, name: 'apps', root: 'dist' }) } } });
    fleet.addLayer('monitoring', { source: LayerSource.ociRepository({ url: 'oci://ghcr.io/acme/monitoring', ref: { digest: `sha256:${'a'.repeat(64)}` }, name: 'monitoring' }) });
    const ks = kustomizations(fleet);
    expect(ks.map((k) => [k.metadata.name, k.spec.sourceRef.kind, k.spec.sourceRef.name, k.spec.path])).toEqual([
      ['infrastructure-controllers', 'GitRepository', 'flux-system', './dist/c1/infrastructure/controllers'],
      ['infrastructure-configs', 'GitRepository', 'flux-system', './dist/c1/infrastructure/configs'],
      ['apps-blog', 'OCIRepository', 'apps', './dist/c1/apps/blog'],
      ['apps-shop', 'OCIRepository', 'apps', './dist/c1/apps/shop'],
      ['monitoring', 'OCIRepository', 'monitoring', './c1/monitoring'],
    ]);
    const refs = Testing.synth(fleet, { cluster: 'c1' }).objects.filter((o) => o.kind === 'OCIRepository').map((o) => [o.metadata.name, (o.spec as any).ref]);
    expect(refs).toEqual([['apps', { semver: '~1.4.0' }], ['monitoring', { digest: `sha256:${'a'.repeat(64)}` }]]);
  });

  test('a layer with no folder declares no source', () => {
    const fleet = new Fleet({ name: 'acme', layers: { apps: { source: LayerSource.ociRepository(OCI) } } });
    fleet.addCluster('c1', CLUSTER);
    expect(Testing.synth(fleet, { cluster: 'c1' }).objects.filter((o) => o.kind === 'OCIRepository')).toEqual([]);
  });

  test('an OCI source\'s problems are errors of the layer', () => {
    const fleet = fleetOf();
    const bad: [string, OciLayerSourceProps][] = [
      ['tagged-url', { url: 'oci://ghcr.io/acme/fleet:latest', ref: { tag: 'latest' } }],
      ['two-refs', { url: 'oci://ghcr.io/acme/fleet', ref: { tag: 'latest', semver: '1.x' } }],
      ['no-ref', { url: 'oci://ghcr.io/acme/fleet', ref: {} }],
      ['bad-digest', { url: 'oci://ghcr.io/acme/fleet', ref: { digest: 'sha256:abc' } }],
      ['bad-tag', { url: 'oci://ghcr.io/acme/fleet', ref: { tag: '-x' } }],
      ['bad-props', { url: 'oci://ghcr.io/acme/fleet', ref: { tag: 'v1' }, secretName: 'a_b', root: '../up' }],
    ];
    for (const [path, props] of bad) fleet.addLayer(path, { source: LayerSource.ociRepository({ ...props, name: path }) });
    expect(errorsOf(fleet)).toEqual([
      'c1/tagged-url: source: url "oci://ghcr.io/acme/fleet:latest" is not an OCI repository URL without tag: oci://<registry>/<repository>, e.g. "oci://ghcr.io/acme/fleet" (the version goes in ref)',
      'c1/two-refs: source: ref {"tag":"latest","semver":"1.x"} must set exactly one of tag, semver or digest (it sets tag, semver)',
      'c1/no-ref: source: ref {} must set exactly one of tag, semver or digest',
      'c1/bad-digest: source: ref.digest "sha256:abc" is not a digest: sha256:<64 lowercase hex digits>',
      'c1/bad-tag: source: ref.tag "-x" is not an OCI tag (letters, digits, \'_\', \'.\' and \'-\', at most 128, not starting with \'.\' or \'-\')',
      'c1/bad-props: source: secretName "a_b" is not a DNS-1123 subdomain (lowercase letters, digits, \'-\' and \'.\', starting and ending with a letter or digit, at most 253 characters)',
      'c1/bad-props: source: root "../up" is not a relative folder (segments of letters, digits, \'.\', \'_\' and \'-\', none starting with \'.\')',
    ]);
  });

  test('what the OCIRepository\'s schema and rules check is reported once, on the rendered object', () => {
    const fleet = fleetOf();
    fleet.addLayer('monitoring', { source: LayerSource.ociRepository({ url: 'https://ghcr.io/acme/fleet', ref: { tag: 'v1' }, name: 'Fleet', provider: 'ibm' as never, serviceAccountName: 'puller' }) });
    expect(errorsOf(fleet)).toEqual([
      'c1/flux/OCIRepository-Fleet: OCIRepository name "Fleet" is not a DNS-1123 subdomain (lowercase letters, digits, \'-\' and \'.\', starting and ending with a letter or digit, at most 253 characters)',
      'c1/flux/OCIRepository-Fleet: OCIRepository Fleet: schema source.toolkit.fluxcd.io/v1: /spec/provider must be equal to one of the allowed values (valid: generic, aws, azure, gcp)',
      'c1/flux/OCIRepository-Fleet: OCIRepository Fleet: schema source.toolkit.fluxcd.io/v1: /spec/url must match pattern "^oci://.*$"',
      'c1/flux/OCIRepository-Fleet: runs as ServiceAccount flux-system/puller, which does not exist on this cluster: Flux impersonates a ServiceAccount of the object\'s own namespace',
    ]);
  });

  test('two layers sharing one source name with different props is an error naming both', () => {
    const fleet = fleetOf({ layers: { apps: { source: LayerSource.ociRepository(OCI) } } });
    fleet.addLayer('monitoring', { source: LayerSource.ociRepository({ ...OCI, ref: { tag: 'stable' } }) });
    fleet.eachCluster((cluster) => new ApiObject(cluster.layer('monitoring'), 'cm', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'dashboards', namespace: 'flux-system' } }));
    expect(errorsOf(fleet)).toEqual(['c1/flux: layers "apps" and "monitoring" declare different sources named OCIRepository "acme": give one of them another name, or the same props']);
  });

  test('a misspelled key of an OCI source is an error', () => {
    const fleet = fleetOf();
    fleet.addLayer('monitoring', { source: LayerSource.ociRepository({ ...OCI, intervall: '1m' } as never) });
    expect(errorsOf(fleet)).toEqual([expect.stringMatching(/^fleet\.addLayer\("monitoring", \.\.\.\)\.source: LayerSource\.ociRepository\(\.\.\.\)\.intervall is not a known key: did you mean "interval"\?/)]);
  });

  /** A fleet whose apps layer reads the ExternalArtifact `apps` of an ArtifactGenerator over the fleet's repository. */
  function artifactFleet(generator: boolean, artifact = 'apps'): Fleet {
    const fleet = fleetOf({ repository: { url: 'https://github.com/acme/fleet.git' }, layers: { apps: { source: LayerSource.externalArtifact({ name: artifact }) } } });
    if (generator) {
      fleet.eachCluster((cluster) => {
        new ApiObject(cluster.layer('infrastructure/configs'), 'generator', {
          apiVersion: 'source.extensions.fluxcd.io/v1beta1',
          kind: 'ArtifactGenerator',
          metadata: { name: 'fleet', namespace: 'flux-system' },
          spec: {
            sources: [{ alias: 'repo', kind: 'GitRepository', name: 'acme' }],
            artifacts: [{ name: 'apps', originRevision: '@repo', copy: [{ from: '@repo/dist/**', to: '@artifact/' }] }],
          },
        });
      });
    }
    return fleet;
  }

  test('an ExternalArtifact of an ArtifactGenerator: the layers reference it, it validates and kustomize builds it', () => {
    const fleet = artifactFleet(true);
    const tree = Testing.synth(fleet, { cluster: 'c1' });
    expect(kustomizations(fleet).filter((k) => k.metadata.name.startsWith('apps-')).map((k) => [k.spec.sourceRef, k.spec.path])).toEqual([
      [{ kind: 'ExternalArtifact', name: 'apps' }, './c1/apps/blog'],
      [{ kind: 'ExternalArtifact', name: 'apps' }, './c1/apps/shop'],
    ]);
    const dir = written(tree.files);
    expect(built(join(dir, 'c1/infrastructure/configs'))).toContain('ArtifactGenerator/fleet');
    expect(built(join(dir, 'clusters/c1'))).toEqual(expect.arrayContaining(['Kustomization/apps-shop', 'GitRepository/acme']));
  });

  test('a dangling sourceRef is an error, from a layer and from a hand-written Kustomization', () => {
    const fleet = artifactFleet(false);
    fleet.eachCluster((cluster) => {
      new ApiObject(cluster.layer('infrastructure/configs'), 'extra', {
        apiVersion: 'kustomize.toolkit.fluxcd.io/v1',
        kind: 'Kustomization',
        metadata: { name: 'extra', namespace: 'flux-system' },
        spec: { interval: '1h', prune: true, path: './extra', sourceRef: { kind: 'OCIRepository', name: 'extras' }, serviceAccountName: 'kustomize-controller' },
      });
    });
    expect(errorsOf(fleet)).toEqual([
      'c1/infrastructure/configs/extra: sourceRef OCIRepository flux-system/extras does not exist on this cluster',
      'c1/flux/apps-blog: sourceRef ExternalArtifact flux-system/apps does not exist on this cluster',
      'c1/flux/apps-shop: sourceRef ExternalArtifact flux-system/apps does not exist on this cluster',
    ]);
  });

  test('an ArtifactGenerator whose source does not exist, or whose spec breaks its schema, is an error', () => {
    const fleet = fleetOf();
    fleet.eachCluster((cluster) => {
      new ApiObject(cluster.layer('infrastructure/configs'), 'generator', {
        apiVersion: 'source.extensions.fluxcd.io/v1beta1',
        kind: 'ArtifactGenerator',
        metadata: { name: 'fleet', namespace: 'flux-system' },
        spec: { sources: [{ alias: 'repo', kind: 'GitRepository', name: 'nowhere' }], artifacts: [{ name: 'apps', copy: [{ from: 'repo/**', to: '@artifact/' }] }] },
      });
    });
    const errors = errorsOf(fleet);
    expect(errors).toContain('c1/infrastructure/configs/generator: spec.sources[0] GitRepository flux-system/nowhere does not exist on this cluster');
    expect(errors).toContain('c1/infrastructure/configs/generator: ArtifactGenerator fleet: schema source.extensions.fluxcd.io/v1beta1: /spec/artifacts/0/copy/0/from must match pattern "^@([a-z0-9]([a-z0-9_-]*[a-z0-9])?)/(.*)$"');
    expect(errors).toHaveLength(2);
  });

  test('an unknown field of an ExternalArtifact or ArtifactGenerator is a schema error', () => {
    expect(schemaErrors({ apiVersion: 'source.toolkit.fluxcd.io/v1', kind: 'ExternalArtifact', metadata: { name: 'a', namespace: 'flux-system' }, spec: { sourceRef: { kind: 'Source', name: 's' }, url: 'x' } } as never)).toEqual([
      'ExternalArtifact a: schema source.toolkit.fluxcd.io/v1: /spec/url is an unknown field (known: sourceRef)',
    ]);
    const generator = { apiVersion: 'source.extensions.fluxcd.io/v1beta1', kind: 'ArtifactGenerator', metadata: { name: 'g', namespace: 'flux-system' } };
    expect(schemaErrors({ ...generator, spec: { sources: [{ alias: 'repo', kind: 'GitRepository', name: 'acme' }], artifacts: [{ name: 'a', copy: [{ from: '@repo/**', to: '@artifact/' }] }] } } as never)).toEqual([]);
    expect(schemaErrors({ ...generator, spec: { sources: [{ alias: 'repo', kind: 'GitRepo', name: 'acme' }], artifact: [] } } as never)).toEqual([
      expect.stringMatching(/\/spec must have required property 'artifacts'/),
      expect.stringMatching(/\/spec\/artifact is an unknown field/),
      expect.stringMatching(/\/spec\/sources\/0\/kind must be equal to one of the allowed values/),
    ]);
  });

  test('an ExternalArtifact\'s invalid name or root is an error of the layer', () => {
    const fleet = fleetOf();
    fleet.addLayer('monitoring', { source: LayerSource.externalArtifact({ name: 'Apps', namespace: 'Flux', root: '/abs' }) });
    expect(errorsOf(fleet)).toEqual(expect.arrayContaining([
      'c1/monitoring: source: name "Apps" is not a DNS-1123 subdomain (lowercase letters, digits, \'-\' and \'.\', starting and ending with a letter or digit, at most 253 characters)',
      'c1/monitoring: source: namespace "Flux" is not a DNS-1123 label (lowercase letters, digits and \'-\', starting and ending with a letter or digit, at most 63 characters)',
      'c1/monitoring: source: root "/abs" is not a relative folder (segments of letters, digits, \'.\', \'_\' and \'-\', none starting with \'.\')',
    ]));
  });
});
