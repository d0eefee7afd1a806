import type { Construct } from 'constructs';
import { Capability } from '../fleet/capabilities.js';
import type { Cluster } from '../fleet/cluster.js';
import { StrataError, show } from '../fleet/errors.js';
import { dnsSubdomainError } from '../fleet/names.js';
import { renderIngress } from './ingress.js';

/** A host name routed to a Service port: what a WebService asks of the cluster's traffic layer. */
export interface HttpRoute {
  /** Name of the route objects (the workload's). */
  readonly name: string;
  /** Fully qualified host name. */
  readonly host: string;
  /** Serve HTTPS with a certificate from the cluster's issuer. */
  readonly tls: boolean;
  /** Service and port name the traffic goes to. */
  readonly service: string;
  readonly port: string;
}

/** Hosts per cluster: two workloads serving one host would fight over it. */
const HOSTS = new WeakMap<Cluster, Map<string, string>>();

/**
 * The fully qualified host: a single label (`shop`) is a name under the cluster's domain
 * (`shop.prod-eu.acme.dev`), anything with a dot is taken as it is.
 */
export function qualifyHost(cluster: Cluster, host: string): string {
  return host.includes('.') ? host : `${host}.${cluster.domain}`;
}

/**
 * Problems of exposing `route` on `cluster`: a bad or taken host, no traffic layer on the
 * platform, HTTPS without an issuer. `owner` is the construct path that claims the host.
 */
export function routeProblems(cluster: Cluster, route: HttpRoute, owner: string): string[] {
  const problem = dnsSubdomainError('host', route.host);
  if (problem) return [problem];
  const problems: string[] = [];
  if (!cluster.capabilities.has(Capability.INGRESS)) {
    problems.push(`host ${show(route.host)} needs an ingress controller, but the platform of cluster ${show(cluster.name)} installs none (capability "${Capability.INGRESS}")`);
  } else if (!cluster.ingressPeer) {
    problems.push(`host ${show(route.host)} needs cluster.ingressPeer (the ingress controller's namespace and pod labels) to admit its traffic, but cluster ${show(cluster.name)} declares none`);
  }
  if (route.tls && !cluster.tlsIssuer) {
    problems.push(`host ${show(route.host)} is served over HTTPS, but cluster ${show(cluster.name)} has no TLS issuer: install cert-manager on the platform, or set tls: false for plain HTTP`);
  }
  let hosts = HOSTS.get(cluster);
  if (!hosts) HOSTS.set(cluster, (hosts = new Map()));
  const first = hosts.get(route.host);
  if (first && first !== owner) problems.push(`host ${show(route.host)} is also served by ${first}`);
  else hosts.set(route.host, owner);
  return problems;
}

/** Resolves a host prop for `cluster`, or records why it cannot be. */
export function resolveHost(cluster: Cluster, host: string, problems: string[]): string | undefined {
  try {
    return qualifyHost(cluster, host);
  } catch (e) {
    if (!(e instanceof StrataError)) throw e;
    problems.push(`host ${show(host)}: ${e.message}`);
    return undefined;
  }
}

/**
 * Renders the objects that route `route` into the cluster. Today an Ingress; the Gateway API
 * (HTTPRoute) will become the default here, with Ingress kept as the alternative.
 */
export function renderRoute(scope: Construct, cluster: Cluster, route: HttpRoute): void {
  renderIngress(scope, cluster, route);
}
