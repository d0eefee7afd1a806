import { ApiObject } from 'cdk8s';
import { k8s } from 'cdk8s-plus-27';
import { readFileSync } from 'node:fs';
import { Certificate } from '../imports/cert-manager-certificate-cert-manager.io.js';
import { ClusterIssuer } from '../imports/cert-manager-clusterissuer-cert-manager.io.js';
import { HelmRelease, HelmReleaseSpecChartSpecSourceRefKind } from '../imports/flux-helm-helm.toolkit.fluxcd.io.js';
import { HelmRepository } from '../imports/flux-source-helm-source.toolkit.fluxcd.io.js';
import { HttpRoute } from '../imports/gateway-api-httproute-gateway.networking.k8s.io.js';
import { ScaledObject, ScaledObjectSpecTriggersAuthenticationRefKind } from '../imports/keda-scaledobject-keda.sh.js';
import { TriggerAuthentication } from '../imports/keda-triggerauthentication-keda.sh.js';
import { SynthError, formatReport, type Apps } from '../lib/index.js';
import { RULES } from '../lib/validate/rules/catalog.js';
import { imagePinProblem } from '../lib/validate/rules/workloads.js';
import { fleetOf, findingsOf, labelsFor, patch, reported, webWorkload } from './support/policy.js';

const SPEC = '/spec/template/spec';
const APP = `${SPEC}/containers/0`;
const DEPLOYMENT = 'c/apps/shop/web';

describe('a good workload', () => {
  test.each(['development', 'staging', 'production'] as const)('passes every rule in %s', (stage) => {
    expect(findingsOf(fleetOf(stage, (apps) => webWorkload(apps)))).toEqual([]);
  });
});

describe('rule catalog', () => {
  test('ids are unique, valid annotation name parts, and every rule has a summary, a hint and a severity per stage', () => {
    expect(new Set(RULES.map((r) => r.id)).size).toBe(RULES.length);
    for (const rule of RULES) {
      expect(`waive.${rule.id}`).toMatch(/^[a-z0-9]([-a-z0-9.]{0,61}[a-z0-9])?$/);
      expect(rule.summary.length).toBeGreaterThan(20);
      expect(rule.hint.length).toBeGreaterThan(10);
      expect(Object.keys(rule.severity).sort()).toEqual(['development', 'production', 'staging']);
    }
  });

  test('docs/validation.md lists every rule with its severity per stage', () => {
    const docs = readFileSync('docs/validation.md', 'utf8');
    for (const r of RULES) expect(docs).toContain(`| \`${r.id}\` | ${r.severity.development} | ${r.severity.staging} | ${r.severity.production} | ${r.summary} | ${r.hint} |`);
  });
});

