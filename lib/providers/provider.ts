import type { ClusterIssuerSpecAcmeSolversDns01 } from '../../imports/cert-manager-clusterissuer-cert-manager.io.js';
import { fromOptions } from '../fleet/props.js';

/** How traffic enters a cluster: Gateway API routes, or Ingress objects. */
export type TrafficMode = 'gateway' | 'ingress';

/**
 * What a NetworkPolicy admits so traffic from outside reaches a workload: the pods of an ingress
 * controller or gateway data plane, or (for a data plane outside the cluster, e.g. a cloud load
 * balancer) the address ranges it connects from.
 */
export type TrafficPeer =
  | {
      /** Namespace the traffic's pods run in (a NetworkPolicy `namespaceSelector`). */
      readonly namespace: string;
      /** Labels selecting those pods (a NetworkPolicy `podSelector`). */
      readonly podLabels: Readonly<Record<string, string>>;
    }
  | {
      /** Address ranges the traffic comes from, in CIDR notation (NetworkPolicy `ipBlock`s), e.g. `35.191.0.0/16`. */
      readonly cidrs: readonly string[];
    };

/** A cert-manager ACME DNS-01 solver (the `dns01` of a ClusterIssuer solver), e.g. `{ cloudDns: { project: 'acme-dns' } }`. */
export type AcmeDns01Solver = ClusterIssuerSpecAcmeSolversDns01;

/** A Gateway API implementation the provider runs itself, outside the cluster's workloads. */
export interface ManagedGateway {
  /** The GatewayClass the provider installs on the cluster, e.g. `gke-l7-global-external-managed`. */
  readonly className: string;
  /** Where its data plane connects to pods from (NetworkPolicy peer). */
  readonly dataPlane: TrafficPeer;
}

/**
 * Where pods' DNS queries are answered on a provider: what the tenants' `allow-dns`
 * NetworkPolicy must let every pod reach on port 53 (UDP and TCP).
 */
export interface DnsResolvers {
  /** Resolver pods, by namespace and labels (CoreDNS or kube-dns). */
  readonly pods: readonly {
    /** Namespace of the resolver pods, e.g. `kube-system`. */
    readonly namespace: string;
    /** Labels selecting the resolver pods, e.g. `k8s-app: kube-dns`. */
    readonly podLabels: Readonly<Record<string, string>>;
  }[];

  /**
   * Resolvers reached at an address rather than as pods: a node-local cache listening on a
   * link-local address with host networking (which pod selectors never match), or a metadata
   * server answering DNS.
   */
  readonly cidrs: readonly string[];
}

/** CoreDNS on EKS and AKS and kube-dns on GKE all run in kube-system labelled `k8s-app: kube-dns`. */
const CLUSTER_DNS = { namespace: 'kube-system', podLabels: { 'k8s-app': 'kube-dns' } } as const;
/**
 * The address NodeLocal DNSCache listens on by default, on every node with host networking:
 * https://kubernetes.io/docs/tasks/administer-cluster/nodelocaldns/
 */
export const NODE_LOCAL_DNS = '169.254.20.10/32';
/** The GKE metadata server, which answers pods' DNS when the cluster uses Cloud DNS: https://cloud.google.com/kubernetes-engine/docs/how-to/cloud-dns */
export const GKE_METADATA_SERVER = '169.254.169.254/32';

/** Which node autoscaler a provider runs. */
export type NodeAutoscalerFlavour = 'karpenter' | 'cluster-autoscaler';

