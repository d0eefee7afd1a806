// The kustomize subset `npm run validate` reads Flux repositories with (lib/validate/kustomize.ts),
// checked against real kustomize (kubectl 1.33's) on the same folders, and Flux's own additions
// (generated kustomizations, targetNamespace, post-build substitution) against Flux's documented behaviour.
import { describe, expect, test } from '@jest/globals';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { readFluxRepository } from '../lib/validate/flux-repo.js';
import { isSourceIgnored, jsonPatch, kustomizeBuild } from '../lib/validate/kustomize.js';
import { kustomizeBuild as realKustomizeBuild } from './support/kubectl.js';

function tree(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), 'strata-kustomize-'));
  for (const [file, text] of Object.entries(files)) {
    mkdirSync(join(root, file, '..'), { recursive: true });
    writeFileSync(join(root, file), text);
  }
  return root;
}

type Obj = { apiVersion: string; kind: string; metadata: { name: string; namespace?: string } };
const id = (m: Obj): string => `${m.kind} ${m.metadata.namespace ?? ''}/${m.metadata.name}`;
const sorted = (list: Obj[]): Obj[] => [...list].sort((a, b) => (id(a) < id(b) ? -1 : id(a) > id(b) ? 1 : 0));
const real = (dir: string): Obj[] => parseAllDocuments(realKustomizeBuild(dir)).map((d) => d.toJS() as Obj).filter((v) => v !== null);

const DEPLOYMENT = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 1
  selector:
    matchLabels:
      app: web
  template:
    metadata:
      labels:
        app: web
    spec:
      containers:
        - name: web
          image: ghcr.io/acme/web:1.0.0
          env:
            - name: A
              value: "1"
        - name: sidecar
          image: ghcr.io/acme/proxy@sha256:${'a'.repeat(64)}
`;
const SERVICE = `apiVersion: v1
kind: Service
metadata:
  name: web
spec:
  selector:
    app: web
  ports:
    - port: 80
      targetPort: 8080
