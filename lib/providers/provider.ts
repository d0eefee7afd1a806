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
  /** The ingress class name used when a cluster routes through Ingress. */
  readonly ingressClass: string;
  /** external-dns `provider` value, or undefined where DNS is managed by hand. */
  readonly externalDnsProvider?: string;
  /** The node autoscaler this provider runs, or undefined where nodes are fixed. */
  readonly nodeAutoscaler?: NodeAutoscalerFlavour;
  /** Node label carrying the zone (well-known on every conformant provider). */
  readonly zoneLabel: string;
  /** Node label carrying the region. */
  readonly regionLabel: string;
  /** A managed Gateway API class this provider offers, if any. */
  readonly managedGatewayClass?: string;
}

/** Overrides for a provider's defaults. */
export type ProviderOverrides = Partial<Omit<ProviderProfile, 'name'>>;

const WELL_KNOWN = {
  zoneLabel: 'topology.kubernetes.io/zone',
  regionLabel: 'topology.kubernetes.io/region',
} as const;

/** Provider profiles. The same app definition renders unchanged on every one of them. */
export class Provider implements ProviderProfile {
  /** Amazon EKS: gp3 volumes, NLB load balancers, Karpenter. */
  static aws(overrides: ProviderOverrides = {}): Provider {
    return new Provider({
      name: 'aws',
      storageClass: 'gp3',
      loadBalancerAnnotations: {
        'service.beta.kubernetes.io/aws-load-balancer-type': 'external',
        'service.beta.kubernetes.io/aws-load-balancer-nlb-target-type': 'ip',
        'service.beta.kubernetes.io/aws-load-balancer-scheme': 'internet-facing',
      },
      ingressClass: 'nginx',
      externalDnsProvider: 'aws',
      nodeAutoscaler: 'karpenter',
      managedGatewayClass: 'amazon-vpc-lattice',
      ...WELL_KNOWN,
      ...overrides,
    });
  }

  /** Google GKE: balanced persistent disks, GKE gateway classes, cluster-autoscaler. */
  static gcp(overrides: ProviderOverrides = {}): Provider {
    return new Provider({
      name: 'gcp',
      storageClass: 'standard-rwo',
      loadBalancerAnnotations: { 'cloud.google.com/l4-rbs': 'enabled' },
      ingressClass: 'nginx',
      externalDnsProvider: 'google',
      nodeAutoscaler: 'cluster-autoscaler',
      managedGatewayClass: 'gke-l7-global-external-managed',
      ...WELL_KNOWN,
      ...overrides,
    });
  }

  /** Azure AKS: managed CSI premium disks, cluster-autoscaler. */
  static azure(overrides: ProviderOverrides = {}): Provider {
    return new Provider({
      name: 'azure',
      storageClass: 'managed-csi-premium',
      loadBalancerAnnotations: { 'service.beta.kubernetes.io/azure-load-balancer-health-probe-request-path': '/healthz' },
      ingressClass: 'nginx',
      externalDnsProvider: 'azure',
      nodeAutoscaler: 'cluster-autoscaler',
      ...WELL_KNOWN,
      ...overrides,
    });
  }

  /** On-premises: the cluster's default storage class, MetalLB-style load balancers, fixed nodes. */
  static onPremises(overrides: ProviderOverrides = {}): Provider {
    return new Provider({
      name: 'on-premises',
      storageClass: 'standard',
      loadBalancerAnnotations: {},
      ingressClass: 'nginx',
      ...WELL_KNOWN,
      ...overrides,
    });
  }

  readonly name: string;
  readonly storageClass: string;
  readonly loadBalancerAnnotations: Readonly<Record<string, string>>;
  readonly ingressClass: string;
  readonly externalDnsProvider?: string;
  readonly nodeAutoscaler?: NodeAutoscalerFlavour;
  readonly zoneLabel: string;
  readonly regionLabel: string;
  readonly managedGatewayClass?: string;

  private constructor(profile: ProviderProfile) {
    this.name = profile.name;
    this.storageClass = profile.storageClass;
    this.loadBalancerAnnotations = profile.loadBalancerAnnotations;
    this.ingressClass = profile.ingressClass;
    this.externalDnsProvider = profile.externalDnsProvider;
    this.nodeAutoscaler = profile.nodeAutoscaler;
    this.zoneLabel = profile.zoneLabel;
    this.regionLabel = profile.regionLabel;
    this.managedGatewayClass = profile.managedGatewayClass;
  }
}