describe('pod-security-restricted', () => {
  const cases: [string, (w: ReturnType<typeof webWorkload>) => void, string][] = [
    ['runAsNonRoot missing', (w) => patch.remove(w.deployment, `${SPEC}/securityContext/runAsNonRoot`), 'container "app": runAsNonRoot is not true (set it on the pod or the container)'],
    ['running as root', (w) => patch.set(w.deployment, `${APP}/securityContext/runAsUser`, 0), 'container "app": runAsUser is 0 (root)'],
    ['privilege escalation', (w) => patch.set(w.deployment, `${APP}/securityContext/allowPrivilegeEscalation`, true), 'container "app": securityContext.allowPrivilegeEscalation is not false'],
    ['capabilities not dropped', (w) => patch.remove(w.deployment, `${APP}/securityContext/capabilities`), 'container "app": capabilities.drop does not include ALL'],
    ['a capability added', (w) => patch.set(w.deployment, `${APP}/securityContext/capabilities/add`, ['NET_ADMIN']), 'container "app": capabilities.add ["NET_ADMIN"] (only NET_BIND_SERVICE may be added)'],
    ['no seccomp profile', (w) => patch.remove(w.deployment, `${SPEC}/securityContext/seccompProfile`), 'container "app": no seccompProfile (set type RuntimeDefault on the pod or the container)'],
    ['seccomp unconfined', (w) => patch.set(w.deployment, `${APP}/securityContext/seccompProfile`, { type: 'Unconfined' }), 'container "app": seccompProfile.type is Unconfined (valid: RuntimeDefault, Localhost)'],
    ['host network', (w) => patch.set(w.deployment, `${SPEC}/hostNetwork`, true), "hostNetwork is true: pods must not share the node's namespaces"],
    // JSON patches on a cdk8s binding address its props: hostPID is the prop hostPid
    ['host PID', (w) => patch.set(w.deployment, `${SPEC}/hostPid`, true), "hostPID is true: pods must not share the node's namespaces"],
    ['host IPC', (w) => patch.set(w.deployment, `${SPEC}/hostIpc`, true), "hostIPC is true: pods must not share the node's namespaces"],
    ['privileged', (w) => patch.set(w.deployment, `${APP}/securityContext/privileged`, true), 'container "app": privileged is true'],
    ['a host port', (w) => patch.set(w.deployment, `${APP}/ports/0/hostPort`, 80), 'container "app": hostPort 80 binds a port on the node'],
    ['a hostPath volume', (w) => patch.set(w.deployment, `${SPEC}/volumes`, [{ name: 'root', hostPath: { path: '/' } }]), 'volume "root" is of type hostPath (allowed: configMap, csi, downwardAPI, emptyDir, ephemeral, persistentVolumeClaim, projected, secret)'],
    ['an unsafe sysctl', (w) => patch.set(w.deployment, `${SPEC}/securityContext/sysctls`, [{ name: 'kernel.msgmax', value: '1' }]), 'sysctl "kernel.msgmax" is not in the safe set'],
    ['an init container with privilege escalation', (w) => patch.set(w.deployment, `${SPEC}/initContainers`, [{ name: 'init', image: 'busybox:1.36', securityContext: { capabilities: { drop: ['ALL'] } }, resources: { requests: { cpu: '10m', memory: '8Mi' }, limits: { memory: '8Mi' } } }]), 'init container "init": securityContext.allowPrivilegeEscalation is not false'],
  ];

  test.each(cases)('%s is an error, even in development', (_, breakIt, message) => {
    const fleet = fleetOf('development', (apps) => breakIt(webWorkload(apps)));
    const errors = reported(fleet, 'pod-security-restricted');
    expect(errors.length).toBeGreaterThan(0);
    expect(errors.every((e) => e.startsWith(`error [pod-security-restricted] ${DEPLOYMENT}: `))).toBe(true);
    expect(errors.join('\n')).toContain(message);
  });

  test('NET_BIND_SERVICE, Localhost seccomp and container-level settings are allowed', () => {
    const fleet = fleetOf('production', (apps) => {
      const w = webWorkload(apps);
      patch.remove(w.deployment, `${SPEC}/securityContext`);
      patch.set(w.deployment, `${APP}/securityContext`, {
        runAsNonRoot: true, runAsUser: 1000, allowPrivilegeEscalation: false,
        seccompProfile: { type: 'Localhost', localhostProfile: 'profiles/web.json' },
        capabilities: { drop: ['ALL'], add: ['NET_BIND_SERVICE'] },
      });
      patch.set(w.deployment, `${SPEC}/volumes`, [{ name: 'tmp', emptyDir: {} }, { name: 'config', configMap: { name: 'web' } }]);
    });
    expect(reported(fleet, 'pod-security-restricted')).toEqual([]);
  });

  test('applies to every pod template: CronJob, Job, StatefulSet, DaemonSet, Pod', () => {
    const fleet = fleetOf('production', (apps) => {
      const pod = { containers: [{ name: 'x', image: 'busybox:1.36' }], restartPolicy: 'Never' };
      new k8s.KubeCronJob(apps, 'cron', { metadata: { name: 'cron' }, spec: { schedule: '0 3 * * *', jobTemplate: { spec: { template: { spec: pod } } } } });
      new k8s.KubeJob(apps, 'job', { metadata: { name: 'job' }, spec: { template: { spec: pod } } });
      new k8s.KubePod(apps, 'pod', { metadata: { name: 'pod' }, spec: pod });
    });
    const paths = new Set(findingsOf(fleet).filter((f) => f.rule === 'pod-security-restricted').map((f) => f.path));
    expect([...paths].sort()).toEqual(['c/apps/shop/cron', 'c/apps/shop/job', 'c/apps/shop/pod']);
  });
});