/** The infrastructure a cluster runs on, as strata needs to know it. */
export interface ProviderProfile {
  /** Provider id: `aws`, `gcp`, `azure` or `on-premises`. */
  readonly name: string;
  /** Storage class for persistent volume claims. */
  readonly storageClass: string;
  /** Annotations a Service of type LoadBalancer needs on this provider. */
  readonly loadBalancerAnnotations: Readonly<Record<string, string>>;
  /**
   * The IngressClass the platform's ingress controller registers and apps' Ingresses name.
   * The same on every provider (`traefik`), so an app renders identically everywhere.
   */
  readonly ingressClass: string;
  /** external-dns `provider` value, or undefined where DNS is managed by hand. */
  readonly externalDnsProvider?: string;
  /** The node autoscaler this provider runs, or undefined where nodes are fixed. */
  readonly nodeAutoscaler?: NodeAutoscalerFlavour;
  /** Node label carrying the zone (well-known on every conformant provider). */
  readonly zoneLabel: string;
  /** Node label carrying the region. */
  readonly regionLabel: string;
  /** How traffic enters clusters on this provider (a cluster may override it). */
  readonly traffic: TrafficMode;
  /**
   * Who implements the cluster gateway: Envoy Gateway, installed by the gateway component, or
   * the provider's `managedGateway`.
   */
  readonly gatewayController: 'envoy' | 'managed';
  /** A Gateway API implementation the provider runs itself, if any. */
  readonly managedGateway?: ManagedGateway;
  /**
   * The cert-manager DNS-01 solver for the provider's DNS service: a gateway's HTTPS listener
   * serves a wildcard certificate, which Let's Encrypt issues only through DNS-01. A route53
   * solver without a region gets the cluster's.
   */
  readonly acmeDns01?: AcmeDns01Solver;
  /**
   * True where the provider runs metrics-server itself (GKE, AKS): installing a second one
   * would fight over the `v1beta1.metrics.k8s.io` APIService, so the component only records it.
   */
  readonly managedMetricsServer?: boolean;
  /** Where pods' DNS queries go (the `allow-dns` policy admits them all). */
  readonly dns: DnsResolvers;
}

/** Overrides for a provider's defaults. */
export type ProviderOverrides = Partial<Omit<ProviderProfile, 'name'>>;

/** The class the catalog's ingress controller (Traefik) registers. */
const INGRESS_CLASS = 'traefik';

/**
 * Google's front ends, from which GKE's external Application Load Balancers (and their health
 * checks) connect to pods: https://cloud.google.com/load-balancing/docs/firewall-rules
 */
export const GOOGLE_FRONT_END_RANGES = ['35.191.0.0/16', '130.211.0.0/22'] as const;

const WELL_KNOWN = {
  zoneLabel: 'topology.kubernetes.io/zone',
  regionLabel: 'topology.kubernetes.io/region',
} as const;

/** What every profile starts from: Gateway API traffic through Envoy Gateway. */
const DEFAULTS = { ...WELL_KNOWN, traffic: 'gateway', gatewayController: 'envoy' } as const;

/** Provider profiles. The same app definition renders unchanged on every one of them. */
export class Provider implements ProviderProfile {
  /**
   * Amazon EKS: gp3 volumes, NLB load balancers (annotations of the AWS Load Balancer
   * Controller, which EKS clusters run as an add-on), Karpenter, Route 53.
   */
  static aws(overrides: ProviderOverrides = {}): Provider {
    return fromOptions('ProviderOverrides', overrides, 'Provider.aws(...)', (overrides) => new Provider({
      name: 'aws',
      storageClass: 'gp3',
      loadBalancerAnnotations: {
        'service.beta.kubernetes.io/aws-load-balancer-type': 'external',
        'service.beta.kubernetes.io/aws-load-balancer-nlb-target-type': 'ip',
        'service.beta.kubernetes.io/aws-load-balancer-scheme': 'internet-facing',
      },
      ingressClass: INGRESS_CLASS,
      externalDnsProvider: 'aws',
      nodeAutoscaler: 'karpenter',
      // Route 53 with ambient credentials: give cert-manager's ServiceAccount an IAM role (IRSA or Pod Identity).
      acmeDns01: { route53: {} },
      // CoreDNS, and the NodeLocal DNSCache EKS clusters commonly add.
      dns: { pods: [CLUSTER_DNS], cidrs: [NODE_LOCAL_DNS] },
      ...DEFAULTS,
      ...overrides,
    }));
  }

