import { Capability } from '../../fleet/capabilities.js';
import { PlatformComponent, catalogRelease, mergeValues, type ComponentOptions, type IComponent } from '../component.js';
import type { Platform } from '../platform.js';

/** external-secrets/external-secrets chart 2.12.0. */
export const EXTERNAL_SECRETS_CHART = {
  /** Helm repository URL the chart is pulled from (a Flux HelmRepository). See https://external-secrets.io/latest/introduction/getting-started/ */
  repository: 'https://charts.external-secrets.io',
  /** The chart's name in that repository. */
  name: 'external-secrets',
  /** The exact chart version the catalog pins. */
  version: '2.12.0',
} as const;

/** The options of `Components.externalSecrets()`. */
export type ExternalSecretsProps = ComponentOptions;

/**
 * External Secrets Operator, by default `external-secrets` in namespace `external-secrets`: secrets stay in the provider's
 * secret manager and are synced into the cluster, never committed. Stores (ClusterSecretStore)
 * are custom resources: declare them in infrastructure/configs.
 */
export class ExternalSecrets implements IComponent {
  readonly name: string;

  constructor(private readonly props: ExternalSecretsProps = {}) {
    this.name = props.name ?? 'external-secrets';
  }

  /** @throws StrataError when another component already provides the same capability on the cluster (only one of them may be installed) */
  install(platform: Platform): void {
    new PlatformComponent(platform.controllers, {
      ...catalogRelease(this.props, { name: this.name, namespace: 'external-secrets', chart: EXTERNAL_SECRETS_CHART }),
      values: mergeValues({ installCRDs: true }, this.props.values),
      capabilities: [Capability.EXTERNAL_SECRETS],
    });
  }
}