describe('resources', () => {
  test('a container without requests or memory limit is a warning in development and an error in production', () => {
    const breakIt = (apps: Apps) => patch.remove(webWorkload(apps).deployment, `${APP}/resources/limits`);
    expect(reported(fleetOf('development', breakIt), 'resources')).toEqual([`warning [resources] ${DEPLOYMENT}: container "app" has no limits.memory`]);
    expect(reported(fleetOf('production', breakIt), 'resources')).toEqual([`error [resources] ${DEPLOYMENT}: container "app" has no limits.memory`]);
    const none = fleetOf('production', (apps) => patch.remove(webWorkload(apps).deployment, `${APP}/resources`));
    expect(reported(none, 'resources')).toEqual([`error [resources] ${DEPLOYMENT}: container "app" has no requests.cpu, requests.memory, limits.memory`]);
  });

  test('a cpu limit is not required', () => {
    expect(reported(fleetOf('production', (apps) => webWorkload(apps)), 'resources')).toEqual([]);
  });
});

describe('image-pinned', () => {
  test.each([
    ['ghcr.io/acme/web', 'has no tag, so it means :latest'],
    ['ghcr.io/acme/web:latest', 'uses the tag latest'],
    ['localhost:5000/web', 'has no tag, so it means :latest'],
    ['web:', 'has an empty tag'],
  ])('%s is not pinned', (image, problem) => {
    expect(imagePinProblem(image)).toBe(problem);
    const fleet = fleetOf('staging', (apps) => patch.set(webWorkload(apps).deployment, `${APP}/image`, image));
    expect(reported(fleet, 'image-pinned')).toEqual([`error [image-pinned] ${DEPLOYMENT}: container "app" image "${image}" ${problem}`]);
  });

  test.each(['ghcr.io/acme/web:1.4.2', 'localhost:5000/web:2', `ghcr.io/acme/web@sha256:${'a'.repeat(64)}`, `web:1.0@sha256:${'b'.repeat(64)}`])('%s is pinned', (image) => {
    expect(imagePinProblem(image)).toBeUndefined();
    const fleet = fleetOf('production', (apps) => patch.set(webWorkload(apps).deployment, `${APP}/image`, image));
    expect(reported(fleet, 'image-pinned')).toEqual([]);
  });

  test('is a warning in development', () => {
    const fleet = fleetOf('development', (apps) => patch.set(webWorkload(apps).deployment, `${APP}/image`, 'web:latest'));
    expect(reported(fleet, 'image-pinned')).toEqual([`warning [image-pinned] ${DEPLOYMENT}: container "app" image "web:latest" uses the tag latest`]);
  });
});

describe('readiness-probe', () => {
  test('a container serving a Service port without readinessProbe fires', () => {
    const fleet = fleetOf('production', (apps) => patch.remove(webWorkload(apps).deployment, `${APP}/readinessProbe`));
    expect(reported(fleet, 'readiness-probe')).toEqual([`error [readiness-probe] ${DEPLOYMENT}: container "app" serves Service web but has no readinessProbe`]);
  });

  test('a workload no Service selects, and a sidecar serving no Service port, need none', () => {
    const fleet = fleetOf('production', (apps) => {
      const w = webWorkload(apps);
      patch.set(w.deployment, `${SPEC}/containers/-`, {
        name: 'log-shipper', image: 'fluent/fluent-bit:3.0.0',
        securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } },
        resources: { requests: { cpu: '10m', memory: '32Mi' }, limits: { memory: '32Mi' } },
      });
      const worker = webWorkload(apps, 'worker');
      apps.node.tryRemoveChild(worker.service.node.id);
      patch.remove(worker.deployment, `${APP}/readinessProbe`);
    });
    expect(reported(fleet, 'readiness-probe')).toEqual([]);
  });

  test('when no container declares the target port, every container needs a probe', () => {
    const fleet = fleetOf('production', (apps) => {
      const w = webWorkload(apps);
      patch.remove(w.deployment, `${APP}/ports`);
      patch.remove(w.deployment, `${APP}/readinessProbe`);
    });
    expect(reported(fleet, 'readiness-probe')).toHaveLength(1);
  });
});

