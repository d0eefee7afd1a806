/** Labels every object strata renders carries. */
export const MANAGED_BY = {
  /** The tool managing the object, a Kubernetes recommended label. See https://kubernetes.io/docs/concepts/overview/working-with-objects/common-labels/ */
  'app.kubernetes.io/managed-by': 'strata',
} as const;

