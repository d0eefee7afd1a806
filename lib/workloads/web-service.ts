import type { Construct } from 'constructs';
import type { ScaleTarget } from '../autoscaling/target.js';
import { show } from '../fleet/errors.js';
import { renderDeployment, rollingUpdateProblems, type RollingUpdateOptions } from './deployment.js';
import { renderRoute, resolveHost, routeProblems, type HttpRoute } from './exposure.js';
import { Peer } from './network.js';
import { buildPod, type PodOptions } from './pod.js';
import { Probe } from './probe.js';
import { renderDisruptionBudget, resolveScaling, zoneSpreadConstraints, type ScalingOptions } from './scaling.js';
import { renderService } from './service.js';
import { Workload, type StageProps } from './workload.js';

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
}

export type WebServiceProps = StageProps<WebServiceOptions>;

/**
 * A stateless HTTP service: Deployment, Service (port 80 → `http`), ServiceAccount and
 * NetworkPolicy; a PodDisruptionBudget when more than one replica can run; an Ingress with a
 * certificate when it has a host.
 */
export class WebService extends Workload {
  constructor(scope: Construct, id: string, props: WebServiceProps) {
    super(scope, id, 'WebService', props.name);
    const o = this.resolveProps<WebServiceOptions>(props);
    const ports = this.resolvePorts([{ name: 'http', port: o.port ?? 8080, servicePort: 80 }, ...(o.ports ?? [])], true);
    const scaling = resolveScaling(o, this.cluster, this.cluster.stage.isProduction ? 2 : 1, this.problems);
    const healthPath = o.healthPath ?? '/healthz';
    if (!healthPath.startsWith('/')) this.problems.push(`healthPath ${show(healthPath)} must start with "/"`);
    const path = healthPath.startsWith('/') ? healthPath : `/${healthPath}`; // reported above; keeps the probes from repeating it
    const health = (timing: { periodSeconds: number; failureThreshold: number }) => Probe.http(path, { port: 'http', timeoutSeconds: 3, ...timing });
    const pod = buildPod(
      o,
      {
        scope: this,
        name: this.name,
        namespace: this.namespace,
        cluster: this.cluster,
        ports,
        defaultProbes: {
          // Up to 150 s to start before liveness may restart the container.
          startup: health({ periodSeconds: 5, failureThreshold: 30 }),
          readiness: health({ periodSeconds: 10, failureThreshold: 3 }),
          liveness: health({ periodSeconds: 10, failureThreshold: 3 }),
        },
        defaultDrainSeconds: 5,
        zoneSpread: scaling.zoneSpread ? zoneSpreadConstraints(this.cluster, this.name) : undefined,
      },
      this.problems,
    );
    this.problems.push(...rollingUpdateProblems(o.rollingUpdate));
    const route = this.route(o);
    this.admit(ports, o.allowFrom, route ? [{ peers: [Peer.ingressController()], ports: ports.slice(0, 1) }] : []);
    if (this.problems.length > 0) return;

    this.renderCommon(pod, o.serviceAccount);
    renderDeployment(this, { name: this.name, replicas: scaling.replicas, rollingUpdate: o.rollingUpdate, template: pod.template });
    renderService(this, { name: this.name, ports });
    if (scaling.maxReplicas > 1) renderDisruptionBudget(this, this.name, this.selector);
    if (route) renderRoute(this, this.cluster, route);
    const target: ScaleTarget = { apiVersion: 'apps/v1', kind: 'Deployment', name: this.name, namespace: this.namespace, containers: pod.containers };
    scaling.autoscaling?.attach(this, target);
  }

  private route(o: WebServiceOptions): HttpRoute | undefined {
    if (o.host === undefined) return undefined;
    const host = resolveHost(this.cluster, o.host, this.problems);
    if (host === undefined) return undefined;
    const route = { name: this.name, host, tls: o.tls ?? true, service: this.name, port: 'http' };
    this.problems.push(...routeProblems(this.cluster, route, this.node.path));
    return route;
  }
}
