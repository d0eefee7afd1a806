// Wiring inside a cluster: Service names, Flux name labels, probe ports, Service target ports and
// service links, for typed workloads (errors at the construct) and hand-written objects (rules).
import { ApiObject } from 'cdk8s';
import { k8s } from 'cdk8s-plus-27';
import { HelmRelease } from '../imports/flux-helm-helm.toolkit.fluxcd.io.js';
import { Kustomization } from '../imports/flux-kustomize-kustomize.toolkit.fluxcd.io.js';
import { Probe, StatefulService, WebService, Worker } from '../lib/index.js';
import { BASE, errorsOf, find, objectsOf, oneCluster } from './support/fleets.js';
import { fleetOf, findingsOf, labelsFor, patch, reported, webWorkload } from './support/policy.js';

const SPEC = '/spec/template/spec';
const APP = `${SPEC}/containers/0`;

describe('Service names (DNS-1035)', () => {
  test('a WebService or StatefulService whose name starts with a digit is an error at the construct, naming a fix', () => {
    expect(errorsOf(oneCluster((apps) => new WebService(apps, '3d-viewer', BASE)))).toEqual([
      'dev-eu/apps/shop/3d-viewer: WebService name "3d-viewer" cannot name its Service: Service names are DNS-1035 labels, which start with a letter, so the API server rejects a Service "3d-viewer"; rename the workload, e.g. "viewer-3d" (or set name)',
    ]);
    expect(errorsOf(oneCluster((apps) => new StatefulService(apps, 'db', { ...BASE, name: '2nd-db', ports: [{ name: 'pg', port: 5432 }] })))).toEqual([
      'dev-eu/apps/shop/db: StatefulService name "2nd-db" cannot name its Service: Service names are DNS-1035 labels, which start with a letter, so the API server rejects a Service "2nd-db"; rename the workload, e.g. "db-2nd" (or set name)',
    ]);
  });

  test('a Worker (no Service) may start with a digit', () => {
    expect(() => oneCluster((apps) => new Worker(apps, '3d-render', BASE)).render()).not.toThrow();
  });

  test('a hand-written Service named like 3d-viewer is an error; its Deployment of that name is not', () => {
    const errors = errorsOf(fleetOf('development', (apps) => {
      const w = webWorkload(apps, '3d-viewer');
      patch.set(w.service, '/metadata/name', '3d-viewer');
    }));
    expect(errors).toEqual([
      'c/apps/shop/3d-viewer-service: Service name "3d-viewer" is rejected by the API server: Service names are DNS-1035 labels, which start with a letter (a Deployment may have this name, a Service may not); rename it, e.g. "viewer-3d"',
    ]);
  });
});

describe('Flux names stamped as label values', () => {
  const long = `a${'-b'.repeat(32)}`; // 65 characters, a valid DNS-1123 subdomain

  test('a Kustomization or HelmRelease name over 63 characters is an error; 63 passes', () => {
    const errors = errorsOf(fleetOf('development', (apps) => {
      new Kustomization(apps, 'ks', { metadata: { name: long }, spec: { interval: '1h', prune: true, sourceRef: { kind: 'GitRepository' as never, name: 'flux-system', namespace: 'flux-system' } } });
      new HelmRelease(apps, 'hr', { metadata: { name: long }, spec: { interval: '1h', chartRef: { kind: 'OCIRepository' as never, name: 'x' } } });
      new HelmRelease(apps, 'ok', { metadata: { name: long.slice(0, 63) }, spec: { interval: '1h', chartRef: { kind: 'OCIRepository' as never, name: 'x' } } });
    })).filter((e) => e.includes('label value'));
    expect(errors).toEqual([
      `c/apps/shop/ks: Kustomization name "${long}" has 65 characters: Flux labels every object it applies with kustomize.toolkit.fluxcd.io/name: <name>, and a label value has at most 63, so the API server rejects them all; shorten the name to 63 characters`,
      `c/apps/shop/hr: HelmRelease name "${long}" has 65 characters: Flux labels every object it applies with helm.toolkit.fluxcd.io/name: <name>, and a label value has at most 63, so the API server rejects them all; shorten the name to 63 characters`,
    ]);
  });

  test('a layer whose Flux Kustomization name (its path joined by "-") exceeds 63 characters is an error', () => {
    const path = `${'a'.repeat(40)}/${'b'.repeat(30)}`;
    const fleet = oneCluster((apps) => new Worker(apps, 'app', BASE));
    fleet.cluster('dev-eu').addLayer(path);
    expect(errorsOf(fleet).filter((e) => e.includes('label value'))).toEqual([
      expect.stringContaining(`Kustomization name "${path.replace('/', '-')}" has 71 characters`),
    ]);
  });
});

