import { Capability } from '../../fleet/capabilities.js';
import { StrataError, show } from '../../fleet/errors.js';
import { PlatformComponent, catalogRelease, mergeValues, provideCapability, type ComponentOptions, type IComponent } from '../component.js';
import type { Platform } from '../platform.js';
import { whenPlatformSettled } from '../settle.js';
import { canonicalSet } from '../../fleet/canonical.js';

/** kubernetes-sigs/external-dns chart 1.23.0 (external-dns 0.23). */
export const EXTERNAL_DNS_CHART = {
  /** Helm repository URL the chart is pulled from (a Flux HelmRepository). See https://kubernetes-sigs.github.io/external-dns/latest/charts/external-dns/ */
  repository: 'https://kubernetes-sigs.github.io/external-dns/',
  /** The chart's name in that repository. */
  name: 'external-dns',
  /** The exact chart version the catalog pins. */
  version: '1.23.0',
} as const;

export interface ExternalDnsProps extends ComponentOptions {
  /** external-dns provider, e.g. `aws`, `google`, `azure`, `cloudflare`. @default the provider profile's */
  readonly provider?: string;
  /** Domains it may manage records in. @default the cluster's domain */
  readonly domains?: readonly string[];
  /**
   * `upsert-only` never deletes a record; `sync` also deletes records whose Ingress or Service
   * is gone.
   * @default 'upsert-only'
   */
  readonly policy?: 'upsert-only' | 'sync';
  /**
   * The owner id of the TXT records marking this cluster's records: keep a live cluster's, or
   * external-dns no longer updates (nor deletes) the records it created.
   * @default the cluster's name
   */
  readonly txtOwnerId?: string;
}

/**
 * external-dns, by default in namespace `external-dns`: DNS records for Ingress and route (HTTPRoute,
 * GRPCRoute, where the Gateway API is installed) hosts and LoadBalancer Services, owned through TXT records by this cluster's name, so clusters sharing a zone never
 * touch each other's records. Credentials come from the provider's workload identity (set the
 * ServiceAccount annotation through `values`).
 */
export class ExternalDns implements IComponent {
  readonly name: string;

  constructor(private readonly props: ExternalDnsProps = {}) {
    this.name = props.name ?? 'external-dns';
  }

  /** @throws StrataError when the cluster's provider has no DNS service and no `provider` is given; when another component already provides the same capability on the cluster (only one of them may be installed) */
  install(platform: Platform): void {
    const cluster = platform.cluster;
    const provider = this.props.provider ?? cluster.provider.externalDnsProvider;
    if (!provider) {
      throw new StrataError(`external-dns: provider ${show(cluster.provider.name)} has no DNS service: set Components.externalDns({ provider: '...' }) or leave external-dns out on this cluster`);
    }
    provideCapability(cluster, Capability.EXTERNAL_DNS, this.name, platform.controllers);
    // Route sources exist only once the Gateway API is installed, perhaps by a component installed later.
    whenPlatformSettled(cluster, () => this.render(platform, provider));
  }

  private render(platform: Platform, provider: string): void {
    const cluster = platform.cluster;
    const routes = cluster.capabilities.has(Capability.GATEWAY_API) ? ['gateway-httproute', 'gateway-grpcroute'] : [];
    new PlatformComponent(platform.controllers, {
      ...catalogRelease(this.props, { name: this.name, namespace: 'external-dns', chart: EXTERNAL_DNS_CHART }),
      values: mergeValues(
        {
          provider: { name: provider },
          sources: ['service', 'ingress', ...routes],
          domainFilters: canonicalSet(this.props.domains ?? [cluster.domain]),
          policy: this.props.policy ?? 'upsert-only',
          registry: 'txt',
          txtOwnerId: this.props.txtOwnerId ?? cluster.name,
        },
        this.props.values,
      ),
      capabilities: [Capability.EXTERNAL_DNS],
    });
  }
}
