import { readableProps } from '../fleet/props.js';
import { k8s } from 'cdk8s-plus-27';
import type { Construct } from 'constructs';
import type { ScaleTarget } from '../autoscaling/target.js';
import { show } from '../fleet/errors.js';
import { dnsLabelError } from '../fleet/names.js';
import { findRoutable, isRouted, markRouted, registerRoutable } from '../traffic/backends.js';
import { renderReferenceGrant } from '../traffic/reference-grant.js';
import { pathProblem, timeoutProblems } from '../traffic/route-checks.js';
import type { RouteBackend, RouteRule, RouteSpec, RouteTimeouts } from '../traffic/route-spec.js';
import { renderDeployment, rollingUpdateProblems, type RollingUpdateOptions } from './deployment.js';
import { ingressCannot, renderRoute, resolveHost, routeProblems } from './exposure.js';
import { Peer } from './network.js';
import type { PodOptions } from './pod.js';
import type { ResolvedPort } from './ports.js';
import { Probe } from './probe.js';
import { addLaterFields } from './lifecycle.js';
import { renderDisruptionBudget, resolveScaling, zoneSpreadConstraints, type ScalingOptions } from './scaling.js';
import { renderService, serviceNameProblems } from './service.js';
import { Workload, type StageProps } from './workload.js';

/** Another path prefix of a web service's host, served by another web service. */
export interface PathRoute {
  /** Path prefix, e.g. `/api`. */
  readonly path: string;
  /** The web service (its Service) that serves it. */
  readonly service: string;
  /**
   * Its namespace; another namespace must accept routes from this one (`allowRoutesFrom`).
   * @default this service's namespace
   */
  readonly namespace?: string;
  /** Service port. @default 80 (a web service's `http` port) */
  readonly port?: number;
}

/** An HTTP service: a Deployment behind a Service, optionally reachable from outside by host name. */
export interface WebServiceOptions extends PodOptions, ScalingOptions {
  /**
   * Container port serving HTTP, named `http`; the Service exposes it on port 80.
   * @default 8080
   */
  readonly port?: number;
  /**
   * Host name to serve from outside the cluster: a single label (`shop`) is a name under the
   * cluster's domain, a name with dots is used as it is. Routed by the cluster's ingress
   * controller, which the workload's NetworkPolicy then admits on the http port.
   * @default none: reachable only inside the cluster
   */
  readonly host?: string;
  /**
   * Serve `host` over HTTPS with a certificate from the cluster's issuer (`cluster.tlsIssuer`).
   * `false` serves plain HTTP.
   * @default true
   */
  readonly tls?: boolean;
  /**
   * Path of the default startup, readiness and liveness probes (HTTP GET on the http port).
   * @default '/healthz'
   */
  readonly healthPath?: string;
  /** How rollouts replace pods. @default maxSurge 25%, maxUnavailable 0 */
  readonly rollingUpdate?: RollingUpdateOptions;
  /**
   * What the port speaks: 'http', or 'grpc' (HTTP/2 without TLS: the port is named `grpc` with
   * appProtocol `kubernetes.io/h2c`, probed over TCP, and routed by a GRPCRoute).
   * @default 'http'
   */
  readonly protocol?: 'http' | 'grpc';
  /** Path prefixes of `host` this service serves (HTTP only). @default ['/'] */
  readonly paths?: readonly string[];
  /** Request timeouts at the gateway (HTTP only). @default none (the gateway's) */
  readonly timeouts?: RouteTimeouts;
  /** More path prefixes of `host`, each served by another web service. @default none */
  readonly routes?: readonly PathRoute[];
  /**
   * Makes this service a canary of another web service of the namespace: it joins that
   * service's route and takes `weight` percent of its host's requests.
   * @default none
   */
  readonly canaryOf?: WebService;
  /**
   * Share of the host's requests, as a Gateway API backend weight: on a canary, the percentage
   * it takes; on the service it is a canary of, its own share (normally left to the default).
   * @default 0 on a canary (deployed, no requests yet); 100 minus its canaries' weights on the other
   */
  readonly weight?: number;
  /**
   * Namespaces whose web services may route paths to this one (`routes`): strata renders a
   * ReferenceGrant for them (on gateway clusters) and admits the gateway's data plane.
   * @default none: only routes of its own namespace
   */
  readonly allowRoutesFrom?: readonly string[];
}

/** The props of a WebService; any field may differ per stage (`perStage(...)`). */
export type WebServiceProps = StageProps<WebServiceOptions>;

const MAX_WEIGHT = 1_000_000;

