import { k8s } from 'cdk8s-plus-27';
import { show } from '../fleet/errors.js';
import { dnsLabelError } from '../fleet/names.js';
import { readOptions } from '../fleet/props.js';
import { workloadPeer, type IEgressTarget } from './network.js';

/**
 * A destination port: a number (TCP), or a protocol and a number, optionally a range up to
 * `endPort` (NetworkPolicy `endPort`, Kubernetes 1.25+).
 */
export type EgressPort =
  | number
  | {
      /** Destination port number, 1–65535 (the first of the range with `endPort`). See https://kubernetes.io/docs/concepts/services-networking/network-policies/#targeting-a-range-of-ports */
      readonly port: number;
      /** Transport protocol. @default 'TCP' */
      readonly protocol?: 'TCP' | 'UDP' | 'SCTP';
      /** Last port of the range, from `port` to 65535. @default none (the single port `port`) */
      readonly endPort?: number;
    };


// What a destination is (IEgressTarget) is stated in network.ts, which renders the egress rules.
export type { IEgressTarget };

/** Options of `Egress.toWorkload`. */
export interface EgressWorkloadOptions {
  /** The workload's namespace (a DNS label). */
  readonly namespace: string;
  /** Its container ports connected to. */
  readonly ports: readonly EgressPort[];
}

/** Options of `Egress.toCidr`. */
export interface EgressCidrOptions {
  /** Destination ports. */
  readonly ports: readonly EgressPort[];
  /** Ranges inside the CIDR that stay denied. @default none */
  readonly except?: readonly string[];
}

/** Options of `Egress.toAnyAddress`. */
export interface EgressPortOptions {
  /** Destination ports, e.g. `[443]`. */
  readonly ports: readonly EgressPort[];
}


const IPV4_CIDR = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/;
const IPV6_CIDR = /^[0-9a-fA-F:]+\/(\d{1,3})$/;

function cidrError(what: string, cidr: string): string | undefined {
  if (typeof cidr !== 'string') return `${what} ${show(cidr)} is not a CIDR, e.g. "10.64.0.0/24" or "2001:db8::/32"`;
  const v4 = IPV4_CIDR.exec(cidr);
  if (v4) return v4.slice(1, 5).every((o) => Number(o) <= 255) && Number(v4[5]) <= 32 ? undefined : `${what} ${show(cidr)} is not an IPv4 CIDR (four numbers 0-255, a prefix 0-32)`;
  const v6 = IPV6_CIDR.exec(cidr);
  if (v6 && cidr.includes(':') && Number(v6[1]) <= 128) return undefined;
  return `${what} ${show(cidr)} is not a CIDR, e.g. "10.64.0.0/24" or "2001:db8::/32" (NetworkPolicy matches addresses, never DNS names)`;
}

/**
 * Problems of a destination's ports. A value that is not a list, or an item that is neither a
 * number nor an object, is reported by the options check (against EgressPort) and left out of
 * `ports` before it gets here; `given` is what the options named, to tell a list left empty by
 * that from one written empty, and ports never named.
 */
function portProblems(what: string, ports: readonly EgressPort[] | undefined, given: unknown): string[] {
  if (given === undefined) return [`${what}: ports is required: the destination ports, e.g. [443] or [{ port: 53, protocol: 'UDP' }]`];
  if (ports === undefined) return [];
  if (ports.length === 0) return Array.isArray(given) && given.length === 0 ? [`${what}: ports is empty; name the destination ports (a NetworkPolicy rule without ports allows every port)`] : [];
  return ports.flatMap((p) => {
    const { port, endPort } = typeof p === 'number' ? { port: p, endPort: undefined } : p;
    const bad = (n: number) => !Number.isInteger(n) || n < 1 || n > 65535;
    if (bad(port)) return [`${what}: port ${show(port)} is not a port number (1-65535)`];
    if (endPort !== undefined && (bad(endPort) || endPort < port)) return [`${what}: endPort ${show(endPort)} is not a port number from port (${port}) to 65535`];
    return [];
  });
}

/** The ports options an Egress factory could read named, as given. */
function givenPorts(options: unknown): unknown {
  return (options as { ports?: unknown } | undefined)?.ports;
}

