import { Construct } from 'constructs';
import { ClusterIssuer } from '../../../imports/cert-manager-clusterissuer-cert-manager.io.js';
import { Capability } from '../../fleet/capabilities.js';
import { StrataError, show } from '../../fleet/errors.js';
import { perStage, type StageValue } from '../../fleet/stage.js';
import { PlatformComponent, mergeValues, type ComponentOptions, type IComponent } from '../component.js';
import { MANAGED_BY } from '../layer.js';
import type { Platform } from '../platform.js';

/** cert-manager chart v1.21.1, matching the cert-manager CRDs the project imports. */
export const CERT_MANAGER_CHART = { repository: 'https://charts.jetstack.io', name: 'cert-manager', version: 'v1.21.1' } as const;

/** The Let's Encrypt ACME directories. */
export const ACME_SERVERS = {
  staging: 'https://acme-staging-v02.api.letsencrypt.org/directory',
  production: 'https://acme-v02.api.letsencrypt.org/directory',
} as const;

export type AcmeEnvironment = keyof typeof ACME_SERVERS;

export interface CertManagerProps extends ComponentOptions {
  /** Contact address registered with Let's Encrypt. @default none (Let's Encrypt does not require one) */
  readonly email?: string;
  /**
   * Which ClusterIssuer signs host certificates on the cluster (`cluster.tlsIssuer`).
   * @default 'production' on production clusters, 'staging' elsewhere (staging certificates are untrusted but not rate-limited)
   */
  readonly issuer?: StageValue<AcmeEnvironment>;
}

const EMAIL = /^[^@\s]+@[^@\s]+\.[^@\s]+$/;

/**
 * cert-manager, in namespace `cert-manager`, plus ClusterIssuers `letsencrypt-staging` and
 * `letsencrypt-production` (ACME HTTP-01 through the cluster's IngressClass) in
 * infrastructure/configs, so the CRDs exist before the issuers. Sets `cluster.tlsIssuer`.
 */
export class CertManager implements IComponent {
  readonly name = 'cert-manager';

  constructor(private readonly props: CertManagerProps = {}) {}

  install(platform: Platform): void {
    const { email } = this.props;
    if (email !== undefined && !EMAIL.test(email)) throw new StrataError(`cert-manager email ${show(email)} is not an e-mail address`);
    const cluster = platform.cluster;
    const issuer = cluster.resolve(this.props.issuer ?? perStage<AcmeEnvironment>({ production: 'production', default: 'staging' }));
    if (!(issuer in ACME_SERVERS)) throw new StrataError(`cert-manager issuer ${show(issuer)} is not one of ${Object.keys(ACME_SERVERS).join(', ')}`);

    new PlatformComponent(platform.controllers, {
      name: this.name,
      namespace: 'cert-manager',
      chart: { ...CERT_MANAGER_CHART, version: this.props.version ?? CERT_MANAGER_CHART.version },
      // The chart installs its CRDs as templates; keep them if the release is ever removed, so certificates survive.
      values: mergeValues({ crds: { enabled: true, keep: true } }, this.props.values),
      dependsOn: this.props.dependsOn,
      capabilities: [Capability.CERT_MANAGER],
    });
    const issuers = new Construct(platform.configs, this.name);
    for (const env of Object.keys(ACME_SERVERS) as AcmeEnvironment[]) {
      const name = `letsencrypt-${env}`;
      new ClusterIssuer(issuers, name, {
        metadata: { name, labels: { ...MANAGED_BY } },
        spec: {
          acme: {
            server: ACME_SERVERS[env],
            email,
            privateKeySecretRef: { name },
            solvers: [{ http01: { ingress: { ingressClassName: cluster.provider.ingressClass } } }],
          },
        },
      });
    }
    cluster.tlsIssuer = `letsencrypt-${issuer}`;
  }
}
