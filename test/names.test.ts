// Names, keys and values Kubernetes or kustomize reject are errors at synth time, on typed and
// hand-written objects alike (lib/validate/rules/names.ts).
import { ApiObject } from 'cdk8s';
import fc from 'fast-check';
import { objectNameProblems } from '../lib/validate/rules/names.js';
import { Fleet, Provider, Stage, WebService } from '../lib/index.js';
import { SOPS_BLOCK, encrypted } from './support/sops.js';
import { errorsOf, oneCluster } from './support/fleets.js';

const BASE = { image: 'ghcr.io/acme/web:1.4.2', port: 8080, resources: { cpu: '250m', memory: '256Mi' } } as const;

/** The errors a synth reports for hand-written objects in the shop namespace of one cluster. */
function errorsFor(...objects: Record<string, unknown>[]): string[] {
  return errorsOf(oneCluster((apps) => objects.forEach((o, i) => new ApiObject(apps, `o${i}`, o as never))));
}

const configMap = (extra: Record<string, unknown>) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' }, ...extra });
const pod = (spec: Record<string, unknown>) => ({
  apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' },
  spec: { containers: [{ name: 'app', image: 'ghcr.io/acme/web:1.4.2' }], ...spec },
});

const at = (field: string, message: string) => `dev-eu/apps/shop/o0: ${field}: ${message}`;
const RANGE = 'is not a user or group id: an integer from 0 to 2147483647';
const QUALIFIED = 'has a name part that is not 1-63 letters, digits, "-", "_" or ".", starting and ending with a letter or digit';
const KEY = 'is not 1-253 letters, digits, "-", "_" or "."';
const RESERVED = 'must not start with ".." (the kubelet keeps its own "..data" there)';