/**
 * A stateless HTTP (or gRPC) service: Deployment, Service (port 80 → `http`), ServiceAccount and
 * NetworkPolicy; a PodDisruptionBudget when more than one replica can run; with a host, an
 * HTTPRoute (GRPCRoute) on the cluster gateway, or an Ingress on Ingress clusters.
 */
export class WebService extends Workload {
  private readonly protocol: 'http' | 'grpc';
  private readonly isCanary: boolean;
  private readonly hasHost: boolean;
  private readonly ownWeight?: number;
  private readonly canaries: { readonly service: WebService; readonly weight: number }[] = [];
  private _deployment?: k8s.KubeDeployment;
  private _service?: k8s.KubeService;

  /**
   * The Deployment (named like the service), for escape-hatch patches:
   * `web.deployment?.addJsonPatch(JsonPatch.add('/spec/template/spec/hostAliases', [...]))`.
   * Undefined when the service has errors (nothing is rendered; the synth reports them).
   * https://kubernetes.io/docs/concepts/workloads/controllers/deployment/
   */
  get deployment(): k8s.KubeDeployment | undefined {
    return this._deployment;
  }

  /** The ClusterIP Service (port 80 → `http`). Undefined when the service has errors. */
  get service(): k8s.KubeService | undefined {
    return this._service;
  }

  /** @throws StrataError when `scope` is not inside `fleet.apps(...)`, which gives the workload its namespace */
  constructor(scope: Construct, id: string, props: WebServiceProps) {
    super(scope, id, 'WebService', readableProps(props).name);
    this.problems.push(...serviceNameProblems('WebService', this.name));
    const o = this.resolveProps<WebServiceOptions>('WebServiceProps', props);
    this.protocol = o.protocol ?? 'http';
    this.isCanary = o.canaryOf !== undefined;
    this.hasHost = o.host !== undefined;
    this.ownWeight = o.weight;
    const grpc = this.protocol === 'grpc';
    const main = grpc ? { name: 'grpc', port: o.port ?? 8080, servicePort: 80, appProtocol: 'kubernetes.io/h2c' } : { name: 'http', port: o.port ?? 8080, servicePort: 80 };
    const ports = this.resolvePorts([main, ...(o.ports ?? [])], true);
    this.problems.push(...this.protocolProblems(o));
    const scaling = resolveScaling(o, this.cluster, this.cluster.stage.isProduction ? 2 : 1, this.problems);
    const healthPath = o.healthPath ?? '/healthz';
    if (!healthPath.startsWith('/')) this.problems.push(`healthPath ${show(healthPath)} must start with "/"`);
    const path = healthPath.startsWith('/') ? healthPath : `/${healthPath}`; // reported above; keeps the probes from repeating it
    const health = (timing: { periodSeconds: number; failureThreshold: number }) =>
      grpc ? Probe.tcp({ port: 'grpc', timeoutSeconds: 3, ...timing }) : Probe.http(path, { port: 'http', timeoutSeconds: 3, ...timing });
    const pod = this.buildPod(o, {
      ports,
      defaultProbes: {
        // Up to 150 s to start before liveness may restart the container.
        startup: health({ periodSeconds: 5, failureThreshold: 30 }),
        readiness: health({ periodSeconds: 10, failureThreshold: 3 }),
        liveness: health({ periodSeconds: 10, failureThreshold: 3 }),
      },
      defaultDrainSeconds: 5,
      zoneSpread: scaling.zoneSpread ? zoneSpreadConstraints(this.cluster, this.name) : undefined,
    });
    this.problems.push(...rollingUpdateProblems(o.rollingUpdate));
    const route = this.route(o, ports[0]);
    if (o.canaryOf !== undefined) this.joinCanary(o, o.canaryOf);
    this.problems.push(...this.weightProblems(o));
    const allowRoutesFrom = this.allowRoutesFrom(o);
    registerRoutable(this.cluster, { name: this.name, namespace: this.namespace, servicePorts: ports.map((p) => p.servicePort), allowRoutesFrom });
    // Where routes send requests here, the data plane connects to the pods: admit it on the main port.
    const routed = () => isRouted(this.cluster, this.namespace, this.name) && this.cluster.trafficPeer !== undefined;
    this.admit(ports, o.allowFrom, () => (routed() ? [{ peers: [Peer.ingressController()], ports: ports.slice(0, 1) }] : []), o.egress);
    if (this.problems.length > 0) return;

    this.renderCommon(pod, o.serviceAccount);
    this._deployment = renderDeployment(this, { name: this.name, replicas: scaling.replicas, rollingUpdate: o.rollingUpdate, template: pod.template });
    addLaterFields(this._deployment, pod.laterFields);
    this._service = renderService(this, { name: this.name, ports });
    if (scaling.maxReplicas > 1) this.objects.disruptionBudget = renderDisruptionBudget(this, this.name, this.selector);
    if (route) renderRoute(this, this.cluster, route);
    if (allowRoutesFrom.length > 0 && this.cluster.traffic === 'gateway') {
      renderReferenceGrant(this, { service: this.name, fromNamespaces: allowRoutesFrom, labels: this.selector });
    }
    const target: ScaleTarget = { apiVersion: 'apps/v1', kind: 'Deployment', name: this.name, namespace: this.namespace, containers: pod.containers };
    scaling.autoscaling?.attach(this, target);
  }

