// The Kubernetes version of a cluster: objects are validated against that release's API (fields
// and kinds from imports/known-fields.ts, generated from cdk8s-plus-27 … cdk8s-plus-34), and
// strata's own constructs render the newer features the cluster has (native sidecars).
import { ApiObject, App, Chart, JsonPatch } from 'cdk8s';
import { Fleet, Provider, Stage, Testing, Worker, WebService, addRenderedPatch, type Apps, type KubernetesVersion } from '../lib/index.js';
import { podRequests } from '../lib/autoscaling/node-fit.js';
import { apiVersionProblem } from '../lib/validate/api-versions.js';
import { droppedFields, knownMinors, unknownFields } from '../lib/validate/fields.js';
import { schemaErrors } from '../lib/validate/schema.js';
import { BASE, errorsOf, find } from './support/fleets.js';
import { findingsOf, labelsFor, reported } from './support/policy.js';

/** One development cluster `c` running `kubernetesVersion`, with the apps of `define` in namespace `shop`. */
function versioned(kubernetesVersion: KubernetesVersion | undefined, define: (apps: Apps) => void, quota?: { cpu: string; memory: string }): Fleet {
  const fleet = new Fleet({ name: 'acme', domain: 'acme.dev' });
  fleet.addCluster('c', { stage: Stage.DEVELOPMENT, region: 'eu-west-1', provider: Provider.aws(), kubernetesVersion });
  fleet.platform((p) => p.addTenant('shop', { podSecurity: 'privileged', quota }));
  fleet.apps('shop', define);
  return fleet;
}

const podOf = (containers: object[], initContainers: object[] = []) => ({
  apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'shop' },
  spec: { initContainers: initContainers.length > 0 ? initContainers : undefined, containers },
});
const APP = { name: 'app', image: 'ghcr.io/acme/app:1.4.2' };
const SIDECAR = { name: 'proxy', image: 'ghcr.io/acme/proxy:1.0.0', restartPolicy: 'Always' };