function renderPorts(ports: readonly EgressPort[]): k8s.NetworkPolicyPort[] {
  return ports.map((p) => {
    const { port, protocol, endPort } = typeof p === 'number' ? { port: p, protocol: undefined, endPort: undefined } : p;
    return { protocol: protocol ?? 'TCP', port: k8s.IntOrString.fromNumber(port), ...(endPort !== undefined ? { endPort } : {}) };
  });
}

/**
 * Typed egress destinations. A NetworkPolicy matches pods (by labels) and IP ranges, never DNS
 * names: a destination known by name (a managed database's endpoint, an external API) is
 * declared by the address range it resolves to, or by its ports alone with `Egress.toAnyAddress`.
 * Ports are the destination's own ports; for a pod behind a Service, its target (container)
 * port, since policies see connections after the Service address is translated.
 * https://kubernetes.io/docs/concepts/services-networking/network-policies/
 */
export class Egress {
  /**
   * The pods of a workload of another namespace (e.g. another tenant's Service): its
   * NetworkPolicy must admit this workload too (`allowFrom(Peer.workload(...))`), or the flow
   * check reports the connection as blocked.
   * @param options.namespace its namespace
   * @param options.ports its container ports connected to
   */
  static toWorkload(name: string, options: EgressWorkloadOptions): IEgressTarget {
    const what = `Egress.toWorkload(${show(name)})`;
    const given = readOptions<Partial<EgressWorkloadOptions>>('EgressWorkloadOptions', options, what, "{ namespace: 'shop', ports: [8080] }");
    const { namespace, ports } = given.options;
    return {
      targetName: what,
      problems: () => [
        ...given.problems,
        ...[dnsLabelError(`${what}: name`, name), given.readable && namespace !== undefined ? dnsLabelError(`${what}: namespace`, namespace) : undefined].filter((p): p is string => !!p),
        ...(given.readable ? portProblems(what, ports, givenPorts(options)) : []),
      ],
      egressRule: (context) => ({ to: [workloadPeer(name, namespace ?? '', context)], ports: renderPorts(ports ?? []) }),
    };
  }

  /**
   * Addresses outside the cluster: a managed database's subnet, a broker's address, a partner's
   * network. `except` carves ranges out of it.
   * @param cidr e.g. `'10.64.0.0/24'`
   * @param options.ports destination ports
   * @param options.except ranges inside `cidr` that stay denied @default none
   */
  static toCidr(cidr: string, options: EgressCidrOptions): IEgressTarget {
    const what = `Egress.toCidr(${show(cidr)})`;
    const given = readOptions<Partial<EgressCidrOptions>>('EgressCidrOptions', options, what, '{ ports: [5432] }');
    const { ports } = given.options;
    const except = given.options.except ?? [];
    return {
      targetName: what,
      problems: () => [
        ...given.problems,
        ...[cidrError(`${what}: cidr`, cidr), ...except.map((e) => cidrError(`${what}: except`, e))].filter((p): p is string => !!p),
        ...(given.readable ? portProblems(what, ports, givenPorts(options)) : []),
      ],
      egressRule: () => ({
        to: [{ ipBlock: { cidr, ...(except.length > 0 ? { except: [...except].sort() } : {}) } }],
        ports: renderPorts(ports ?? []),
      }),
    };
  }

  /**
   * Any address on the given ports, for an external API known only by DNS name (its addresses
   * change): `0.0.0.0/0` and `::/0`. This also allows those ports to pods of the cluster on
   * network plugins where ipBlock matches pod addresses.
   * @param options.ports destination ports, e.g. `[443]`
   */
  static toAnyAddress(options: EgressPortOptions): IEgressTarget {
    const what = 'Egress.toAnyAddress()';
    const given = readOptions<Partial<EgressPortOptions>>('EgressPortOptions', options, what, '{ ports: [443] }');
    const { ports } = given.options;
    return {
      targetName: what,
      problems: () => [...given.problems, ...(given.readable ? portProblems(what, ports, givenPorts(options)) : [])],
      egressRule: () => ({ to: [{ ipBlock: { cidr: '0.0.0.0/0' } }, { ipBlock: { cidr: '::/0' } }], ports: renderPorts(ports ?? []) }),
    };
  }
}
