import type { Construct } from 'constructs';
import { Capability } from '../fleet/capabilities.js';
import type { Cluster } from '../fleet/cluster.js';
import { StrataError, show } from '../fleet/errors.js';
import { dnsSubdomainError } from '../fleet/names.js';
import { isExposed } from '../traffic/gateway-access.js';
import { renderGrpcRoute } from '../traffic/grpc-route.js';
import { renderHttpRoute } from '../traffic/http-route.js';
import { renderIngress } from '../traffic/ingress.js';
import { listenerHostProblem } from '../traffic/route-checks.js';
import type { RouteSpec } from '../traffic/route-spec.js';
import { selectorLabels } from './network.js';

/**
 * The fully qualified host: a single label (`shop`) is a name under the cluster's domain
 * (`shop.prod-eu.acme.dev`), anything with a dot is taken as it is.
 */
export function qualifyHost(cluster: Cluster, host: string): string {
  return host.includes('.') ? host : `${host}.${cluster.domain}`;
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

/** What an Ingress cannot express, as the error naming it. */
export function ingressCannot(cluster: Cluster, what: string): string {
  return `cluster ${show(cluster.name)} routes through Ingress (traffic "ingress"), which cannot express ${what}: route the cluster through the gateway, or leave it out here`;
}

/**
 * Problems of exposing `route` on `cluster`: a bad host or one outside the gateway's hostname, a
 * namespace not exposed, no gateway (or ingress controller) for the cluster's traffic mode, HTTPS
 * without an issuer.
 */
export function routeProblems(cluster: Cluster, route: RouteSpec): string[] {
  const problem = dnsSubdomainError('host', route.host);
  if (problem) return [problem];
  const problems: string[] = [];
  if (!isExposed(cluster, route.namespace)) {
    problems.push(`host ${show(route.host)}: namespace ${show(route.namespace)} is not exposed to traffic from outside the cluster: declare its tenant with exposed: true (platform.addTenant(${show(route.namespace)}, { exposed: true }))`);
  }
  if (cluster.traffic === 'gateway') {
    if (!cluster.gateway) {
      problems.push(`host ${show(route.host)} is routed through the cluster gateway (traffic "gateway"), but the platform of cluster ${show(cluster.name)} installs none: install Components.gateway() (or Components.traffic()), or set traffic: 'ingress' on the cluster`);
    } else {
      const outside = listenerHostProblem(cluster.gateway, route.host, route.tls);
      if (outside) problems.push(outside);
      const { name, namespace, httpsListener } = cluster.gateway;
      if (route.tls && httpsListener === undefined) {
        problems.push(`host ${show(route.host)} is served over HTTPS, but gateway "${namespace}/${name}" serves plain HTTP only (Components.gateway({ listeners: { https: false } })): set tls: false, or give the gateway an HTTPS listener`);
      }
    }
  } else if (!cluster.capabilities.has(Capability.INGRESS)) {
    problems.push(`host ${show(route.host)} needs an ingress controller, but the platform of cluster ${show(cluster.name)} installs none (capability "${Capability.INGRESS}")`);
  } else if (!cluster.ingressPeer) {
    problems.push(`host ${show(route.host)} needs cluster.ingressPeer (the ingress controller's namespace and pod labels) to admit its traffic, but cluster ${show(cluster.name)} declares none`);
  }
  if (route.tls && !cluster.tlsIssuer) {
    problems.push(`host ${show(route.host)} is served over HTTPS, but cluster ${show(cluster.name)} has no TLS issuer: install cert-manager on the platform, or set tls: false for plain HTTP`);
  }
  // Two routes claiming one host and path are the rule route-conflict's, on the rendered routes.
  return problems;
}

/** Renders the objects that route `route` into the cluster: an HTTPRoute or GRPCRoute on the gateway, or an Ingress. */
export function renderRoute(scope: Construct, cluster: Cluster, route: RouteSpec): void {
  const labels = selectorLabels(route.name);
  if (cluster.traffic === 'ingress') return renderIngress(scope, cluster, route, labels);
  const gateway = cluster.gateway!; // checked by routeProblems
  if (route.protocol === 'grpc') renderGrpcRoute(scope, gateway, route, labels);
  else renderHttpRoute(scope, gateway, route, labels);
}