`;
const CLUSTER_ROLE = `apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: reader
rules: []
`;

describe('the kustomize subset builds what real kustomize builds', () => {
  const root = tree({
    'base/kustomization.yaml': 'resources:\n  - deployment.yaml\n  - service.yaml\n  - cluster-role.yaml\n  - unwanted.yaml\n',
    'base/unwanted.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: unwanted\n',
    'base/deployment.yaml': DEPLOYMENT,
    'base/service.yaml': SERVICE,
    'base/cluster-role.yaml': CLUSTER_ROLE,
    'overlay/kustomization.yaml': [
      'resources:', '  - ../base',
      'namespace: shop', 'namePrefix: eu-', 'nameSuffix: -v2',
      'commonLabels:', '  team: shop',
      'labels:', '  - pairs:', '      tier: web', '    includeTemplates: true',
      'commonAnnotations:', '  owner: platform',
      'images:', '  - name: ghcr.io/acme/web', '    newTag: 1.2.0', '  - name: ghcr.io/acme/proxy', '    newName: registry.example.com/proxy',
      'replicas:', '  - name: eu-web-v2', '    count: 3',
      'patches:', '  - path: containers.yaml',
      '  - target:', '      kind: Service', '    patch: |-', '      - op: add', '        path: /spec/ports/-', '        value:', '          port: 443', '          targetPort: 8443',
      'patchesStrategicMerge:', '  - sidecar-limits.yaml', '  - |-', '    apiVersion: v1', '    kind: ConfigMap', '    metadata:', '      name: unwanted', '    $patch: delete',
      'configMapGenerator:', '  - name: settings', '    literals:', '      - MODE=fast', '    options:', '      disableNameSuffixHash: true',
      '',
    ].join('\n'),
    'overlay/containers.yaml': 'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  template:\n    spec:\n      containers:\n        - name: web\n          env:\n            - name: B\n              value: "2"\n',
    'overlay/sidecar-limits.yaml': 'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  template:\n    spec:\n      containers:\n        - name: sidecar\n          resources:\n            limits:\n              memory: 64Mi\n',
    'component/kustomization.yaml': 'apiVersion: kustomize.config.k8s.io/v1alpha1\nkind: Component\nresources:\n  - extra.yaml\npatches:\n  - target:\n      kind: Deployment\n    patch: |-\n      - op: replace\n        path: /spec/replicas\n        value: 5\n',
    'component/extra.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: extra\ndata:\n  a: b\n',
    'with-component/kustomization.yaml': 'resources:\n  - ../base\ncomponents:\n  - ../component\n',
  });

  test('namespace, prefix and suffix, labels, annotations, images, replicas, strategic-merge (a deleting one too) and JSON 6902 patches, generators', () => {
    expect(sorted(kustomizeBuild(root, 'overlay').objects.map((o) => o.manifest))).toEqual(sorted(real(join(root, 'overlay'))));
  });

  test('a component adds its resources and patches what the including kustomization built', () => {
    expect(sorted(kustomizeBuild(root, 'with-component').objects.map((o) => o.manifest))).toEqual(sorted(real(join(root, 'with-component'))));
  });

  test('a folder named in resources without a kustomization.yaml fails the build, as real kustomize does', () => {
    const broken = tree({ 'a/kustomization.yaml': 'resources:\n  - ../b\n', 'b/cm.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n' });
    expect(kustomizeBuild(broken, 'a').problems).toEqual(['b: has no kustomization.yaml: kustomize build fails on a folder named in resources without one']);
    expect(() => realKustomizeBuild(join(broken, 'a'))).toThrow();
  });

  test('a JSON 6902 operation on a path that does not exist fails with the path', () => {
    expect(() => jsonPatch({ spec: {} }, [{ op: 'replace', path: '/spec/replicas', value: 2 }])).toThrow('replace /spec/replicas: the path does not exist');
    expect(jsonPatch({ spec: { a: [1, 3] } }, [{ op: 'add', path: '/spec/a/1', value: 2 }, { op: 'move', from: '/spec/a', path: '/b' }])).toEqual({ spec: {}, b: [1, 2, 3] });
  });
});

describe('what Flux adds to kustomize', () => {
  test('a folder without kustomization.yaml: every YAML file below it, subfolders with their own kustomization as a whole, ignored files left out', () => {
    const root = tree({
      'app/a.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n',
      'app/nested/b.yml': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: b\n',
      'app/kust/kustomization.yaml': 'resources:\n  - c.yaml\n',
      'app/kust/c.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n',
      'app/kust/patch.yaml': 'spec:\n  not: an object\n',
      'app/.github/workflows/ci.yaml': 'on: push\n',
      'app/README.md': '# not YAML\n',
    });
    const build = kustomizeBuild(root, 'app', { generate: true });
    expect([build.objects.map((o) => `${o.file} ${o.manifest.metadata.name}`), build.problems]).toEqual([['app/a.yaml a', 'app/kust/c.yaml c', 'app/nested/b.yml b'], []]);
  });

  test('source-controller\'s default ignore rules: CI folders and files at any depth', () => {
    expect(['.github/workflows/x.yaml', 'apps/.circleci/config.yml', 'x/.gitlab-ci.yml', 'a/.sops.yaml', 'logo.png'].filter(isSourceIgnored)).toHaveLength(5);
    expect(['apps/github/x.yaml', 'apps/ci.yaml'].filter(isSourceIgnored)).toEqual([]);
  });

  test('targetNamespace, the Kustomization\'s images, patches, components and commonMetadata, and post-build substitution from substitute and a ConfigMap of the repository', () => {
    const root = tree({
      'clusters/dev/sync.yaml': [
        'apiVersion: v1', 'kind: ConfigMap', 'metadata:', '  name: vars', '  namespace: flux-system', 'data:', '  region: eu-west-1', '---',
        'apiVersion: kustomize.toolkit.fluxcd.io/v1', 'kind: Kustomization', 'metadata:', '  name: app', '  namespace: flux-system',
        'spec:', '  interval: 10m', '  prune: true', '  path: ./app', '  targetNamespace: shop',
        '  sourceRef:', '    kind: GitRepository', '    name: flux-system',
        '  images:', '    - name: ghcr.io/acme/web', '      newTag: 2.0.0',
        '  patches:', '    - target:', '        kind: ConfigMap', '        name: settings', '      patch: |', '        - op: add', '          path: /data/patched', '          value: "yes"',
        '  postBuild:', '    substitute:', '      cluster: dev', '    substituteFrom:', '      - kind: ConfigMap', '        name: vars',
        '  commonMetadata:', '    labels:', '      team: shop', '  components:', '    - ../component', '',
      ].join('\n'),
      'app/cm.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\ndata:\n  where: "${cluster} in ${region}"\n  level: "${level:=info}"\n  kept: "$${cluster}"\n',
      'component/kustomization.yaml': 'apiVersion: kustomize.config.k8s.io/v1alpha1\nkind: Component\nresources:\n  - extra.yaml\n',
      'component/extra.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: extra\n',
      'app/pod.yaml': 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: web\nspec:\n  containers:\n    - name: web\n      image: ghcr.io/acme/web:1.0.0\n',
    });
    const repo = readFluxRepository(root);
    expect([repo.model.findings, repo.notes]).toEqual([[], []]);
    const app = repo.model.clusters[0].folders.find((f) => f.dir === 'app');
    const cm = app?.objects.find((o) => o.manifest.kind === 'ConfigMap')?.manifest;
    expect([cm?.metadata.namespace, cm?.data]).toEqual(['shop', { where: 'dev in eu-west-1', level: 'info', kept: '${cluster}', patched: 'yes' }]);
    expect(app?.objects.map((o) => [o.manifest.kind, o.manifest.metadata.name, o.manifest.metadata.namespace, o.manifest.metadata.labels])).toEqual([
      ['ConfigMap', 'settings', 'shop', { team: 'shop' }], ['Pod', 'web', 'shop', { team: 'shop' }], ['ConfigMap', 'extra', 'shop', { team: 'shop' }],
    ]);
    expect((app?.objects.find((o) => o.manifest.kind === 'Pod')?.manifest.spec as { containers: { image: string }[] }).containers[0].image).toBe('ghcr.io/acme/web:2.0.0');
  });

  test('variables from a Secret the repository cannot hold are left as written, with a note', () => {
    const root = tree({
      'clusters/dev/sync.yaml': [
        'apiVersion: kustomize.toolkit.fluxcd.io/v1', 'kind: Kustomization', 'metadata:', '  name: app', '  namespace: flux-system',
        'spec:', '  interval: 10m', '  prune: true', '  path: ./app', '  sourceRef:', '    kind: GitRepository', '    name: flux-system',
        '  postBuild:', '    substituteFrom:', '      - kind: Secret', '        name: cluster-vars', '',
      ].join('\n'),
      'app/cm.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\n  namespace: flux-system\ndata:\n  where: "${cluster}"\n',
    });
    const repo = readFluxRepository(root);
    expect(repo.model.clusters[0].folders.find((f) => f.dir === 'app')?.objects[0].manifest.data).toEqual({ where: '${cluster}' });
    expect(repo.notes).toEqual(['dev: Kustomization flux-system/app substitutes variables from Secret cluster-vars, which this repository does not declare: its variables are left as written']);
  });
});
