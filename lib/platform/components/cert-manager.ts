import { Construct } from 'constructs';
import { ClusterIssuer, type ClusterIssuerSpecAcmeSolvers } from '../../../imports/cert-manager-clusterissuer-cert-manager.io.js';
import { Capability } from '../../fleet/capabilities.js';
import type { Cluster } from '../../fleet/cluster.js';
import { StrataError, addCheck, show } from '../../fleet/errors.js';
import { perStage, type StageValue } from '../../fleet/stage.js';
import { PlatformComponent, catalogRelease, mergeValues, provideCapability, type ComponentOptions, type IComponent } from '../component.js';
import { MANAGED_BY } from '../layer.js';
import type { Platform } from '../platform.js';
import { whenPlatformSettled } from '../settle.js';

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
 * `letsencrypt-production` in infrastructure/configs, so the CRDs exist before the issuers. Sets
 * `cluster.tlsIssuer`. HTTP-01 challenges go through the cluster's gateway (traffic mode
 * 'gateway') or IngressClass. Where the Gateway API is installed, cert-manager's Gateway API
 * support is on, and where a gateway serves HTTPS, the issuers solve DNS-01 for its domain
 * (`provider.acmeDns01`): its listener's wildcard certificate cannot be issued through HTTP-01.
 */
export class CertManager implements IComponent {
  readonly name: string;

  constructor(private readonly props: CertManagerProps = {}) {
    this.name = props.name ?? 'cert-manager';
  }

  install(platform: Platform): void {
    const { email } = this.props;
    if (email !== undefined && !EMAIL.test(email)) throw new StrataError(`cert-manager email ${show(email)} is not an e-mail address`);
    const cluster = platform.cluster;
    const issuer = cluster.resolve(this.props.issuer ?? perStage<AcmeEnvironment>({ production: 'production', default: 'staging' }));
    if (!(issuer in ACME_SERVERS)) throw new StrataError(`cert-manager issuer ${show(issuer)} is not one of ${Object.keys(ACME_SERVERS).join(', ')}`);
    provideCapability(cluster, Capability.CERT_MANAGER, this.name, platform.controllers);
    cluster.tlsIssuer = `letsencrypt-${issuer}`;
    // Gateway API support and solvers depend on the traffic components, which may be installed later.
    whenPlatformSettled(cluster, () => this.render(platform, email));
  }

  private render(platform: Platform, email: string | undefined): void {
    const cluster = platform.cluster;
    const gatewayApi = cluster.capabilities.has(Capability.GATEWAY_API);
    new PlatformComponent(platform.controllers, {
      ...catalogRelease(this.props, { name: this.name, namespace: 'cert-manager', chart: CERT_MANAGER_CHART }),
      // The chart installs its CRDs as templates; keep them if the release is ever removed, so certificates survive.
      values: mergeValues({ crds: { enabled: true, keep: true }, config: gatewayApi ? GATEWAY_API_CONFIG : undefined }, this.props.values),
      capabilities: [Capability.CERT_MANAGER],
    });
    const issuers = new Construct(platform.configs, this.name);
    const { solvers, problems } = acmeSolvers(cluster);
    addCheck(issuers, () => problems);
    for (const env of Object.keys(ACME_SERVERS) as AcmeEnvironment[]) {
      const name = `letsencrypt-${env}`;
      new ClusterIssuer(issuers, name, {
        metadata: { name, labels: { ...MANAGED_BY } },
        spec: { acme: { server: ACME_SERVERS[env], email, privateKeySecretRef: { name }, solvers } },
      });
    }
  }
}

/** cert-manager's controller configuration turning on its Gateway API support (cert-manager ≥ 1.15). */
const GATEWAY_API_CONFIG = { apiVersion: 'controller.config.cert-manager.io/v1alpha1', kind: 'ControllerConfiguration', enableGatewayAPI: true } as const;

/**
 * The issuers' solvers: DNS-01 for the gateway's domain (its HTTPS listener serves a wildcard
 * certificate), and HTTP-01 for every other name, through the gateway's HTTP listener or the
 * IngressClass, whichever carries the cluster's traffic.
 */
function acmeSolvers(cluster: Cluster): { solvers: ClusterIssuerSpecAcmeSolvers[]; problems: string[] } {
  const gateway = cluster.gateway;
  const http01: ClusterIssuerSpecAcmeSolvers =
    cluster.traffic === 'gateway' && gateway
      ? { http01: { gatewayHttpRoute: { parentRefs: [{ group: 'gateway.networking.k8s.io', kind: 'Gateway', name: gateway.name, namespace: gateway.namespace, sectionName: gateway.httpListener }] } } }
      : { http01: { ingress: { ingressClassName: cluster.provider.ingressClass } } };
  if (!gateway) return { solvers: [http01], problems: [] };
  const zone = gateway.hostname.replace(/^\*\./, '');
  const dns01 = cluster.provider.acmeDns01;
  if (!dns01) {
    return {
      solvers: [http01],
      problems: [
        `the HTTPS listener of gateway "${gateway.namespace}/${gateway.name}" serves ${show(gateway.hostname)}, a wildcard certificate Let's Encrypt issues only through DNS-01, ` +
          `but provider ${show(cluster.provider.name)} names no DNS-01 solver: set acmeDns01 on its profile, e.g. Provider.${cluster.provider.name === 'gcp' ? 'gcp' : '<provider>'}({ acmeDns01: { cloudDns: { project: '<dns project>' } } })`,
      ],
    };
  }
  const solver = dns01.route53 && !dns01.route53.region ? { ...dns01, route53: { ...dns01.route53, region: cluster.region } } : dns01;
  return { solvers: [{ dns01: solver, selector: { dnsZones: [zone] } }, http01], problems: [] };
}
