/**
 * Names of what a platform component provides on a cluster (`cluster.capabilities`). Components
 * add them when installed; workloads, autoscalers and checks ask for them.
 */
export const Capability = {
  /** The Kubernetes resource metrics API (`metrics.k8s.io`) that HPA and KEDA cpu/memory triggers read. See https://github.com/kubernetes-sigs/metrics-server */
  METRICS_SERVER: 'metrics-server',
  /** cert-manager and its CRDs (`cert-manager.io`): Certificates and Issuers. See https://cert-manager.io/docs/ */
  CERT_MANAGER: 'cert-manager',
  /** KEDA and its CRDs (`keda.sh`): ScaledObjects, ScaledJobs, TriggerAuthentications. See https://keda.sh/docs/latest/ */
  KEDA: 'keda',
  /** Karpenter and its CRDs (`karpenter.sh`): NodePools and EC2NodeClasses. See https://karpenter.sh/docs/ */
  KARPENTER: 'karpenter',
  /** The Kubernetes cluster-autoscaler, sizing the cloud's node groups. See https://github.com/kubernetes/autoscaler/tree/master/cluster-autoscaler */
  CLUSTER_AUTOSCALER: 'cluster-autoscaler',
  /** An ingress controller serving Kubernetes Ingress objects (e.g. Traefik). See https://kubernetes.io/docs/concepts/services-networking/ingress-controllers/ */
  INGRESS: 'ingress',
  /** The Gateway API CRDs (`gateway.networking.k8s.io`): Gateways, HTTPRoutes, GRPCRoutes. See https://gateway-api.sigs.k8s.io/ */
  GATEWAY_API: 'gateway-api',
  /** A Gateway API implementation that serves Gateways and their routes (e.g. Envoy Gateway). See https://gateway-api.sigs.k8s.io/implementations/ */
  GATEWAY_CONTROLLER: 'gateway-controller',
  /** ExternalDNS, publishing DNS records for Services, Ingresses and routes. See https://kubernetes-sigs.github.io/external-dns/ */
  EXTERNAL_DNS: 'external-dns',
  /** External Secrets Operator and its CRDs (`external-secrets.io`), syncing Secrets from a secret store. See https://external-secrets.io/ */
  EXTERNAL_SECRETS: 'external-secrets',
} as const;


/** One of the capability names of `Capability`. */
export type CapabilityName = (typeof Capability)[keyof typeof Capability];
