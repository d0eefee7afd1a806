// What NetworkPolicies see of the two ends of a connection: a pod (its namespace, its labels and
// the ports its containers name) or an address outside the cluster.
import type { ResolvedObject } from '../../synth/model.js';
import { arr, containersOf, nameOf, namespaceOf, rec, str, type ClusterObjects, type PodTemplate } from '../objects.js';
import type { Cidr } from './cidr.js';
import type { Protocol } from './policy.js';

/** A destination port of a connection; `name` is the container port's name, when it has one. */
export interface Port {
  readonly protocol: Protocol;
  readonly port: number;
}

/** The pods of one workload, as selectors see them: policy evaluation is per pod template. */
export interface PodEndpoint {
  readonly kind: 'pod';
  readonly namespace: string;
  readonly labels: Readonly<Record<string, string>>;
  /** Container ports by name, which named rule ports resolve against. */
  readonly namedPorts: ReadonlyMap<string, Port>;
  /** Every container port, named or not. */
  readonly ports: readonly Port[];
  /** The workload running the pods. */
  readonly object: ResolvedObject;
  /** How reports name it, e.g. `Deployment shop/storefront`. */
  readonly name: string;
}

/** Addresses outside the cluster. */
export interface AddressEndpoint {
  readonly kind: 'address';
  readonly cidr: Cidr;
  /** How reports name it. @default the CIDR */
  readonly name?: string;
}

export type Endpoint = PodEndpoint | AddressEndpoint;

/** The pod endpoint of a workload with its pod template. */
export function podEndpoint(object: ResolvedObject, template: PodTemplate): PodEndpoint {
  const namedPorts = new Map<string, Port>();
  const ports: Port[] = [];
  for (const c of containersOf(template.spec, ['initContainers', 'containers'])) {
    for (const p of arr(c.spec.ports).map(rec)) {
      if (typeof p.containerPort !== 'number') continue;
      const port = { protocol: (str(p.protocol) ?? 'TCP') as Protocol, port: p.containerPort };
      ports.push(port);
      const name = str(p.name);
      if (name !== undefined) namedPorts.set(name, port);
    }
  }
  const ns = namespaceOf(object) ?? 'default';
  return { kind: 'pod', namespace: ns, labels: template.labels, namedPorts, ports, object, name: `${object.manifest.kind} ${ns}/${nameOf(object)}` };
}

/** Pod endpoints of every workload of the cluster, per namespace, indexed by label for selector lookups. */
export class PodIndex {
  private readonly byNamespace = new Map<string, { all: PodEndpoint[]; byLabel: Map<string, PodEndpoint[]> }>();
  private readonly byObject = new Map<ResolvedObject, PodEndpoint>();

  constructor(objects: ClusterObjects) {
    for (const { object, template } of objects.workloads()) {
      const endpoint = podEndpoint(object, template);
      this.byObject.set(object, endpoint);
      let group = this.byNamespace.get(endpoint.namespace);
      if (!group) this.byNamespace.set(endpoint.namespace, (group = { all: [], byLabel: new Map() }));
      group.all.push(endpoint);
      for (const [k, v] of Object.entries(endpoint.labels)) {
        const key = `${k}=${v}`;
        let list = group.byLabel.get(key);
        if (!list) group.byLabel.set(key, (list = []));
        list.push(endpoint);
      }
    }
  }

  namespaces(): string[] {
    return [...this.byNamespace.keys()];
  }

  /** Every pod endpoint of a namespace. */
  inNamespace(namespace: string): readonly PodEndpoint[] {
    return this.byNamespace.get(namespace)?.all ?? [];
  }

  /** The endpoint of a workload object. */
  of(object: ResolvedObject): PodEndpoint | undefined {
    return this.byObject.get(object);
  }

  /**
   * Candidates for a selector in a namespace: the pods carrying one of its `matchLabels` (each
   * must still be matched against the whole selector), or every pod of the namespace.
   */
  candidates(namespace: string, selector: Record<string, unknown>): readonly PodEndpoint[] {
    const group = this.byNamespace.get(namespace);
    if (!group) return [];
    const first = Object.entries(rec(selector.matchLabels)).find(([, v]) => typeof v === 'string');
    return first ? group.byLabel.get(`${first[0]}=${String(first[1])}`) ?? [] : group.all;
  }
}
