import { Construct } from 'constructs';
import { ClusterIssuer, type ClusterIssuerSpecAcmeSolvers } from '../../../imports/cert-manager-clusterissuer-cert-manager.io.js';
import { Capability } from '../../fleet/capabilities.js';
import type { Cluster } from '../../fleet/cluster.js';
import { StrataError, addCheck, show } from '../../fleet/errors.js';
import { canonicalSet } from '../../fleet/canonical.js';
import { dnsSubdomainError } from '../../fleet/names.js';
import type { AcmeDns01Solver } from '../../providers/provider.js';
import { perStage, type StageValue } from '../../fleet/stage.js';
import { PlatformComponent, catalogRelease, mergeValues, provideCapability, type ComponentOptions, type IComponent } from '../component.js';
import { MANAGED_BY } from '../layer.js';
import type { Platform } from '../platform.js';
import { whenPlatformSettled } from '../settle.js';

/** cert-manager chart v1.21.1, matching the cert-manager CRDs the project imports. */
export const CERT_MANAGER_CHART = {
  /** Helm repository URL the chart is pulled from (a Flux HelmRepository). See https://cert-manager.io/docs/installation/helm/ */
  repository: 'https://charts.jetstack.io',
  /** The chart's name in that repository. */
  name: 'cert-manager',
  /** The exact chart version the catalog pins. */
  version: 'v1.21.1',
} as const;

/** The Let's Encrypt ACME directories. */
export const ACME_SERVERS = {
  /** Let's Encrypt staging directory URL: untrusted certificates, higher rate limits. See https://letsencrypt.org/docs/staging-environment/ */
  staging: 'https://acme-staging-v02.api.letsencrypt.org/directory',
  /** Let's Encrypt production directory URL: trusted certificates. */
  production: 'https://acme-v02.api.letsencrypt.org/directory',
} as const;


/** The Let's Encrypt ACME server an issuer uses: `production`, or `staging` for tests (untrusted certificates, higher rate limits). */
export type AcmeEnvironment = keyof typeof ACME_SERVERS;

/** One of the ACME ClusterIssuers cert-manager gets. https://cert-manager.io/docs/configuration/acme/ */
export interface AcmeIssuerOptions {
  /** The ClusterIssuer's name (a DNS-1123 subdomain): what `cluster.tlsIssuer`, Gateways and Ingresses name. @default 'letsencrypt-<environment>' */
  readonly name?: string;
  /** The ACME directory URL (https://). @default Let's Encrypt's for the environment */
  readonly server?: string;
  /** Secret (in cert-manager's namespace) holding the ACME account's private key. @default the issuer's name */
  readonly privateKeySecretName?: string;
}

/** The ClusterIssuers for Let's Encrypt's staging and production directories. */
export interface AcmeIssuers {
  /** @default 'letsencrypt-staging' */
  readonly staging?: AcmeIssuerOptions;
  /** @default 'letsencrypt-production' */
  readonly production?: AcmeIssuerOptions;
}

/** Where HTTP-01 challenges are answered. */
export type AcmeHttp01 = 'gateway' | 'ingress' | 'none';

/** A DNS-01 solver and the DNS zones it answers challenges for. */
export interface AcmeDns01 {
  /** cert-manager's `dns01` solver, e.g. `{ route53: { region: 'eu-west-1' } }` or `{ cloudflare: { apiTokenSecretRef: { name, key } } }`. */
  readonly solver: AcmeDns01Solver;
  /** Zones it solves (a `selector.dnsZones`), e.g. `['acme.dev']`. @default the gateway's domain where a gateway serves HTTPS, else every name */
  readonly zones?: readonly string[];
}

/** How the issuers prove control of a name. https://cert-manager.io/docs/configuration/acme/#solving-challenges */
export interface AcmeSolvers {
  /**
   * HTTP-01 through the cluster's gateway (an HTTPRoute on its HTTP listener), through its
   * IngressClass, or not at all (DNS-01 only).
   * @default 'gateway' where the cluster's traffic goes through a gateway, 'ingress' otherwise
   */
  readonly http01?: AcmeHttp01;
  /**
   * DNS-01, needed for wildcard certificates (the gateway's HTTPS listener).
   * @default the provider profile's `acmeDns01` for the gateway's domain, where a gateway serves HTTPS; none otherwise
   */
  readonly dns01?: AcmeDns01;
}