describe('probe-port', () => {
  test('a typed probe on a number the workload does not serve is an error at the construct', () => {
    const errors = errorsOf(oneCluster((apps) => new WebService(apps, 'web', { ...BASE, probes: { readiness: Probe.http('/ready', { port: 80 }) } })));
    expect(errors).toEqual([
      'dev-eu/apps/shop/web: probes.readiness: port 80 is not a port of this workload (ports: http=8080): the kubelet would probe a port the container does not serve; name a declared port (e.g. "http") or declare 80 in ports',
    ]);
    expect(() => oneCluster((apps) => new WebService(apps, 'web', { ...BASE, probes: { readiness: Probe.http('/ready', { port: 8080 }) } })).render()).not.toThrow();
  });

  test('a hand-written probe on a port name or number its container does not declare is an error', () => {
    const fleet = fleetOf('development', (apps) => {
      const w = webWorkload(apps);
      patch.set(w.deployment, `${APP}/readinessProbe/httpGet/port`, k8s.IntOrString.fromString('htp'));
      patch.set(w.deployment, `${APP}/livenessProbe`, { tcpSocket: { port: k8s.IntOrString.fromNumber(80) } });
      patch.set(w.deployment, `${APP}/startupProbe`, { grpc: { port: 8080 } });
    });
    expect(reported(fleet, 'probe-port')).toEqual([
      'error [probe-port] c/apps/shop/web: container "app": readinessProbe port "htp" names no port of the container (ports: http=8080): the kubelet cannot resolve it, so the probe always fails',
      'error [probe-port] c/apps/shop/web: container "app": livenessProbe port 80 is not a port of the container (ports: http=8080): the kubelet probes a port the container does not serve',
    ]);
  });

  test('exec probes and a waiver with a reason pass', () => {
    const fleet = fleetOf('development', (apps) => {
      const w = webWorkload(apps);
      patch.set(w.deployment, `${APP}/livenessProbe`, { exec: { command: ['true'] } });
      patch.set(w.deployment, `${APP}/startupProbe`, { tcpSocket: { port: k8s.IntOrString.fromNumber(9901) } });
      patch.set(w.deployment, '/metadata/annotations', { 'strata.dev/waive.probe-port': 'the admin port 9901 is not declared by the vendor image' });
    });
    expect(findingsOf(fleet)).toEqual([]);
  });
});

describe('service-target-port', () => {
  test('a targetPort name or number no selected pod template declares is an error naming both sides', () => {
    const fleet = fleetOf('development', (apps) => {
      const w = webWorkload(apps);
      patch.set(w.service, '/spec/ports', [
        { name: 'http', port: 80, targetPort: k8s.IntOrString.fromString('htp') },
        { name: 'metrics', port: 9090 },
        { name: 'alt', port: 81, targetPort: k8s.IntOrString.fromNumber(8080) },
      ]);
    });
    expect(reported(fleet, 'service-target-port')).toEqual([
      'error [service-target-port] c/apps/shop/web-service: port "http" targets "htp" on Deployment web (ports: http=8080), which has no container port of that name, so it gets no endpoint for it',
      'error [service-target-port] c/apps/shop/web-service: port "metrics" targets 9090 on Deployment web (ports: http=8080), which declares no such container port',
    ]);
  });

  test('every selected pod template must expose the port: a second workload with the same labels and no such port fires', () => {
    const fleet = fleetOf('development', (apps) => {
      webWorkload(apps);
      const other = webWorkload(apps, 'other');
      patch.set(other.deployment, '/spec/template/metadata/labels', { ...labelsFor('web') });
      patch.set(other.deployment, `${APP}/ports`, [{ name: 'admin', containerPort: 9000 }]);
      patch.set(other.deployment, `${APP}/readinessProbe/httpGet/port`, k8s.IntOrString.fromString('admin'));
    });
    expect(reported(fleet, 'service-target-port')).toEqual([
      'error [service-target-port] c/apps/shop/web-service: port "http" targets "http" on Deployment other (ports: admin=9000), which has no container port of that name, so it gets no endpoint for it',
    ]);
  });

  test('typed workloads pass (their Services target their named ports)', () => {
    const fleet = oneCluster((apps) => new WebService(apps, 'web', BASE));
    expect(findingsOf(fleet).filter((f) => f.rule === 'service-target-port' || f.rule === 'probe-port')).toEqual([]);
  });
});

describe('service-links', () => {
  test('typed workloads render enableServiceLinks: false', () => {
    const objects = objectsOf(oneCluster((apps) => {
      new WebService(apps, 'web', BASE);
      new Worker(apps, 'worker', BASE);
    }));
    expect(find(objects, 'Deployment', 'web').spec.template.spec.enableServiceLinks).toBe(false);
    expect(find(objects, 'Deployment', 'worker').spec.template.spec.enableServiceLinks).toBe(false);
  });

  test('a hand-written pod template that leaves it on, in a namespace with Services, is a warning naming the variables', () => {
    const fleet = fleetOf('production', (apps) => {
      const w = webWorkload(apps);
      patch.remove(w.deployment, `${SPEC}/enableServiceLinks`);
      new k8s.KubeService(apps, 'redis', { metadata: { name: 'redis' }, spec: { clusterIp: 'None', ports: [{ port: 6379 }] } });
    });
    expect(reported(fleet, 'service-links')).toEqual([
      'warning [service-links] c/apps/shop/web: leaves enableServiceLinks on: every container gets variables such as REDIS_PORT (Service redis), WEB_PORT (Service web), which override settings of the same name',
    ]);
  });

  test('a pod template in a namespace without Services is not reported', () => {
    const fleet = fleetOf('development', (apps) => {
      new ApiObject(apps, 'pod', {
        apiVersion: 'v1', kind: 'Pod', metadata: { name: 'one-off', labels: labelsFor('one-off') },
        spec: { containers: [{ name: 'app', image: 'ghcr.io/acme/tool:1.0.0' }] },
      });
    });
    expect(reported(fleet, 'service-links')).toEqual([]);
  });
});
