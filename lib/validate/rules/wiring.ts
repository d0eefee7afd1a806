// Rules on wiring inside a cluster: probes that reach the port the container serves, and Service
// ports that lead to a port of the pods they select.
import type { ResolvedObject } from '../../synth/model.js';
import {
  arr, containersOf, mapSelects, namespaceOf, nameOf, rec, selectingServices, type ClusterObjects, type Container, type PodTemplate,
} from '../objects.js';
import { ALWAYS_ERROR, type Rule, type Violation } from '../rule.js';

const PROBES = ['startupProbe', 'readinessProbe', 'livenessProbe'] as const;

/** The declared ports of a container: name (when named) and number. */
function portsOf(container: Container): { name?: string; number: unknown }[] {
  return arr(container.spec.ports).map((p) => ({ name: typeof rec(p).name === 'string' ? (rec(p).name as string) : undefined, number: rec(p).containerPort }));
}

/** `http=8080, 9090`, or `none`, for messages. */
function listPorts(ports: readonly { name?: string; number: unknown }[]): string {
  return ports.map((p) => (p.name ? `${p.name}=${String(p.number)}` : String(p.number))).join(', ') || 'none';
}

/** True when `port` (a name or a number) is a declared port of `container`. */
function declares(container: Container, port: unknown): boolean {
  return portsOf(container).some((p) => (typeof port === 'string' ? p.name === port : p.number === port));
}

/** The port a probe connects to (httpGet, tcpSocket or grpc), or undefined for exec probes. */
function probePort(probe: unknown): unknown {
  const p = rec(probe);
  return rec(p.httpGet).port ?? rec(p.tcpSocket).port ?? rec(p.grpc).port;
}

function probeViolations(object: ResolvedObject, template: PodTemplate): Violation[] {
  const violations: Violation[] = [];
  for (const c of containersOf(template.spec, ['initContainers', 'containers'])) {
    for (const kind of PROBES) {
      const port = probePort(c.spec[kind]);
      if (port === undefined || declares(c, port)) continue;
      const ports = listPorts(portsOf(c));
      const why = typeof port === 'string'
        ? `names no port of the container (ports: ${ports}): the kubelet cannot resolve it, so the probe always fails`
        : `is not a port of the container (ports: ${ports}): the kubelet probes a port the container does not serve`;
      violations.push({ object, message: `container ${JSON.stringify(c.name)}: ${kind} port ${JSON.stringify(port)} ${why}` });
    }
  }
  return violations;
}

export const probePortDeclared: Rule = {
  id: 'probe-port',
  summary: 'Every httpGet, tcpSocket and grpc probe connects to a port its own container declares, by name or number: a named port the container lacks never resolves, and a number it does not declare is usually another container\'s or a typo (waive it where the app listens on an undeclared port).',
  hint: 'point the probe at a port the container declares (by name, e.g. "http"), or declare the port in the container\'s ports',
  severity: ALWAYS_ERROR,
  check: (objects) =>
    objects.workloads().flatMap(({ object, template }) => probeViolations(object, template)),
};

/** The pod templates a Service selects, in its namespace on this cluster. */
function selectedTemplates(objects: ClusterObjects, service: ResolvedObject, selector: Record<string, string>): { object: ResolvedObject; template: PodTemplate }[] {
  return objects.workloadsIn(namespaceOf(service)).filter((w) => mapSelects(selector, w.template.labels));
}

/** True when some container of `template` declares `target` (a port name or number). */
function exposes(template: PodTemplate, target: unknown): boolean {
  return containersOf(template.spec, ['containers', 'initContainers']).some((c) => declares(c, target));
}

export const serviceTargetPort: Rule = {
  id: 'service-target-port',
  summary: 'Every port of a Service with a selector targets (targetPort, by name or number; the port itself when unset) a port some container of every pod template it selects declares: a named targetPort a pod lacks gives that pod no endpoint, a number it does not declare is usually a typo (waive it where the app listens on an undeclared port). A selector matching no pod template is `service-selects-pods`\'s.',
  hint: 'set targetPort to the name of the container port (e.g. "http"), or declare the port on the container',
  severity: ALWAYS_ERROR,
  check: (objects) =>
    selectingServices(objects).flatMap(({ service, spec, selector }) => {
      const selected = selectedTemplates(objects, service, selector);
      const violations: Violation[] = [];
      for (const port of arr(spec.ports).map(rec)) {
        const target = port.targetPort ?? port.port;
        const missing = selected.filter((w) => !exposes(w.template, target));
        if (missing.length === 0) continue;
        const what = port.name === undefined ? `port ${String(port.port)}` : `port ${JSON.stringify(port.name)}`;
        const pods = missing.map((w) => {
          const ports = containersOf(w.template.spec, ['containers']).flatMap(portsOf);
          return `${w.object.manifest.kind} ${nameOf(w.object)} (ports: ${listPorts(ports)})`;
        });
        const why = typeof target === 'string' ? 'which has no container port of that name, so it gets no endpoint for it' : 'which declares no such container port';
        violations.push({ object: service, message: `${what} targets ${JSON.stringify(target)} on ${pods.join(', ')}, ${why}` });
      }
      return violations;
    }),
};
