import { jest } from '@jest/globals';
import { ApiObject, App, Chart, JsonPatch, Lazy } from 'cdk8s';
import { k8s } from 'cdk8s-plus-27';
import { ScaledObject } from '../imports/keda-scaledobject-keda.sh.js';
import { BINDING_MODULES, manifestOf, resolutionOf, withResolutionCache } from '../lib/fleet/manifests.js';

function chart(): Chart {
  return new Chart(new App(), 'c', { disableResourceNameHashes: true });
}

function deployment(scope: Chart, id = 'web', props: Partial<k8s.KubeDeploymentProps> = {}): k8s.KubeDeployment {
  return new k8s.KubeDeployment(scope, id, {
    metadata: { name: id, labels: { app: id } },
    spec: {
      selector: { matchLabels: { app: id } },
      strategy: { rollingUpdate: { maxSurge: k8s.IntOrString.fromString('25%'), maxUnavailable: k8s.IntOrString.fromNumber(0) } },
      template: {
        metadata: { labels: { app: id } },
        spec: {
          hostPid: false,
          containers: [{ name: 'app', image: 'web:1', resources: { requests: { cpu: k8s.Quantity.fromString('250m') } } }],
        },
      },
    },
    ...props,
  });
}

describe('resolutionOf', () => {
  test('a typed binding resolves to exactly what its toJson() renders (renamed fields, boxed values, lazy values)', () => {
    const c = chart();
    const objects = [
      deployment(c),
      deployment(c, 'lazy', { spec: { selector: { matchLabels: { app: 'lazy' } }, replicas: Lazy.any({ produce: () => 3 }) as unknown as number, template: {} } }),
      new k8s.KubeService(c, 'svc', { metadata: { name: 'web' }, spec: { ports: [{ port: 80, targetPort: k8s.IntOrString.fromString('http') }] } }),
      new ScaledObject(c, 'so', { metadata: { name: 'web' }, spec: { scaleTargetRef: { name: 'web' }, triggers: [{ type: 'cpu', metadata: { value: '50' } }] } }),
    ];
    for (const obj of objects) expect(resolutionOf(obj)).toEqual({ manifest: obj.toJson(), drops: [] });
    expect(resolutionOf(objects[0]).manifest).toMatchObject({ spec: { template: { spec: { hostPID: false } } } });
  });

  test('every class of imports/ (Flux, KEDA, Karpenter, cert-manager, Gateway API) is resolved once, as its toJson() renders it', () => {
    const c = chart();
    const classes = BINDING_MODULES.slice(1).flatMap((module) => Object.values(module).filter((v): v is new (...a: any[]) => ApiObject => typeof v === 'function' && 'GVK' in v));
    expect(classes.map((cls) => (cls as unknown as { GVK: { kind: string } }).GVK.kind)).toEqual(expect.arrayContaining(['HTTPRoute', 'GRPCRoute', 'Gateway', 'GatewayClass', 'ReferenceGrant', 'ClusterIssuer', 'Issuer', 'Certificate', 'ClusterTriggerAuthentication', 'HelmRelease', 'NodePool']));
    const ownToJson = jest.spyOn(ApiObject.prototype, 'toJson');
    try {
      for (const [i, cls] of classes.entries()) {
        const obj = new cls(c, `o${i}`, { metadata: { name: `o${i}`, labels: { b: '1', a: '2' } }, spec: {} });
        ownToJson.mockClear();
        const resolution = resolutionOf(obj);
        // One resolution, through apiObjectJson: the binding's toJson (which calls cdk8s's) is not run.
        expect(ownToJson).not.toHaveBeenCalled();
        expect(resolution).toEqual({ manifest: obj.toJson(), drops: [] });
      }
    } finally {
      ownToJson.mockRestore();
    }
  });

  test('what a binding drops is reported: a patched typo, a renamed field, a plain value where it boxes one', () => {
    const d = deployment(chart());
    d.addJsonPatch(JsonPatch.add('/spec/replicass', 3), JsonPatch.add('/spec/template/spec/hostPID', true), JsonPatch.replace('/spec/strategy/rollingUpdate/maxSurge', 1));
    const { manifest, drops } = resolutionOf(d);
    expect(manifest).toEqual(d.toJson());
    // In the order of the patched props: patches apply after cdk8s sorts the keys, so an added key comes last.
    expect(drops).toEqual([
      '/spec/strategy/rollingUpdate/maxSurge: the cdk8s binding drops this plain value; set it as k8s.IntOrString.fromNumber/fromString or k8s.Quantity.fromString (or the binding\'s own class)',
      '/spec/template/spec/hostPID is not a field of Deployment, so the cdk8s binding drops it (the binding names this field "hostPid": patch that path instead)',
      '/spec/replicass is not a field of Deployment, so the cdk8s binding drops it (did you mean "replicas"?)',
    ]);
  });

  test('a subclass rendering its own toJson() is resolved through it', () => {
    class Tagged extends k8s.KubeDeployment {
      override toJson(): any {
        return { ...super.toJson(), tagged: true };
      }
    }
    const obj = new Tagged(chart(), 'tagged', { spec: { selector: {}, template: {} } });
    expect(resolutionOf(obj).manifest).toMatchObject({ kind: 'Deployment', tagged: true });
  });

  test('a plain ApiObject drops nothing', () => {
    const obj = new ApiObject(chart(), 'plain', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x' }, dataa: { a: 'b' } });
    expect(resolutionOf(obj)).toEqual({ manifest: obj.toJson(), drops: [] });
  });

  test('inside withResolutionCache an object is resolved once; outside, every time', () => {
    const c = chart();
    let produced = 0;
    const obj = new ApiObject(c, 'counted', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x' }, data: { n: Lazy.any({ produce: () => String(++produced) }) } });
    const inside = withResolutionCache(() => [manifestOf(obj), manifestOf(obj)]);
    expect(inside[0]).toBe(inside[1]);
    expect(produced).toBe(1);
    manifestOf(obj);
    manifestOf(obj);
    expect(produced).toBe(3);
  });

  test('an object that fails to render fails every time, with cdk8s\'s error', () => {
    const obj = new ApiObject(chart(), 'bad', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x' }, data: { when: new Date(0) } });
    withResolutionCache(() => {
      expect(() => manifestOf(obj)).toThrow("Failed serializing construct at path 'c/bad' with name 'x': Error: can't render non-simple object of type 'Date'");
      expect(() => manifestOf(obj)).toThrow('Failed serializing construct');
    });
  });
});