describe('pod-disruption-budget', () => {
  const withoutPdb = (apps: Apps) => {
    const w = webWorkload(apps);
    apps.node.tryRemoveChild(w.pdb.node.id);
  };

  test('an autoscaled workload (no spec.replicas, HPA max 5) without PDB: error in production, warning in staging, nothing in development', () => {
    const message = `${DEPLOYMENT}: runs up to 5 replicas but no PodDisruptionBudget selects its pods: a node drain may evict them all at once`;
    expect(reported(fleetOf('production', withoutPdb), 'pod-disruption-budget')).toEqual([`error [pod-disruption-budget] ${message}`]);
    expect(reported(fleetOf('staging', withoutPdb), 'pod-disruption-budget')).toEqual([`warning [pod-disruption-budget] ${message}`]);
    expect(reported(fleetOf('development', withoutPdb), 'pod-disruption-budget')).toEqual([]);
  });

  test('a single replica needs no PDB', () => {
    const fleet = fleetOf('production', (apps) => {
      const w = webWorkload(apps);
      apps.node.tryRemoveChild(w.pdb.node.id);
      apps.node.tryRemoveChild(w.hpa.node.id);
    });
    expect(reported(fleet, 'pod-disruption-budget')).toEqual([]);
  });

  test('spec.replicas counts when there is no autoscaler; a KEDA ScaledObject counts with its maxReplicaCount (default 100)', () => {
    const fixed = fleetOf('production', (apps) => {
      const w = webWorkload(apps);
      apps.node.tryRemoveChild(w.pdb.node.id);
      apps.node.tryRemoveChild(w.hpa.node.id);
      patch.set(w.deployment, '/spec/replicas', 3);
    });
    expect(reported(fixed, 'pod-disruption-budget')).toEqual([expect.stringContaining('runs up to 3 replicas')]);
    const keda = fleetOf('production', (apps) => {
      const w = webWorkload(apps);
      apps.node.tryRemoveChild(w.pdb.node.id);
      apps.node.tryRemoveChild(w.hpa.node.id);
      new ScaledObject(apps, 'web-scaler', { metadata: { name: 'web' }, spec: { scaleTargetRef: { name: 'web' }, triggers: [{ type: 'cpu', metadata: { value: '70' } }] } });
    });
    expect(reported(keda, 'pod-disruption-budget')).toEqual([expect.stringContaining('runs up to 100 replicas')]);
  });

  test('a PDB that allows no eviction counts here (disruption-budget-allows-eviction reports it); one selecting other pods does not count', () => {
    const blocking = fleetOf('production', (apps) => patch.set(webWorkload(apps).pdb, '/spec/maxUnavailable', k8s.IntOrString.fromNumber(0)));
    expect(reported(blocking, 'pod-disruption-budget')).toEqual([]);
    expect(reported(blocking, 'disruption-budget-allows-eviction')).toEqual([expect.stringContaining('maxUnavailable 0 allows no eviction')]);
    const elsewhere = fleetOf('production', (apps) => patch.set(webWorkload(apps).pdb, '/spec/selector/matchLabels/app.kubernetes.io~1name', 'other'));
    expect(reported(elsewhere, 'pod-disruption-budget')).toEqual([expect.stringContaining('no PodDisruptionBudget selects its pods')]);
  });
});

describe('topology-spread', () => {
  test('a multi-replica workload without spread fires in production', () => {
    const fleet = fleetOf('production', (apps) => patch.remove(webWorkload(apps).deployment, `${SPEC}/topologySpreadConstraints`));
    expect(reported(fleet, 'topology-spread')).toEqual([
      `error [topology-spread] ${DEPLOYMENT}: runs up to 5 replicas but no topologySpreadConstraint (with a labelSelector matching its pods) spreads them`,
    ]);
    expect(reported(fleetOf('development', (apps) => patch.remove(webWorkload(apps).deployment, `${SPEC}/topologySpreadConstraints`)), 'topology-spread')).toEqual([]);
  });

  test('a constraint whose labelSelector does not select the pods does not count', () => {
    const fleet = fleetOf('production', (apps) => patch.set(webWorkload(apps).deployment, `${SPEC}/topologySpreadConstraints/0/labelSelector`, { matchLabels: { app: 'other' } }));
    expect(reported(fleet, 'topology-spread')).toHaveLength(1);
  });

  test('a single replica needs no spread', () => {
    const fleet = fleetOf('production', (apps) => {
      const w = webWorkload(apps);
      apps.node.tryRemoveChild(w.hpa.node.id);
      patch.remove(w.deployment, `${SPEC}/topologySpreadConstraints`);
    });
    expect(reported(fleet, 'topology-spread')).toEqual([]);
  });
});