describe('fields per Kubernetes version', () => {
  test('a native sidecar (restartPolicy on an init container) is an error before 1.29, naming the version, and valid from there', () => {
    const pod = podOf([APP], [SIDECAR]) as never;
    const error = "/spec/initContainers/0/restartPolicy is a field of Kubernetes 1.29 and later, but this cluster runs 1.27: set the cluster's kubernetesVersion to 1.29 or later where it runs one, or remove the field";
    expect(unknownFields(pod, '1.27')).toEqual([error]);
    // In the 1.28 API behind the alpha SidecarContainers gate, which is off by default: the API server drops it.
    expect(unknownFields(pod, '1.28')).toEqual([error.replace('runs 1.27', 'runs 1.28')]);
    expect(unknownFields(pod, '1.29')).toEqual([]);
    expect(unknownFields(pod, '1.33')).toEqual([]);
  });

  test('a field a later release removed is an error naming that release', () => {
    const claim = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'd' }, spec: { template: { spec: { containers: [APP], resourceClaims: [{ name: 'gpu', source: { resourceClaimName: 'gpu' } }] } } } } as never;
    expect(unknownFields(claim, '1.30')).toEqual([]);
    expect(unknownFields(claim, '1.31')).toEqual(['/spec/template/spec/resourceClaims/0/source was removed in Kubernetes 1.31 (this cluster runs 1.31): remove the field']);
  });

  test('a misspelt field is suggested from the fields of the cluster\'s version only', () => {
    const service = { apiVersion: 'v1', kind: 'Service', metadata: { name: 's' }, spec: { trafficDistributio: 'PreferClose' } } as never;
    expect(unknownFields(service, '1.30')).toEqual(['/spec/trafficDistributio is an unknown field (did you mean "trafficDistribution"?)']);
    expect(unknownFields(service, '1.29')[0]).not.toContain('trafficDistribution');
  });

  test('past the newest release strata has schemas for, an unknown field says how far they reach', () => {
    expect(knownMinors()).toEqual([27, 34]);
    const pod = podOf([{ ...APP, newIn135: true }]) as never;
    expect(unknownFields(pod, '1.35')).toEqual([expect.stringMatching(/^\/spec\/containers\/0\/newIn135 is an unknown field .*; strata's Kubernetes schemas reach 1\.34, so a field new in 1\.35 is not known yet$/)]);
    expect(unknownFields(podOf([APP], [SIDECAR]) as never, '1.35')).toEqual([]);
  });

  test('the cdk8s-plus-27 binding drops a later field from its props: the message says where it can be set', () => {
    const props = { apiVersion: 'v1', kind: 'Service', metadata: { name: 's' }, spec: { trafficDistribution: 'PreferClose' } } as never;
    expect(droppedFields(props)).toEqual([
      '/spec/trafficDistribution is a field of Kubernetes 1.30 and later, which the cdk8s binding (1.27) drops from its props: set it on the rendered object with addRenderedPatch(obj, JsonPatch.add("/spec/trafficDistribution", ...)), on clusters whose kubernetesVersion is 1.30 or later',
    ]);
  });

  test('addRenderedPatch sets a later field on a typed object: valid on 1.33, an error naming the release on 1.29', () => {
    const web = (apps: Apps) => {
      const w = new WebService(apps, 'web', { ...BASE, port: 8080 });
      addRenderedPatch(w.service!, JsonPatch.add('/spec/trafficDistribution', 'PreferClose'));
    };
    const service = find(Testing.synth(versioned('1.33', web)).objects, 'Service', 'web');
    expect(service.spec.trafficDistribution).toBe('PreferClose');
    expect(errorsOf(versioned('1.29', web))).toEqual([
      "c/apps/shop/web/service: Service web: schema v1: /spec/trafficDistribution is a field of Kubernetes 1.30 and later, but this cluster runs 1.29: set the cluster's kubernetesVersion to 1.30 or later where it runs one, or remove the field",
    ]);
  });

  test('addRenderedPatch: a path that is not in the rendered object, or no object or patch, is an error naming it', () => {
    expect(errorsOf(versioned('1.33', (apps) => {
      const w = new WebService(apps, 'web', { ...BASE, port: 8080 });
      addRenderedPatch(w.service!, JsonPatch.add('/spec/missing/trafficDistribution', 'PreferClose'));
    }))).toEqual([expect.stringMatching(/^c\/apps\/shop\/web\/service: .*Service web: rendered patch add \/spec\/missing\/trafficDistribution does not apply \(.*\): every part of the path but the last must exist in the rendered object$/)]);
    expect(() => addRenderedPatch(undefined as never, JsonPatch.add('/a', 1))).toThrow('addRenderedPatch: undefined is not an ApiObject: give the object to patch (e.g. web.service)');
    const obj = new ApiObject(new Chart(new App(), 'c'), 'x', { apiVersion: 'v1', kind: 'ConfigMap' });
    expect(() => addRenderedPatch(obj, { op: 'add' } as never)).toThrow('addRenderedPatch: patch 1 ({"op":"add"}) is not a JsonPatch: use JsonPatch.add(path, value) and the like from cdk8s');
  });
});

describe('kinds per Kubernetes version', () => {
  test('an API removed before 1.27 is an error naming its replacement', () => {
    expect(apiVersionProblem('policy/v1beta1', 'PodSecurityPolicy', '1.33')).toBe(
      'policy/v1beta1 PodSecurityPolicy was removed in Kubernetes 1.25 (this cluster runs 1.33): use Pod Security Admission (the namespace label pod-security.kubernetes.io/enforce)',
    );
    expect(apiVersionProblem('batch/v1beta1', 'CronJob', '1.27')).toBe('batch/v1beta1 CronJob was removed in Kubernetes 1.25 (this cluster runs 1.27): use batch/v1 CronJob');
    expect(apiVersionProblem('autoscaling/v2beta2', 'HorizontalPodAutoscaler', '1.31')).toBe(
      'autoscaling/v2beta2 HorizontalPodAutoscaler was removed in Kubernetes 1.26 (this cluster runs 1.31): use autoscaling/v2 HorizontalPodAutoscaler',
    );
  });

  test('an API removed from 1.27 on is an error from its release on, naming the version the cluster serves instead', () => {
    expect(apiVersionProblem('flowcontrol.apiserver.k8s.io/v1beta2', 'FlowSchema', '1.28')).toBeUndefined();
    expect(apiVersionProblem('flowcontrol.apiserver.k8s.io/v1beta2', 'FlowSchema', '1.29')).toBe(
      'flowcontrol.apiserver.k8s.io/v1beta2 FlowSchema was removed in Kubernetes 1.29 (this cluster runs 1.29): use flowcontrol.apiserver.k8s.io/v1 FlowSchema',
    );
  });

  test('an API of a later release is an error naming it, and the older version the cluster serves', () => {
    expect(apiVersionProblem('flowcontrol.apiserver.k8s.io/v1', 'FlowSchema', '1.28')).toBe(
      "flowcontrol.apiserver.k8s.io/v1 FlowSchema exists from Kubernetes 1.29 on, but this cluster runs 1.28: set the cluster's kubernetesVersion to 1.29 or later where it runs one, or use flowcontrol.apiserver.k8s.io/v1beta3 FlowSchema, which it serves",
    );
    expect(apiVersionProblem('admissionregistration.k8s.io/v1', 'ValidatingAdmissionPolicy', '1.30')).toBeUndefined();
    expect(apiVersionProblem('apps/v1', 'Deployment', '1.27')).toBeUndefined();
    expect(apiVersionProblem('kustomize.toolkit.fluxcd.io/v1', 'Kustomization', '1.27')).toBeUndefined();
  });

  test('the schema check reports a removed API instead of a missing schema', () => {
    expect(schemaErrors({ apiVersion: 'policy/v1beta1', kind: 'PodDisruptionBudget', metadata: { name: 'b' } } as never, '1.30')).toEqual([
      'PodDisruptionBudget b: policy/v1beta1 PodDisruptionBudget was removed in Kubernetes 1.25 (this cluster runs 1.30): use policy/v1 PodDisruptionBudget',
    ]);
  });
});

describe('native sidecars on a cluster', () => {
  const handWritten = (apps: Apps) => {
    const labels = labelsFor('web');
    new ApiObject(apps, 'deployment', {
      apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', labels },
      spec: { selector: { matchLabels: labels }, template: { metadata: { labels }, spec: { enableServiceLinks: false, initContainers: [SIDECAR], containers: [APP] } } },
    });
  };

  test('a hand-written native sidecar validates on a 1.33 cluster and is an error on a 1.27 cluster', () => {
    expect(findingsOf(versioned('1.33', handWritten)).filter((f) => f.rule === undefined)).toEqual([]);
    expect(errorsOf(versioned('1.27', handWritten)).filter((e) => e.includes('schema'))).toEqual([
      "c/apps/shop/deployment: Deployment web: schema apps/v1: /spec/template/spec/initContainers/0/restartPolicy is a field of Kubernetes 1.29 and later, but this cluster runs 1.27: set the cluster's kubernetesVersion to 1.29 or later where it runs one, or remove the field",
    ]);
  });

  const withSidecar = (apps: Apps) =>
    new WebService(apps, 'web', {
      ...BASE,
      sidecars: [{ name: 'proxy', image: 'ghcr.io/acme/proxy:1.0.0', resources: { cpu: '50m', memory: '64Mi' }, args: ['--upstream=127.0.0.1:8080'], ports: [{ name: 'metrics', port: 9901 }] }],
    });

  test('sidecars render as init containers with restartPolicy Always, under the pod\'s security settings, and pass every check', () => {
    const fleet = versioned('1.33', withSidecar);
    const spec = find(Testing.synth(fleet, { cluster: 'c', layer: 'apps' }).objects, 'Deployment', 'web').spec.template.spec;
    expect(spec.initContainers).toHaveLength(1);
    expect(spec.initContainers[0]).toMatchObject({
      name: 'proxy', image: 'ghcr.io/acme/proxy:1.0.0', restartPolicy: 'Always', args: ['--upstream=127.0.0.1:8080'],
      ports: [{ name: 'metrics', containerPort: 9901 }],
      resources: { requests: { cpu: '50m', memory: '64Mi' }, limits: { memory: '64Mi' } },
      securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true },
      volumeMounts: [{ name: 'tmp', mountPath: '/tmp' }],
    });
    expect(spec.initContainers[0].lifecycle).toBeUndefined();
    expect(spec.volumes.filter((v: { name: string }) => v.name === 'tmp')).toHaveLength(1);
    expect(findingsOf(fleet).filter((f) => f.severity === 'error')).toEqual([]);
  });

  test('sidecars on a cluster before 1.29 are an error naming the version', () => {
    expect(errorsOf(versioned('1.28', withSidecar))).toEqual([
      "c/apps/shop/web: sidecars: native sidecars (init containers with restartPolicy: Always) need Kubernetes 1.29 or later, but this cluster runs 1.28: set the cluster's kubernetesVersion to 1.29 or later where it runs one",
    ]);
  });

  test('a sidecar name must be a DNS label not taken in the pod, and its ports must be free', () => {
    const bad = (apps: Apps) =>
      new WebService(apps, 'web', {
        ...BASE,
        sidecars: [
          { name: 'web', image: 'ghcr.io/acme/proxy:1.0.0', resources: BASE.resources },
          { name: 'Proxy', image: 'ghcr.io/acme/proxy:1.0.0', resources: BASE.resources, ports: [{ name: 'alt', port: 8080 }] },
        ],
      });
    expect(errorsOf(versioned('1.33', bad))).toEqual([
      'c/apps/shop/web: sidecars[0] ("web"): name "web" is taken by another container of the pod',
      'c/apps/shop/web: sidecars[1] ("Proxy"): name "Proxy" is not a DNS-1123 label (lowercase letters, digits and \'-\', at most 63 characters)',
      'c/apps/shop/web: sidecars[1] ("Proxy"): port 8080 is also container "web"\'s: the containers of a pod share one network namespace',
    ]);
  });

  test('a sidecar\'s requests add to the app\'s for quotas and node fit (it runs beside the app, not before it)', () => {
    const worker = (sidecars: boolean) => (apps: Apps) =>
      new Worker(apps, 'orders', {
        image: 'ghcr.io/acme/orders:2.0.1', replicas: 4, resources: { cpu: '100m', memory: '128Mi' },
        sidecars: sidecars ? [{ name: 'proxy', image: 'ghcr.io/acme/proxy:1.0.0', resources: { cpu: '200m', memory: '128Mi' } }] : undefined,
      });
    const quota = { cpu: '1', memory: '4Gi' };
    expect(reported(versioned('1.33', worker(false), quota), 'quota-admission')).toEqual([]);
    // 4 × (100m + 200m) + one surge pod = 1.5 CPUs; counted as an init container (the larger, 200m) it would be 1.
    expect(reported(versioned('1.33', worker(true), quota), 'quota-admission')).toEqual([expect.stringMatching(/allows requests\.cpu 1, but .* = 1500m, .*\(Deployment orders 4 replicas × 300m\)$/)]);
    const requests = (initContainers: object[]) => podRequests({ containers: [{ resources: { requests: { cpu: '100m', memory: '128Mi' } } }], initContainers } as never);
    const withSidecar = requests([{ restartPolicy: 'Always', resources: { requests: { cpu: '200m', memory: '64Mi' } } }]);
    expect(withSidecar.cpu).toBeCloseTo(0.3);
    expect(withSidecar.memory).toBe(192 * 2 ** 20);
    // A plain init container runs before the app, beside the sidecars started before it.
    expect(requests([{ restartPolicy: 'Always', resources: { requests: { cpu: '200m' } } }, { resources: { requests: { cpu: '500m' } } }]).cpu).toBeCloseTo(0.7);
    expect(requests([{ resources: { requests: { cpu: '500m' } } }]).cpu).toBe(0.5);
  });
});
