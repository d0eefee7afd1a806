import { show } from '../fleet/errors.js';

/** A port the container listens on. */
export interface PortOptions {
  /** Port name (an IANA service name: lowercase, at most 15 characters), used by Services, probes and policies. */
  readonly name: string;
  /** Container port number. */
  readonly port: number;
  /** @default 'TCP' */
  readonly protocol?: 'TCP' | 'UDP' | 'SCTP';
  /**
   * The port number on the workload's Service, where it has one.
   * @default `port`
   */
  readonly servicePort?: number;
  /**
   * The application protocol of the Service port, for proxies and gateways, e.g.
   * `kubernetes.io/h2c` (HTTP/2 without TLS, as gRPC speaks it).
   * @default none
   */
  readonly appProtocol?: string;
}

/** A port with every default applied. */
export interface ResolvedPort {
  readonly name: string;
  readonly port: number;
  readonly protocol: 'TCP' | 'UDP' | 'SCTP';
  readonly servicePort: number;
  readonly appProtocol?: string;
}

const IANA_SVC_NAME = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/;

/** Problems of a port name: what Kubernetes accepts as a named port. */
export function portNameError(name: unknown): string | undefined {
  if (typeof name !== 'string' || !IANA_SVC_NAME.test(name) || name.length > 15 || !/[a-z]/.test(name) || name.includes('--')) {
    return `port name ${show(name)} is not an IANA service name (lowercase letters, digits and '-', at least one letter, no '--', at most 15 characters)`;
  }
  return undefined;
}

function portNumberError(what: string, port: unknown): string | undefined {
  return Number.isInteger(port) && (port as number) >= 1 && (port as number) <= 65535 ? undefined : `${what} ${show(port)} is out of range 1-65535`;
}

/**
 * Applies defaults and finds clashes: two ports with one name, one number and protocol, or (when
 * the workload has a Service) one Service port would make Kubernetes reject or silently merge them.
 */
export function resolvePorts(ports: readonly PortOptions[], hasService: boolean): { ports: ResolvedPort[]; problems: string[] } {
  const problems: string[] = [];
  const resolved = ports.map((p) => ({ name: p.name, port: p.port, protocol: p.protocol ?? 'TCP', servicePort: p.servicePort ?? p.port, appProtocol: p.appProtocol }));
  for (const p of resolved) {
    // A name or port left out is the props check's to report (`ports[0].name is required`).
    const nameError = p.name === undefined ? undefined : portNameError(p.name);
    if (nameError) problems.push(nameError);
    const numberError = p.port === undefined ? undefined : portNumberError(`port ${show(p.name)}:`, p.port);
    if (numberError) problems.push(numberError);
    const serviceError = hasService ? portNumberError(`port ${show(p.name)}: servicePort`, p.servicePort) : undefined;
    if (serviceError && p.servicePort !== p.port) problems.push(serviceError);
  }
  const names = new Set<string>();
  for (const p of resolved) {
    if (names.has(p.name)) problems.push(`port clash: two ports are named ${show(p.name)}`);
    names.add(p.name);
  }
  const container = (p: ResolvedPort) => `${p.port}/${p.protocol}`;
  const service = (p: ResolvedPort) => `${p.servicePort}/${p.protocol}`;
  const firstBy = new Map<string, ResolvedPort>();
  for (const p of resolved) {
    const first = firstBy.get(container(p));
    if (first) problems.push(`port clash: ports ${show(first.name)} and ${show(p.name)} both use ${container(p)}`);
    else firstBy.set(container(p), p);
  }
  if (hasService) {
    const firstByService = new Map<string, ResolvedPort>();
    for (const p of resolved) {
      const first = firstByService.get(service(p));
      // Ports that clash on the container already are reported once, above.
      if (first && container(first) !== container(p)) problems.push(`port clash: ports ${show(first.name)} and ${show(p.name)} both use Service port ${service(p)}`);
      else if (!first) firstByService.set(service(p), p);
    }
  }
  return { ports: resolved, problems };
}