describe('required-labels', () => {
  test('a workload without app.kubernetes.io/name fires; managed-by comes from fleet.apps', () => {
    const fleet = fleetOf('production', (apps) => patch.remove(webWorkload(apps).deployment, '/metadata/labels/app.kubernetes.io~1name'));
    expect(reported(fleet, 'required-labels')).toEqual([`error [required-labels] ${DEPLOYMENT}: missing label app.kubernetes.io/name`]);
  });

  test('a workload outside fleet.apps gets managed-by from its layer but needs a name; non-workloads need none', () => {
    const fleet = fleetOf('development', () => undefined, (platform) => {
      new k8s.KubeDaemonSet(platform.controllers, 'agent', {
        metadata: { name: 'agent', namespace: 'kube-system' },
        spec: { selector: { matchLabels: { a: 'b' } }, template: { metadata: { labels: { a: 'b' } }, spec: { containers: [{ name: 'a', image: 'a:1' }] } } },
      });
      new k8s.KubeConfigMap(platform.controllers, 'cm', { metadata: { name: 'cm', namespace: 'kube-system' } });
    });
    expect(reported(fleet, 'required-labels')).toEqual(['warning [required-labels] c/infrastructure/controllers/agent: missing label app.kubernetes.io/name']);
  });
});

describe('secret-plaintext', () => {
  test('a Secret with data or stringData is an error in every stage', () => {
    const fleet = fleetOf('development', (apps) => {
      new k8s.KubeSecret(apps, 'db', { metadata: { name: 'db' }, stringData: { password: 'hunter2' } });
      new k8s.KubeSecret(apps, 'tls', { metadata: { name: 'tls' }, data: { 'tls.crt': 'Y2VydA==', 'tls.key': 'a2V5' } });
    });
    expect(reported(fleet, 'secret-plaintext')).toEqual([
      'error [secret-plaintext] c/apps/shop/db: holds a value (password) in plaintext',
      'error [secret-plaintext] c/apps/shop/tls: holds 2 values (tls.crt, tls.key) in plaintext',
    ]);
  });

  test('a SOPS-encrypted Secret and a Secret without data pass', () => {
    const fleet = fleetOf('production', (apps) => {
      // a plain ApiObject: the KubeSecret binding would drop the sops key (an error of its own)
      new ApiObject(apps, 'db', {
        apiVersion: 'v1', kind: 'Secret', metadata: { name: 'db' },
        stringData: { password: 'ENC[AES256_GCM,data:Tr7o,iv:1=,tag:k=,type:str]' },
        sops: { age: [{ recipient: 'age1xyz', enc: '-----BEGIN AGE ENCRYPTED FILE-----' }], lastmodified: '2024-01-01T00:00:00Z', mac: 'ENC[AES256_GCM,data:oYyi,iv:Wc1B=,tag:Pc9a=,type:str]', version: '3.8.1' },
      });
      new k8s.KubeSecret(apps, 'token', { metadata: { name: 'token', annotations: { 'kubernetes.io/service-account.name': 'web' } }, type: 'kubernetes.io/service-account-token' });
    });
    expect(findingsOf(fleet)).toEqual([]);
  });
});

describe('tenant-default-deny', () => {
  const tenant = (policy?: k8s.NetworkPolicySpec) =>
    fleetOf('production', () => undefined, (platform) => {
      new k8s.KubeNamespace(platform.configs, 'ns', { metadata: { name: 'team', labels: { 'pod-security.kubernetes.io/enforce': 'restricted' } } });
      if (policy) new k8s.KubeNetworkPolicy(platform.configs, 'deny', { metadata: { name: 'default-deny', namespace: 'team' }, spec: policy });
    });

  test('a tenant namespace without default-deny NetworkPolicy fires', () => {
    expect(reported(tenant(), 'tenant-default-deny')).toEqual(['error [tenant-default-deny] c/infrastructure/configs/ns: tenant namespace team has no default-deny NetworkPolicy']);
  });

  test('a policy that admits ingress or selects only some pods is not a default deny', () => {
    expect(reported(tenant({ podSelector: {}, policyTypes: ['Ingress'], ingress: [{}] }), 'tenant-default-deny')).toHaveLength(1);
    expect(reported(tenant({ podSelector: { matchLabels: { a: 'b' } }, policyTypes: ['Ingress'] }), 'tenant-default-deny')).toHaveLength(1);
  });

  test('a default-deny policy (with or without policyTypes) passes; a namespace without the label is no tenant', () => {
    expect(reported(tenant({ podSelector: {}, policyTypes: ['Ingress', 'Egress'] }), 'tenant-default-deny')).toEqual([]);
    expect(reported(tenant({ podSelector: {} }), 'tenant-default-deny')).toEqual([]);
    const plain = fleetOf('production', () => undefined, (p) => void new k8s.KubeNamespace(p.configs, 'ns', { metadata: { name: 'team' } }));
    expect(reported(plain, 'tenant-default-deny')).toEqual([]);
  });
});