describe('names and keys Kubernetes validates', () => {
  test('label keys and values, annotation keys, selectors', () => {
    const errors = errorsFor(
      configMap({ metadata: { name: 'c', labels: { 'a/b/c': 'x', 'Acme.io/x': 'y', ok: 'bad value', long: 'v'.repeat(64), 'acme.io/fine': '' }, annotations: { 'not ok': 'x', 'Example.COM/Fine': 'y' } } }),
    );
    expect(errors).toEqual([
      at('metadata.labels', 'key "Acme.io/x" has a prefix that is not a DNS-1123 subdomain (lowercase letters, digits, "-" and ".", at most 253 characters)'),
      at('metadata.labels', 'key "a/b/c" has more than one "/" (a qualified name is [prefix/]name)'),
      at('metadata.labels["long"]', `value "${'v'.repeat(64)}" must be empty or 1-63 letters, digits, "-", "_" or ".", starting and ending with a letter or digit`),
      at('metadata.labels["ok"]', 'value "bad value" must be empty or 1-63 letters, digits, "-", "_" or ".", starting and ending with a letter or digit'),
      at('metadata.annotations', `key "not ok" ${QUALIFIED}`),
    ]);
    const selectors = errorsFor({ apiVersion: 'v1', kind: 'Service', metadata: { name: 's' }, spec: { selector: { app: 'a b' }, ports: [{ port: 80 }] } });
    expect(selectors).toContain(at('spec.selector["app"]', 'value "a b" must be empty or 1-63 letters, digits, "-", "_" or ".", starting and ending with a letter or digit'));
  });

  test('annotations hold at most 256 KiB', () => {
    expect(errorsFor(configMap({ metadata: { name: 'c', annotations: { 'acme.io/big': 'x'.repeat(256 * 1024) } } }))).toEqual([
      at('metadata.annotations', 'hold 262155 bytes; the API server takes at most 262144 (256 KiB)'),
    ]);
  });

  test('ConfigMap and Secret keys, ".." and "..data" included, once per object', () => {
    expect(errorsFor(configMap({ data: { '..data': 'x', 'a b': 'y', ok: 'z', '.': '1' }, binaryData: { ok: 'eg==' } }))).toEqual([
      at('data', 'key "." must not be "."'),
      at('data', `key "..data" ${RESERVED}`),
      at('data', `key "a b" ${KEY}`),
      at('binaryData', 'key "ok" is also in data: a key may appear once'),
    ]);
    // Encrypted as SOPS writes it, so the only findings are the keys' own.
    const enc = encrypted('eg==');
    const secret = { apiVersion: 'v1', kind: 'Secret', metadata: { name: 's' }, sops: SOPS_BLOCK, data: { '..x': enc, k: enc }, stringData: { 'a/b': enc, k: enc } };
    expect(errorsFor(secret)).toEqual([at('data', `key "..x" ${RESERVED}`), at('stringData', `key "a/b" ${KEY}`)]);
  });

  test('pod fields: ids, volume item paths, subPaths, env names, key references, memory, image digests', () => {
    const errors = errorsFor(pod({
      securityContext: { runAsUser: -1, runAsGroup: 2147483648, fsGroup: 1.5, supplementalGroups: [0, 2147483647] },
      volumes: [
        { name: 'v', configMap: { name: 'c', items: [{ key: '..data', path: '../etc' }, { key: 'k', path: '/abs' }, { key: 'k', path: '..x' }, { key: 'k', path: 'a/b..c' }] } },
        { name: 'w', projected: { sources: [{ downwardAPI: { items: [{ path: 'a/../b', fieldRef: { fieldPath: 'metadata.name' } }] } }] } },
      ],
      containers: [
        {
          name: 'app', image: 'ghcr.io/acme/web@sha256:abc', securityContext: { runAsUser: 2147483648 },
          env: [{ name: '..', value: 'x' }, { name: '1X', value: 'y' }, { name: 'my.env-name', value: 'z' }, { name: 'K', valueFrom: { configMapKeyRef: { name: 'c', key: 'a/b' } } }],
          envFrom: [{ prefix: '9_', configMapRef: { name: 'c' } }],
          volumeMounts: [{ name: 'v', mountPath: '/v', subPath: '../x' }, { name: 'v', mountPath: '/w', subPath: 'x/y' }],
          resources: { requests: { memory: '100m' }, limits: { memory: '0.5' } },
        },
        { name: 'b', image: 'ghcr.io/acme/web@md5:0123456789abcdef0123456789abcdef', resources: { limits: { memory: '1.5Ki' } } },
        { name: 'c', image: `ghcr.io/acme/web@sha256:${'A'.repeat(64)}` },
        { name: 'd', image: `ghcr.io/acme/web@sha512:${'a'.repeat(128)}` },
      ],
    }));
    expect(errors.filter((e) => /: spec\./.test(e))).toEqual([
      at('spec.securityContext.runAsUser', `-1 ${RANGE}`),
      at('spec.securityContext.runAsGroup', `2147483648 ${RANGE}`),
      at('spec.securityContext.fsGroup', `1.5 ${RANGE}`),
      at('spec.volumes[0].configMap.items[0].key', `"..data" ${RESERVED}`),
      at('spec.volumes[0].configMap.items[0].path', '"../etc" contains "..": it must stay inside the mount'),
      at('spec.volumes[0].configMap.items[1].path', '"/abs" is absolute: it must be relative to the mount'),
      at('spec.volumes[0].configMap.items[2].path', `"..x" ${RESERVED}`),
      at('spec.volumes[1].projected.sources[0].downwardAPI.items[0].path', '"a/../b" contains "..": it must stay inside the mount'),
      at('spec.containers[0].env[0].name', '".." must not be ".."'),
      at('spec.containers[0].env[1].name', '"1X" is not letters, digits, "_", "-" or ".", not starting with a digit'),
      at('spec.containers[0].env[3].valueFrom.configMapKeyRef.key', `"a/b" ${KEY}`),
      at('spec.containers[0].envFrom[0].prefix', '"9_" is not letters, digits, "_", "-" or ".", not starting with a digit'),
      at('spec.containers[0].volumeMounts[0].subPath', '"../x" contains "..": it must stay inside the mount'),
      at('spec.containers[0].securityContext.runAsUser', `2147483648 ${RANGE}`),
      at('spec.containers[0].resources.requests.memory', '"100m" is 0.1 bytes, not a whole number of bytes (did you mean "100Mi"?)'),
      at('spec.containers[0].resources.limits.memory', '"0.5" is 0.5 bytes, not a whole number of bytes'),
      at('spec.containers[0].image', '"ghcr.io/acme/web@sha256:abc" has a sha256 digest that is not 64 lowercase hex digits'),
      at('spec.containers[1].image', '"ghcr.io/acme/web@md5:0123456789abcdef0123456789abcdef" has the digest algorithm "md5"; the runtime knows sha256, sha384, sha512'),
      at('spec.containers[2].image', `"ghcr.io/acme/web@sha256:${'A'.repeat(36)}…" has a sha256 digest that is not 64 lowercase hex digits`),
    ]);
  });

  test('ResourceQuota amounts: negative, fractions of counted objects and of bytes', () => {
    const quota = { apiVersion: 'v1', kind: 'ResourceQuota', metadata: { name: 'q' }, spec: { hard: { pods: '1.5', 'requests.memory': '1m', memory: '-1Gi', 'count/deployments.apps': '10', cpu: '500m' } } };
    expect(errorsFor(quota)).toEqual([
      at('spec.hard["memory"]', '"-1Gi" is negative: a quota is at least 0'),
      at('spec.hard["pods"]', '"1.5" is not a whole number: pods counts objects'),
      at('spec.hard["requests.memory"]', '"1m" is 0.001 bytes, not a whole number of bytes (did you mean "1Mi"?)'),
    ]);
  });

  test('strings and keys kustomize cannot build unchanged, and numbers JSON cannot hold', () => {
    expect(errorsFor(configMap({ data: { del: 'a\u007fb', ls: 'a\u2028b', lone: 'a\ud800' } }), { apiVersion: 'acme.io/v1', kind: 'Thing', metadata: { name: 't' }, spec: { '<<': 1, n: NaN } })).toEqual(
      expect.arrayContaining([
        at('data.del', '"a\\u007fb" holds U+007F, a character go-yaml refuses, which kustomize writes raw, so kustomize would fail on the folder'),
        at('data.ls', '"a\\u2028b" holds U+2028, a line break to go-yaml, which kustomize writes raw, so Flux would apply a different string'),
        at('data.lone', '"a\\ud800" holds a lone UTF-16 surrogate (half of a character), which no YAML parser reads back'),
        'dev-eu/apps/shop/o1: spec: key "<<" is "<<", which go-yaml reads as a merge key, so kustomize drops it',
        'dev-eu/apps/shop/o1: spec.n: is NaN, which JSON and YAML cannot hold',
      ]),
    );
  });

  // checkNames screens each object before its full walk of every value (lib/validate/rules/names.ts
  // mayBeUnbuildable): a screen that missed a place would silently drop the finding there.
  test('a value kustomize cannot build is found however deep it sits, among any ordinary values', () => {
    const key = fc.stringMatching(/^[a-z]{1,6}$/);
    const ordinary = fc.oneof(fc.string(), fc.constantFrom('null', '\ud83d\ude00 emoji', 'caf\u00e9', ''), fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true }), fc.boolean(), fc.constant(null));
    const { tree } = fc.letrec((tie) => ({
      tree: fc.oneof({ depthSize: 'small' }, ordinary, fc.array(tie('tree'), { maxLength: 3 }), fc.dictionary(key, tie('tree'), { maxKeys: 3 })),
    }));
    const problems = [
      { value: 'a\u007fb', message: 'holds U+007F' },
      { value: 'x\ud800', message: 'lone UTF-16 surrogate' },
      { value: '\udc00x', message: 'lone UTF-16 surrogate' },
      { value: 'a\u2028b', message: 'holds U+2028' },
      { value: NaN, message: 'is NaN' },
    ];
    const thing = (spec: unknown) => ({ path: 'p', manifest: { apiVersion: 'acme.io/v1', kind: 'Thing', metadata: { name: 't' }, spec } }) as never;
    fc.assert(fc.property(tree, (spec) => objectNameProblems(thing(spec)).length === 0));
    // The problem goes at the end of a random path of keys and indices below spec.
    const path = fc.tuple(key, fc.array(fc.oneof(key, fc.nat(2)), { maxLength: 4 })).map(([first, rest]) => [first, ...rest]);
    fc.assert(fc.property(tree, path, fc.constantFrom(...problems), (filler, steps, problem) => {
      const spec: Record<string, unknown> = { filler };
      let node: Record<string | number, unknown> = spec;
      steps.slice(0, -1).forEach((step, i) => {
        const next = typeof steps[i + 1] === 'number' ? [] : {};
        node[step] = next;
        node = next as Record<string | number, unknown>;
      });
      node[steps[steps.length - 1]] = problem.value;
      const field = ['spec', ...steps].map((s, i) => (typeof s === 'number' ? `[${s}]` : i === 0 ? s : `.${s}`)).join('');
      return objectNameProblems(thing(spec)).some((p) => p.field === field && p.message.includes(problem.message));
    }));
  });

  // The screen walks objects with `for...in` and looks a toJSON up only when it finds something:
  // what JSON (and so dist/) holds decides, as before.
  test('a value an object\'s toJSON replaces is not reported, wherever the toJSON sits; keys added to Object.prototype change nothing', () => {
    const thing = (spec: unknown) => ({ path: 'p', manifest: { apiVersion: 'acme.io/v1', kind: 'Thing', metadata: { name: 't' }, spec } }) as never;
    const clean = () => ({ replaced: 'by toJSON' });
    expect(objectNameProblems(thing({ a: NaN, b: 'x\u007f', toJSON: clean }))).toEqual([]);
    expect(objectNameProblems(thing({ toJSON: clean, a: NaN }))).toEqual([]);
    expect(objectNameProblems(thing({ outer: { a: NaN }, toJSON: clean }))).toEqual([]);
    // A toJSON below the problem does not hide it.
    expect(objectNameProblems(thing({ a: NaN, inner: { toJSON: clean } }))).toContainEqual(expect.objectContaining({ field: 'spec.a', message: 'is NaN, which JSON and YAML cannot hold' }));
    const proto = Object.prototype as Record<string, unknown>;
    try {
      proto.injected = NaN;
      expect(objectNameProblems(thing({ a: NaN, ok: 'fine' }))).toEqual([expect.objectContaining({ field: 'spec.a' })]);
      expect(objectNameProblems(thing({ ok: 'fine' }))).toEqual([]);
    } finally {
      delete proto.injected;
    }
  });

  test('a Git branch Flux follows is a valid Git ref name', () => {
    const repo = (branch: string) => ({ apiVersion: 'source.toolkit.fluxcd.io/v1', kind: 'GitRepository', metadata: { name: 'r' }, spec: { interval: '1m', url: 'https://example.com/r.git', ref: { branch } } });
    for (const bad of ['main\nx', 'a..b', 'feature/', '-x', 'a b', 'x.lock', '.hidden', 'a@{1}']) {
      expect(errorsFor(repo(bad))).toContain(at('spec.ref.branch', `${JSON.stringify(bad)} is not a Git branch name (no spaces, control characters, ~^:?*[\\, "..", "@{" or "//"; no part starting with "." or ending with ".lock"; not starting with "-" or ending with "/" or ".")`));
    }
    expect(() => oneCluster((apps) => void new ApiObject(apps, 'o0', repo('release/1.x') as never)).render()).not.toThrow();
    // The fleet's own GitRepository: a newline in the branch is an error, not a second line.
    const fleet = new Fleet({ name: 'acme', repository: { url: 'https://example.com/r.git', branch: 'main\nx' } });
    fleet.addCluster('dev', { stage: Stage.DEVELOPMENT, region: 'eu', provider: Provider.aws() });
    expect(errorsOf(fleet)).toEqual([expect.stringMatching(/^dev\/flux\/acme: spec\.ref\.branch: "main\\nx" is not a Git branch name/)]);
  });

  test('typed constructs get the same checks: an env var named ".." passes the construct, not the API server', () => {
    const errors = errorsOf(oneCluster((apps) => void new WebService(apps, 'web', { ...BASE, env: { '..': 'x' } })));
    expect(errors).toEqual([expect.stringMatching(/^dev-eu\/apps\/shop\/web\/.+: spec\.template\.spec\.containers\[0\]\.env\[\d+\]\.name: "\.\." must not be "\.\."$/)]);
  });
});