  /** Google GKE: balanced persistent disks, backend-service load balancers, cluster-autoscaler, Cloud DNS; metrics-server is built in. */
  static gcp(overrides: ProviderOverrides = {}): Provider {
    return fromOptions('ProviderOverrides', overrides, 'Provider.gcp(...)', (overrides) => new Provider({
      name: 'gcp',
      storageClass: 'standard-rwo',
      loadBalancerAnnotations: { 'cloud.google.com/l4-rbs': 'enabled' },
      ingressClass: INGRESS_CLASS,
      externalDnsProvider: 'google',
      nodeAutoscaler: 'cluster-autoscaler',
      managedMetricsServer: true,
      // kube-dns; NodeLocal DNSCache (the default on Autopilot and on Standard from 1.33.1);
      // the metadata server where the cluster resolves through Cloud DNS.
      // https://cloud.google.com/kubernetes-engine/docs/how-to/nodelocal-dns-cache
      dns: { pods: [CLUSTER_DNS], cidrs: [NODE_LOCAL_DNS, GKE_METADATA_SERVER] },
      ...DEFAULTS,
      // GKE's Gateway controller: enable it on the cluster (`--gateway-api=standard`); it brings the Gateway API CRDs.
      gatewayController: 'managed',
      managedGateway: { className: 'gke-l7-global-external-managed', dataPlane: { cidrs: GOOGLE_FRONT_END_RANGES } },
      ...overrides,
    }));
  }

  /** Azure AKS: managed CSI premium disks, TCP-probed load balancers, cluster-autoscaler, Azure DNS; metrics-server is built in. */
  static azure(overrides: ProviderOverrides = {}): Provider {
    return fromOptions('ProviderOverrides', overrides, 'Provider.azure(...)', (overrides) => new Provider({
      name: 'azure',
      storageClass: 'managed-csi-premium',
      // An HTTP probe of `/` on the proxy's web port answers 404 (no route): probe TCP instead.
      loadBalancerAnnotations: { 'service.beta.kubernetes.io/azure-load-balancer-health-probe-protocol': 'tcp' },
      ingressClass: INGRESS_CLASS,
      externalDnsProvider: 'azure',
      nodeAutoscaler: 'cluster-autoscaler',
      managedMetricsServer: true,
      dns: { pods: [CLUSTER_DNS], cidrs: [] },
      ...DEFAULTS,
      ...overrides,
    }));
  }

  /** On-premises: the cluster's default storage class, MetalLB-style load balancers, fixed nodes. */
  static onPremises(overrides: ProviderOverrides = {}): Provider {
    return fromOptions('ProviderOverrides', overrides, 'Provider.onPremises(...)', (overrides) => new Provider({
      name: 'on-premises',
      storageClass: 'standard',
      loadBalancerAnnotations: {},
      ingressClass: INGRESS_CLASS,
      // CoreDNS, and NodeLocal DNSCache where the cluster runs it (kubeadm and kubespray can).
      dns: { pods: [CLUSTER_DNS], cidrs: [NODE_LOCAL_DNS] },
      ...DEFAULTS,
      ...overrides,
    }));
  }

  readonly name: string;
  readonly storageClass: string;
  readonly loadBalancerAnnotations: Readonly<Record<string, string>>;
  readonly ingressClass: string;
  readonly externalDnsProvider?: string;
  readonly nodeAutoscaler?: NodeAutoscalerFlavour;
  readonly zoneLabel: string;
  readonly regionLabel: string;
  readonly traffic: TrafficMode;
  readonly gatewayController: 'envoy' | 'managed';
  readonly managedGateway?: ManagedGateway;
  readonly acmeDns01?: AcmeDns01Solver;
  readonly managedMetricsServer?: boolean;
  readonly dns: DnsResolvers;

  private constructor(profile: ProviderProfile) {
    this.name = profile.name;
    this.storageClass = profile.storageClass;
    this.loadBalancerAnnotations = profile.loadBalancerAnnotations;
    this.ingressClass = profile.ingressClass;
    this.externalDnsProvider = profile.externalDnsProvider;
    this.nodeAutoscaler = profile.nodeAutoscaler;
    this.zoneLabel = profile.zoneLabel;
    this.regionLabel = profile.regionLabel;
    this.traffic = profile.traffic;
    this.gatewayController = profile.gatewayController;
    this.managedGateway = profile.managedGateway;
    this.acmeDns01 = profile.acmeDns01;
    this.managedMetricsServer = profile.managedMetricsServer;
    this.dns = profile.dns;
  }
}