describe('service-selects-pods', () => {
  test('a Service whose selector matches no pod template fires', () => {
    const fleet = fleetOf('production', (apps) => patch.set(webWorkload(apps).service, '/spec/selector/app.kubernetes.io~1name', 'wbe'));
    expect(reported(fleet, 'service-selects-pods')).toEqual([
      'error [service-selects-pods] c/apps/shop/web-service: selector {"app.kubernetes.io/instance":"web","app.kubernetes.io/name":"wbe"} matches no pod template in namespace shop',
    ]);
  });

  test('pods in another namespace do not count; Services without selector and ExternalName Services are skipped', () => {
    const fleet = fleetOf('production', (apps) => {
      webWorkload(apps);
      new k8s.KubeService(apps, 'external', { metadata: { name: 'db' }, spec: { type: 'ExternalName', externalName: 'db.example.com' } });
      new k8s.KubeService(apps, 'manual', { metadata: { name: 'manual' }, spec: { ports: [{ port: 5432 }] } });
    });
    expect(reported(fleet, 'service-selects-pods')).toEqual([]);
    const other = fleetOf('production', (apps, cluster) => {
      webWorkload(apps);
      new k8s.KubeService(cluster.appsIn('other'), 'svc', { metadata: { name: 'web' }, spec: { selector: labelsFor('web'), ports: [{ port: 80 }] } });
    });
    expect(reported(other, 'service-selects-pods')).toEqual([expect.stringContaining('c/apps/other/svc: selector')]);
  });
});

describe('ingress-backend-exists', () => {
  const ingress = (apps: Apps, service: string, port: { name?: string; number?: number }) =>
    new k8s.KubeIngress(apps, 'ingress', {
      metadata: { name: 'web' },
      spec: { rules: [{ host: 'shop.acme.dev', http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: service, port } } }] } }] },
    });

  test('a backend Service that exists with that port passes', () => {
    expect(reported(fleetOf('production', (apps) => { webWorkload(apps); ingress(apps, 'web', { name: 'http' }); }), 'ingress-backend-exists')).toEqual([]);
    expect(reported(fleetOf('production', (apps) => { webWorkload(apps); ingress(apps, 'web', { number: 80 }); }), 'ingress-backend-exists')).toEqual([]);
  });

  test('a missing Service or port fires', () => {
    expect(reported(fleetOf('production', (apps) => { webWorkload(apps); ingress(apps, 'webb', { number: 80 }); }), 'ingress-backend-exists')).toEqual([
      'error [ingress-backend-exists] c/apps/shop/ingress: backend Service shop/webb does not exist on this cluster',
    ]);
    expect(reported(fleetOf('production', (apps) => { webWorkload(apps); ingress(apps, 'web', { name: 'grpc' }); }), 'ingress-backend-exists')).toEqual([
      'error [ingress-backend-exists] c/apps/shop/ingress: backend Service shop/web has no port named "grpc"',
    ]);
  });

  test('HTTPRoute backendRefs are checked the same way', () => {
    const route = (port: number) => (apps: Apps) => {
      webWorkload(apps);
      new HttpRoute(apps, 'route', { metadata: { name: 'web' }, spec: { parentRefs: [{ name: 'gateway', namespace: 'gateway' }], rules: [{ backendRefs: [{ name: 'web', port }] }] } });
    };
    expect(reported(fleetOf('production', route(80)), 'ingress-backend-exists')).toEqual([]);
    expect(reported(fleetOf('production', route(8080)), 'ingress-backend-exists')).toEqual(['error [ingress-backend-exists] c/apps/shop/route: backend Service shop/web has no port 8080']);
  });
});