export interface CertManagerProps extends ComponentOptions {
  /** Contact address registered with Let's Encrypt. @default none (Let's Encrypt does not require one) */
  readonly email?: string;
  /**
   * Which ClusterIssuer signs host certificates on the cluster (`cluster.tlsIssuer`).
   * @default 'production' on production clusters, 'staging' elsewhere (staging certificates are untrusted but not rate-limited)
   */
  readonly issuer?: StageValue<AcmeEnvironment>;
  /** Names, ACME directories and account key Secrets of the two ClusterIssuers. @default `letsencrypt-staging`, `letsencrypt-production` */
  readonly issuers?: AcmeIssuers;
  /** How the issuers solve challenges. @default HTTP-01 through the cluster's traffic mode, DNS-01 for a gateway's wildcard */
  readonly solvers?: AcmeSolvers;
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

  /** @throws StrataError when `email` is not an e-mail address or `issuer` is not `production` or `staging`; when another component already provides the same capability on the cluster (only one of them may be installed) */
  install(platform: Platform): void {
    const { email } = this.props;
    if (email !== undefined && !EMAIL.test(email)) throw new StrataError(`cert-manager email ${show(email)} is not an e-mail address`);
    const cluster = platform.cluster;
    const issuer = cluster.resolve(this.props.issuer ?? perStage<AcmeEnvironment>({ production: 'production', default: 'staging' }));
    if (!(issuer in ACME_SERVERS)) throw new StrataError(`cert-manager issuer ${show(issuer)} is not one of ${Object.keys(ACME_SERVERS).join(', ')}`);
    provideCapability(cluster, Capability.CERT_MANAGER, this.name, platform.controllers);
    cluster.tlsIssuer = this.issuerName(issuer);
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
    const { solvers, problems } = acmeSolvers(cluster, this.props.solvers ?? {});
    const names = (Object.keys(ACME_SERVERS) as AcmeEnvironment[]).map((env) => this.issuerName(env));
    const optionProblems = [
      ...issuerProblems(this.props.issuers ?? {}),
      names[0] === names[1] ? `issuers.staging.name and issuers.production.name are both ${show(names[0])}: two ClusterIssuers need two names` : undefined,
    ].filter((p): p is string => p !== undefined);
    addCheck(issuers, () => [...problems, ...optionProblems]);
    // Broken issuer options would only come back as errors of the objects: they are not rendered.
    if (optionProblems.length > 0) return;
    for (const env of Object.keys(ACME_SERVERS) as AcmeEnvironment[]) {
      const options = this.props.issuers?.[env] ?? {};
      const name = this.issuerName(env);
      new ClusterIssuer(issuers, `letsencrypt-${env}`, {
        metadata: { name, labels: { ...MANAGED_BY } },
        spec: { acme: { server: options.server ?? ACME_SERVERS[env], email, privateKeySecretRef: { name: options.privateKeySecretName ?? name }, solvers } },
      });
    }
  }

  /** The ClusterIssuer name of an ACME environment. */
  private issuerName(env: AcmeEnvironment): string {
    return this.props.issuers?.[env]?.name ?? `letsencrypt-${env}`;
  }
}

/** Problems with the issuers' names, directories and Secrets, as messages naming the field. */
function issuerProblems(issuers: AcmeIssuers): string[] {
  return (Object.keys(ACME_SERVERS) as AcmeEnvironment[]).flatMap((env) => {
    const options = issuers[env] ?? {};
    const at = `issuers.${env}`;
    return [
      options.name === undefined ? undefined : dnsSubdomainError(`${at}.name`, options.name),
      options.server === undefined || /^https:\/\/[^\s/]+/.test(options.server) ? undefined : `${at}.server ${show(options.server)} is not an https:// URL of an ACME directory`,
      options.privateKeySecretName === undefined ? undefined : dnsSubdomainError(`${at}.privateKeySecretName`, options.privateKeySecretName),
    ].filter((p): p is string => p !== undefined);
  });
}

/** cert-manager's controller configuration turning on its Gateway API support (cert-manager ≥ 1.15). */
const GATEWAY_API_CONFIG = { apiVersion: 'controller.config.cert-manager.io/v1alpha1', kind: 'ControllerConfiguration', enableGatewayAPI: true } as const;

