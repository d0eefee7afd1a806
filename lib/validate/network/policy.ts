// NetworkPolicies as the Kubernetes API reads them: defaults applied (policyTypes, protocol),
// absent lists kept apart from empty ones, since they mean opposite things.
// https://kubernetes.io/docs/reference/kubernetes-api/policy-resources/network-policy-v1/
import type { ResolvedObject } from '../../synth/model.js';
import { arr, labelsOf, nameOf, namespaceOf, rec, str, type Json } from '../objects.js';
import { parseCidr, type Cidr } from './cidr.js';

export type Direction = 'Ingress' | 'Egress';
export type Protocol = 'TCP' | 'UDP' | 'SCTP';

/** A port of a rule: a number, or a name the destination pod's containers give a port; `endPort` makes a range. */
export interface RulePort {
  readonly protocol: Protocol;
  /** Absent: every port of the protocol. */
  readonly port?: number | string;
  readonly endPort?: number;
}

/** One `from`/`to` entry. A pod peer's absent selector is undefined; an empty one (`{}`) selects all. */
export type RulePeer =
  | { readonly kind: 'pods'; readonly podSelector?: Json; readonly namespaceSelector?: Json }
  | { readonly kind: 'ipBlock'; readonly cidr?: Cidr; readonly except: readonly Cidr[] };

/** One ingress or egress rule. An absent or empty `from`/`to` or `ports` list means "all". */
export interface PolicyRule {
  readonly peers: readonly RulePeer[] | 'all';
  readonly ports: readonly RulePort[] | 'all';
}

/** One NetworkPolicy, read. */
export interface Policy {
  readonly object: ResolvedObject;
  /** `namespace/name`, as reports name it. */
  readonly id: string;
  readonly namespace: string;
  readonly podSelector: Json;
  /** The directions it isolates the pods it selects in. */
  readonly types: ReadonlySet<Direction>;
  readonly ingress: readonly PolicyRule[];
  readonly egress: readonly PolicyRule[];
}

function readPort(value: unknown): RulePort {
  const p = rec(value);
  const protocol = (str(p.protocol) ?? 'TCP') as Protocol;
  const port = typeof p.port === 'number' || typeof p.port === 'string' ? p.port : undefined;
  return { protocol, port, endPort: typeof p.endPort === 'number' ? p.endPort : undefined };
}

function readPeer(value: unknown): RulePeer {
  const p = rec(value);
  if (p.ipBlock !== undefined) {
    const block = rec(p.ipBlock);
    const cidr = parseCidr(String(block.cidr));
    return { kind: 'ipBlock', cidr, except: arr(block.except).map((e) => parseCidr(String(e))).filter((c): c is Cidr => !!c) };
  }
  return { kind: 'pods', podSelector: p.podSelector === undefined ? undefined : rec(p.podSelector), namespaceSelector: p.namespaceSelector === undefined ? undefined : rec(p.namespaceSelector) };
}

function readRules(value: unknown, peersKey: 'from' | 'to'): PolicyRule[] {
  return arr(value).map((r) => {
    const rule = rec(r);
    const peers = arr(rule[peersKey]);
    const ports = arr(rule.ports);
    return { peers: peers.length === 0 ? 'all' : peers.map(readPeer), ports: ports.length === 0 ? 'all' : ports.map(readPort) };
  });
}

/**
 * The policy of a NetworkPolicy object. Without `policyTypes` the API server defaults to Ingress,
 * plus Egress when the policy has egress rules.
 */
export function readPolicy(object: ResolvedObject): Policy {
  const spec = rec(object.manifest.spec);
  const namespace = namespaceOf(object) ?? 'default';
  const egress = readRules(spec.egress, 'to');
  const declared = arr(spec.policyTypes).filter((t): t is Direction => t === 'Ingress' || t === 'Egress');
  const types = new Set<Direction>(Array.isArray(spec.policyTypes) ? declared : egress.length > 0 ? ['Ingress', 'Egress'] : ['Ingress']);
  return { object, id: `${namespace}/${nameOf(object)}`, namespace, podSelector: rec(spec.podSelector), types, ingress: readRules(spec.ingress, 'from'), egress };
}

/** A selector with no requirement, which selects everything. */
export function selectsAll(selector: Json): boolean {
  return Object.keys(labelsOf(selector.matchLabels)).length === 0 && arr(selector.matchExpressions).length === 0;
}