describe('autoscaler-target-exists', () => {
  test('an HPA or ScaledObject whose target does not exist fires', () => {
    const fleet = fleetOf('production', (apps) => {
      patch.set(webWorkload(apps).hpa, '/spec/scaleTargetRef/name', 'wbe');
      new ScaledObject(apps, 'orders', { metadata: { name: 'orders' }, spec: { scaleTargetRef: { name: 'orders' }, triggers: [{ type: 'cpu', metadata: { value: '70' } }] } });
    });
    expect(reported(fleet, 'autoscaler-target-exists')).toEqual([
      'error [autoscaler-target-exists] c/apps/shop/web-hpa: scaleTargetRef apps/v1 Deployment shop/wbe does not exist on this cluster',
      'error [autoscaler-target-exists] c/apps/shop/orders: scaleTargetRef apps/v1 Deployment shop/orders does not exist on this cluster',
    ]);
  });

  test('a wrong apiVersion fires; an existing target passes', () => {
    const fleet = fleetOf('production', (apps) => patch.set(webWorkload(apps).hpa, '/spec/scaleTargetRef/apiVersion', 'extensions/v1beta1'));
    expect(reported(fleet, 'autoscaler-target-exists')).toEqual([
      'error [autoscaler-target-exists] c/apps/shop/web-hpa: scaleTargetRef extensions/v1beta1 Deployment shop/web is declared as apps/v1',
    ]);
    expect(reported(fleetOf('production', (apps) => webWorkload(apps)), 'autoscaler-target-exists')).toEqual([]);
  });
});

describe('flux-source-exists and flux-dependency-exists', () => {
  const release = (repo: string, dependsOn?: string) => (platform: { controllers: import('constructs').Construct }) => {
    new HelmRelease(platform.controllers, 'metrics', {
      metadata: { name: 'metrics-server', namespace: 'flux-system' },
      spec: {
        interval: '1h',
        serviceAccountName: 'helm-controller',
        chart: { spec: { chart: 'metrics-server', version: '3.12.2', sourceRef: { kind: HelmReleaseSpecChartSpecSourceRefKind.HELM_REPOSITORY, name: repo, namespace: 'flux-system' } } },
        dependsOn: dependsOn ? [{ name: dependsOn, namespace: 'kube-system' }] : undefined,
      },
    });
    new HelmRepository(platform.controllers, 'repo', { metadata: { name: 'metrics-server', namespace: 'flux-system' }, spec: { url: 'https://kubernetes-sigs.github.io/metrics-server', interval: '1h' } });
  };

  test('a HelmRelease whose chart source exists passes; the layers read the bootstrap GitRepository', () => {
    expect(findingsOf(fleetOf('production', () => undefined, release('metrics-server')))).toEqual([]);
  });

  test('a missing source or dependency fires', () => {
    expect(reported(fleetOf('production', () => undefined, release('metrics'))).filter((r) => r.includes('flux-'))).toEqual([
      'error [flux-source-exists] c/infrastructure/controllers/metrics: chart.spec.sourceRef HelmRepository flux-system/metrics does not exist on this cluster',
    ]);
    expect(reported(fleetOf('production', () => undefined, release('metrics-server', 'cert-manager')), 'flux-dependency-exists')).toEqual([
      'error [flux-dependency-exists] c/infrastructure/controllers/metrics: dependsOn HelmRelease kube-system/cert-manager does not exist on this cluster',
    ]);
  });
});

describe('keda-authentication-exists', () => {
  const scaled = (withAuth: boolean, kind?: ScaledObjectSpecTriggersAuthenticationRefKind) => (apps: Apps) => {
    webWorkload(apps);
    apps.node.tryRemoveChild('web-hpa');
    new ScaledObject(apps, 'scaler', {
      metadata: { name: 'web' },
      spec: { scaleTargetRef: { name: 'web' }, maxReplicaCount: 5, triggers: [{ type: 'rabbitmq', metadata: { queueName: 'orders' }, authenticationRef: { name: 'rabbit', kind } }] },
    });
    if (withAuth) new TriggerAuthentication(apps, 'auth', { metadata: { name: 'rabbit' }, spec: { secretTargetRef: [{ parameter: 'host', name: 'rabbit', key: 'host' }] } });
  };

  test('a missing TriggerAuthentication or ClusterTriggerAuthentication fires', () => {
    expect(reported(fleetOf('production', scaled(false)), 'keda-authentication-exists')).toEqual([
      'error [keda-authentication-exists] c/apps/shop/scaler: authenticationRef TriggerAuthentication shop/rabbit does not exist on this cluster',
    ]);
    expect(reported(fleetOf('production', scaled(true, ScaledObjectSpecTriggersAuthenticationRefKind.CLUSTER_TRIGGER_AUTHENTICATION)), 'keda-authentication-exists')).toEqual([
      'error [keda-authentication-exists] c/apps/shop/scaler: authenticationRef ClusterTriggerAuthentication rabbit does not exist on this cluster',
    ]);
  });

  test('an existing TriggerAuthentication passes', () => {
    expect(reported(fleetOf('production', scaled(true)), 'keda-authentication-exists')).toEqual([]);
  });
});