  /** The route of a service with a host: its own rule (shared with canaries), then one per `routes` entry. */
  private route(o: WebServiceOptions, port: ResolvedPort): RouteSpec | undefined {
    if (o.host === undefined) return undefined;
    const host = resolveHost(this.cluster, o.host, this.problems);
    if (host === undefined) return undefined;
    const paths = o.paths ?? ['/'];
    const pathErrors = paths.map((p, i) => pathProblem(`paths[${i}]`, p)).filter((p): p is string => !!p);
    const timeoutErrors = timeoutProblems(o.timeouts);
    this.problems.push(...pathErrors, ...timeoutErrors);
    if (o.timeouts && this.cluster.traffic === 'ingress') this.problems.push(ingressCannot(this.cluster, 'timeouts'));
    const self: RouteBackend = { service: this.name, namespace: this.namespace, port: port.servicePort, portName: port.name };
    const rules: RouteRule[] = [{ paths, backends: () => this.weighted(self) }, ...(o.routes ?? []).map((r, i) => this.pathRoute(r, i))];
    const spec: RouteSpec = { name: this.name, namespace: this.namespace, host, tls: o.tls ?? true, protocol: this.protocol, rules, timeouts: o.timeouts };
    if (pathErrors.length > 0) return undefined;
    this.problems.push(...routeProblems(this.cluster, spec));
    markRouted(this.cluster, this.namespace, this.name);
    this.lateChecks.push(() => this.shareProblems(host));
    return spec;
  }

  /** A `routes` entry: its path to another web service, checked once every service is declared. */
  private pathRoute(r: PathRoute, i: number): RouteRule {
    const namespace = r.namespace ?? this.namespace;
    const port = r.port ?? 80;
    const what = `routes[${i}]`;
    const problems = [pathProblem(`${what}.path`, r.path), dnsLabelError(`${what}.service`, r.service), dnsLabelError(`${what}.namespace`, namespace)].filter((p): p is string => !!p);
    if (namespace !== this.namespace && this.cluster.traffic === 'ingress') problems.push(ingressCannot(this.cluster, `a backend in another namespace (${what} to "${namespace}/${r.service}")`));
    this.problems.push(...problems);
    if (problems.length === 0) {
      markRouted(this.cluster, namespace, r.service);
      this.lateChecks.push(() => this.backendProblems(what, namespace, r.service, port));
    }
    return { paths: [r.path], backends: () => [{ service: r.service, namespace, port }] };
  }

  private backendProblems(what: string, namespace: string, service: string, port: number): string[] {
    const target = findRoutable(this.cluster, namespace, service);
    if (!target) return [`${what}: there is no WebService ${show(service)} in namespace ${show(namespace)} on cluster ${show(this.cluster.name)}`];
    const problems: string[] = [];
    if (!target.servicePorts.includes(port)) {
      problems.push(`${what}: Service "${namespace}/${service}" does not expose port ${port} (ports: ${target.servicePorts.join(', ')})`);
    }
    if (namespace !== this.namespace && !target.allowRoutesFrom.includes(this.namespace)) {
      problems.push(`${what}: WebService ${show(service)} of namespace ${show(namespace)} does not accept routes from namespace ${show(this.namespace)}: add allowRoutesFrom: [${show(this.namespace)}] to it (strata renders the ReferenceGrant)`);
    }
    return problems;
  }

  /** This service and its canaries, weighted when there are canaries or an explicit weight. */
  private weighted(self: RouteBackend): RouteBackend[] {
    if (this.canaries.length === 0 && this.ownWeight === undefined) return [self];
    return [
      { ...self, weight: this.shareOfSelf() },
      ...this.canaries.map((c) => ({ service: c.service.name, namespace: c.service.namespace, port: self.port, portName: self.portName, weight: c.weight })),
    ];
  }

