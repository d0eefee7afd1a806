/**
 * Names of what a platform component provides on a cluster (`cluster.capabilities`). Components
 * add them when installed; workloads, autoscalers and checks ask for them.
 */
export const Capability = {
  METRICS_SERVER: 'metrics-server',
  CERT_MANAGER: 'cert-manager',
  KEDA: 'keda',
  KARPENTER: 'karpenter',
  CLUSTER_AUTOSCALER: 'cluster-autoscaler',
  INGRESS: 'ingress',
  GATEWAY_API: 'gateway-api',
  GATEWAY_CONTROLLER: 'gateway-controller',
  EXTERNAL_DNS: 'external-dns',
  EXTERNAL_SECRETS: 'external-secrets',
} as const;

/** One of the capability names of `Capability`. */
export type CapabilityName = (typeof Capability)[keyof typeof Capability];