describe('issuer-exists', () => {
  const tls = (issuer?: string) =>
    fleetOf(
      'production',
      (apps) => {
        webWorkload(apps);
        new k8s.KubeIngress(apps, 'ingress', {
          metadata: { name: 'web', annotations: { 'cert-manager.io/cluster-issuer': 'letsencrypt' } },
          spec: { tls: [{ hosts: ['shop.acme.dev'], secretName: 'web-tls' }], rules: [{ host: 'shop.acme.dev', http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: 'web', port: { number: 80 } } } }] } }] },
        });
        new Certificate(apps, 'cert', { metadata: { name: 'web' }, spec: { secretName: 'web-cert', dnsNames: ['shop.acme.dev'], issuerRef: { kind: 'ClusterIssuer', name: 'letsencrypt' } } });
      },
      (platform) => {
        if (issuer) new ClusterIssuer(platform.configs, 'issuer', { metadata: { name: issuer }, spec: { selfSigned: {} } });
      },
    );

  test('an Ingress annotation or Certificate issuerRef naming a missing ClusterIssuer fires', () => {
    expect(reported(tls('other'), 'issuer-exists')).toEqual([
      'error [issuer-exists] c/apps/shop/cert: issuerRef ClusterIssuer letsencrypt does not exist on this cluster',
      'error [issuer-exists] c/apps/shop/ingress: annotation cert-manager.io/cluster-issuer: ClusterIssuer letsencrypt does not exist on this cluster',
    ]);
  });

  test('an existing ClusterIssuer passes', () => {
    expect(reported(tls('letsencrypt'), 'issuer-exists')).toEqual([]);
  });
});

describe('severities and the report', () => {
  test('warnings do not fail a render and come back with it; errors fail it with the warnings in the report', () => {
    const dev = fleetOf('development', (apps) => patch.set(webWorkload(apps).deployment, `${APP}/image`, 'web:latest'));
    expect(dev.render().warnings.map((w) => w.rule)).toEqual(['image-pinned']);
    const prod = fleetOf('production', (apps) => {
      const w = webWorkload(apps);
      patch.set(w.deployment, `${APP}/image`, 'web:latest');
    });
    expect(() => prod.render()).toThrow(SynthError);
  });

  test('the report groups findings by cluster and object, errors first, with the fix', () => {
    const report = formatReport([
      { path: 'b/apps/shop/web', object: 'Deployment shop/web', rule: 'image-pinned', severity: 'warning', message: 'container "app" image "web:latest" uses the tag latest', hint: 'pin it' },
      { path: 'a/apps/shop/web', message: 'Deployment web: schema apps/v1: /spec/replicass is an unknown field (did you mean "replicas"?)' },
      { path: 'b/apps/shop/web', object: 'Deployment shop/web', rule: 'resources', message: 'container "app" has no limits.memory', hint: 'set it' },
      { path: '', message: 'unknown cluster "x"' },
    ], 'nothing written');
    expect(report).toBe([
      'strata: 3 errors, 1 warning, nothing written',
      'b',
      '  b/apps/shop/web (Deployment shop/web)',
      '    ✗ [resources] container "app" has no limits.memory',
      '        fix: set it',
      '    ⚠ [image-pinned] container "app" image "web:latest" uses the tag latest',
      '        fix: pin it',
      'a',
      '  a/apps/shop/web',
      '    ✗ Deployment web: schema apps/v1: /spec/replicass is an unknown field (did you mean "replicas"?)',
      '(fleet)',
      '  (fleet)',
      '    ✗ unknown cluster "x"',
    ].join('\n'));
  });
});