  private shareOfSelf(): number {
    return this.ownWeight ?? Math.max(0, 100 - this.canaries.reduce((sum, c) => sum + c.weight, 0));
  }

  /** Weights that cannot work: canaries taking more than every request, or nobody taking any. */
  private shareProblems(host: string): string[] {
    const canaryTotal = this.canaries.reduce((sum, c) => sum + c.weight, 0);
    const shares = [`${this.name} ${this.shareOfSelf()}`, ...this.canaries.map((c) => `${c.service.name} ${c.weight}`)].join(', ');
    if (this.ownWeight === undefined && canaryTotal > 100) {
      return [`the canaries of host ${show(host)} take ${canaryTotal} percent of its requests (${shares}): their weights are percentages, at most 100 together`];
    }
    if (this.canaries.length + (this.ownWeight !== undefined ? 1 : 0) > 0 && this.shareOfSelf() + canaryTotal === 0) {
      return [`the weights of host ${show(host)} sum to zero (${shares}): no request would be served; give one of them a weight above 0`];
    }
    return [];
  }

  /** Joins the route of `primary` as its canary, with `weight` percent of its requests. */
  private joinCanary(o: WebServiceOptions, primary: WebService): void {
    const problem = this.canaryProblem(o, primary);
    if (problem) {
      this.problems.push(`canaryOf: ${problem}`);
      return;
    }
    primary.canaries.push({ service: this, weight: o.weight ?? 0 });
    markRouted(this.cluster, this.namespace, this.name);
  }

  private canaryProblem(o: WebServiceOptions, primary: WebService): string | undefined {
    if (!(primary instanceof WebService)) return `${show(String(primary))} is not a WebService`;
    const given = (['host', 'paths', 'timeouts', 'routes', 'tls'] as const).filter((k) => o[k] !== undefined);
    if (given.length > 0) return `a canary serves the route of ${primary.peerName}: leave out ${given.join(', ')}`;
    if (primary.isCanary) return `${primary.peerName} is itself a canary: name the service it is a canary of`;
    if (primary.cluster !== this.cluster || primary.namespace !== this.namespace) {
      return `${primary.peerName} is in namespace ${show(primary.namespace)} of cluster ${show(primary.cluster.name)}: a canary joins a service of its own namespace`;
    }
    if (!primary.hasHost) return `${primary.peerName} has no host, so there is no route to share`;
    if (primary.protocol !== this.protocol) return `protocol ${show(this.protocol)} differs from ${show(primary.protocol)} of ${primary.peerName}, whose route it joins`;
    if (this.cluster.traffic === 'ingress') return ingressCannot(this.cluster, 'weighted backends');
    return undefined;
  }

  private weightProblems(o: WebServiceOptions): string[] {
    if (o.weight === undefined) return [];
    if (!Number.isInteger(o.weight) || o.weight < 0 || o.weight > MAX_WEIGHT) return [`weight ${show(o.weight)} is not a whole number from 0 to ${MAX_WEIGHT}`];
    if (!this.hasHost && !this.isCanary) return [`weight is set, but ${this.peerName} has neither a host nor canaryOf: a weight shares a host's requests between versions`];
    if (this.hasHost && this.cluster.traffic === 'ingress') return [ingressCannot(this.cluster, 'weighted backends')];
    return [];
  }

  /** Props a gRPC service cannot use: it is routed by host alone and probed over TCP. */
  private protocolProblems(o: WebServiceOptions): string[] {
    if (o.protocol !== undefined && o.protocol !== 'http' && o.protocol !== 'grpc') return [`protocol ${show(o.protocol)} is not "http" or "grpc"`];
    if (o.protocol !== 'grpc') return [];
    const given = (['paths', 'timeouts', 'routes', 'healthPath'] as const).filter((k) => o[k] !== undefined);
    const problems = given.length > 0 ? [`protocol "grpc" is routed by host alone (a GRPCRoute) and probed over TCP: leave out ${given.join(', ')}`] : [];
    if (o.host !== undefined && this.cluster.traffic === 'ingress') problems.push(ingressCannot(this.cluster, 'gRPC (protocol "grpc")'));
    return problems;
  }

  /** Namespaces allowed to route here, validated; the service's own needs no grant. */
  private allowRoutesFrom(o: WebServiceOptions): string[] {
    const namespaces = [...new Set(o.allowRoutesFrom ?? [])];
    this.problems.push(...namespaces.map((ns) => dnsLabelError('allowRoutesFrom:', ns)).filter((p): p is string => !!p));
    return namespaces.filter((ns) => ns !== this.namespace).sort();
  }
}
