import { Capability } from '../../fleet/capabilities.js';
import { PlatformComponent, catalogRelease, mergeValues, type ComponentOptions, type IComponent } from '../component.js';
import type { Platform } from '../platform.js';

/** external-secrets/external-secrets chart 2.12.0. */
export const EXTERNAL_SECRETS_CHART = { repository: 'https://charts.external-secrets.io', name: 'external-secrets', version: '2.12.0' } as const;

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

  install(platform: Platform): void {
    new PlatformComponent(platform.controllers, {
      ...catalogRelease(this.props, { name: this.name, namespace: 'external-secrets', chart: EXTERNAL_SECRETS_CHART }),
      values: mergeValues({ installCRDs: true }, this.props.values),
      capabilities: [Capability.EXTERNAL_SECRETS],
    });
  }
}
