import { Capability } from '../../fleet/capabilities.js';
import { PlatformComponent, catalogRelease, mergeValues, type ChartSourceOptions, type ComponentOptions, type IComponent } from '../component.js';
import type { Platform } from '../platform.js';

/**
 * Envoy Gateway v1.9.0 from Docker Hub: the controller chart and the companion chart holding its
 * own CRDs (the Gateway API CRDs come from the `gateway-api` component only).
 */
export const ENVOY_GATEWAY_CHARTS = {
  /** OCI registry path both charts are pulled from (Flux OCIRepositories). See https://gateway.envoyproxy.io/docs/install/install-helm/ */
  repository: 'oci://docker.io/envoyproxy',
  /** Name of the controller chart. */
  controller: 'gateway-helm',
  /** Name of the chart holding Envoy Gateway's own CRDs. */
  crds: 'gateway-crds-helm',
  /** The exact version of both charts the catalog pins. */
  version: 'v1.9.0',
} as const;


/** Namespace of the controller and, by default, of the Envoy proxies it runs for each Gateway. */
export const ENVOY_GATEWAY_NAMESPACE = 'envoy-gateway-system';

/** The `controllerName` a GatewayClass names to be served by Envoy Gateway. */
export const ENVOY_GATEWAY_CONTROLLER = 'gateway.envoyproxy.io/gatewayclass-controller';

/** The labels Envoy Gateway puts on the proxy pods of a Gateway. */
export function envoyProxyLabels(gateway: { readonly name: string; readonly namespace: string }): Record<string, string> {
  return {
    'app.kubernetes.io/name': 'envoy',
    'app.kubernetes.io/component': 'proxy',
    'gateway.envoyproxy.io/owning-gateway-name': gateway.name,
    'gateway.envoyproxy.io/owning-gateway-namespace': gateway.namespace,
  };
}

/** The release of Envoy Gateway's CRD chart, where it differs from the controller's. */
export interface EnvoyGatewayCrdRelease {
  /** Names its HelmRelease and (unless `source.name` / `releaseName`) its source and Helm release. @default '<name>-crds' */
  readonly name?: string;
  /** The Helm release's name, at most 53 characters. @default its HelmRelease's name */
  readonly releaseName?: string;
  /** Its chart's name in the controller's repository. @default 'gateway-crds-helm' */
  readonly chartName?: string;
  /** Its chart source's name, kind and interval. @default named like its HelmRelease */
  readonly source?: ChartSourceOptions;
}

export interface EnvoyGatewayProps extends ComponentOptions {
  /** Helm values of the CRD chart, laid over strata's. @default none */
  readonly crdValues?: ComponentOptions['values'];
  /**
   * The CRD chart's release: its names. Placement, namespace, intervals, install and upgrade
   * options and the repository are the controller's.
   * @default named '<name>-crds'
   */
  readonly crdRelease?: EnvoyGatewayCrdRelease;
}

/**
 * Envoy Gateway, the Gateway API implementation strata installs where the provider offers none:
 * `envoy-gateway-crds` (only Envoy Gateway's own CRDs) and `envoy-gateway` (the controller, its
 * bundled CRDs skipped), both by default in `envoy-gateway-system`. The Gateway API CRDs must come from the
 * `gateway-api` component; `Components.gateway()` installs both.
 */
export class EnvoyGateway implements IComponent {
  readonly name: string;
  /** Namespace of the controller and of the Envoy proxies it runs for each Gateway. */
  readonly namespace: string;

  constructor(private readonly props: EnvoyGatewayProps = {}) {
    this.name = props.name ?? 'envoy-gateway';
    this.namespace = props.namespace ?? ENVOY_GATEWAY_NAMESPACE;
  }

  /** @throws StrataError when another component already provides the same capability on the cluster (only one of them may be installed) */
  install(platform: Platform): void {
    const chart = { repository: ENVOY_GATEWAY_CHARTS.repository, name: ENVOY_GATEWAY_CHARTS.controller, version: ENVOY_GATEWAY_CHARTS.version };
    const controller = catalogRelease(this.props, { name: this.name, namespace: ENVOY_GATEWAY_NAMESPACE, chart });
    const crdRelease = this.props.crdRelease ?? {};
    const crds = crdRelease.name ?? `${this.name}-crds`;
    new PlatformComponent(platform.controllers, {
      ...controller,
      name: crds,
      releaseName: crdRelease.releaseName,
      source: { ...controller.source, name: crdRelease.source?.name, ...crdRelease.source },
      chart: { ...controller.chart, name: crdRelease.chartName ?? ENVOY_GATEWAY_CHARTS.crds },
      dependsOn: undefined,
      values: mergeValues({ crds: { gatewayAPI: { enabled: false }, envoyGateway: { enabled: true } } }, this.props.crdValues),
    });
    new PlatformComponent(platform.controllers, {
      ...controller,
      // The chart bundles Gateway API and Envoy CRDs (a `crds` subchart, and crds/ in older releases): both come from elsewhere.
      crds: 'skip',
      values: mergeValues({ crds: { enabled: false } }, this.props.values),
      dependsOn: [crds, ...(this.props.dependsOn ?? [])],
      capabilities: [Capability.GATEWAY_CONTROLLER],
    });
  }
}