const HTTP01_MODES: readonly AcmeHttp01[] = ['gateway', 'ingress', 'none'];

/** The HTTP-01 solver for `mode`, or a problem (no gateway to answer through). */
function http01Solver(cluster: Cluster, mode: AcmeHttp01): { solver?: ClusterIssuerSpecAcmeSolvers; problem?: string } {
  const gateway = cluster.gateway;
  if (mode === 'none') return {};
  if (mode === 'ingress') return { solver: { http01: { ingress: { ingressClassName: cluster.provider.ingressClass } } } };
  if (!gateway) return { problem: `solvers.http01 is "gateway", but cluster ${show(cluster.name)} has no gateway: install Components.gateway(), or solve through "ingress"` };
  // The HTTP listener's name, wherever the gateway component renamed it: the solver's route attaches there.
  return { solver: { http01: { gatewayHttpRoute: { parentRefs: [{ group: 'gateway.networking.k8s.io', kind: 'Gateway', name: gateway.name, namespace: gateway.namespace, sectionName: gateway.httpListener }] } } } };
}

/**
 * The issuers' solvers: DNS-01 for the gateway's domain (its HTTPS listener serves a wildcard
 * certificate) or the zones given, and HTTP-01 for every other name, through the gateway's HTTP
 * listener or the IngressClass, whichever carries the cluster's traffic unless `options` say.
 */
function acmeSolvers(cluster: Cluster, options: AcmeSolvers): { solvers: ClusterIssuerSpecAcmeSolvers[]; problems: string[] } {
  const gateway = cluster.gateway;
  const mode = options.http01 ?? (cluster.traffic === 'gateway' && gateway ? 'gateway' : 'ingress');
  if (!HTTP01_MODES.includes(mode)) return { solvers: [], problems: [`solvers.http01 ${show(mode)} is not one of ${HTTP01_MODES.map(show).join(', ')}`] };
  const http = http01Solver(cluster, mode);
  const http01 = http.solver ? [http.solver] : [];
  const problems = http.problem ? [http.problem] : [];
  const wildcard = gateway && gateway.issuedCertificate !== false ? gateway : undefined;
  if (options.dns01 !== undefined) {
    const zones = options.dns01.zones ?? (wildcard ? [wildcard.hostname.replace(/^\*\./, '')] : undefined);
    problems.push(...(zones ?? []).flatMap((zone, i) => dnsSubdomainError(`solvers.dns01.zones[${i}]`, zone) ?? []));
    const solver = withRegion(cluster, options.dns01.solver);
    return { solvers: [{ dns01: solver, selector: zones && { dnsZones: canonicalSet(zones) } }, ...http01], problems };
  }
  if (http01.length === 0 && mode === 'none') problems.push('solvers.http01 is "none" and no solvers.dns01 is given: the issuers could solve no challenge; give solvers.dns01');
  if (!wildcard) return { solvers: http01, problems };
  const zone = wildcard.hostname.replace(/^\*\./, '');
  const dns01 = cluster.provider.acmeDns01;
  if (!dns01) {
    return {
      solvers: http01,
      problems: [
        ...problems,
        `the HTTPS listener of gateway "${wildcard.namespace}/${wildcard.name}" serves ${show(wildcard.hostname)}, a wildcard certificate Let's Encrypt issues only through DNS-01, ` +
          `but provider ${show(cluster.provider.name)} names no DNS-01 solver: set acmeDns01 on its profile, e.g. Provider.${cluster.provider.name === 'gcp' ? 'gcp' : '<provider>'}({ acmeDns01: { cloudDns: { project: '<dns project>' } } }), or give Components.certManager({ solvers: { dns01 } })`,
      ],
    };
  }
  return { solvers: [{ dns01: withRegion(cluster, dns01), selector: { dnsZones: [zone] } }, ...http01], problems };
}

/** A Route 53 solver without a region gets the cluster's. */
function withRegion(cluster: Cluster, dns01: AcmeDns01Solver): AcmeDns01Solver {
  return dns01.route53 && !dns01.route53.region ? { ...dns01, route53: { ...dns01.route53, region: cluster.region } } : dns01;
}
