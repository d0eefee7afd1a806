/** Labels every object strata renders carries. */
export const MANAGED_BY = { 'app.kubernetes.io/managed-by': 'strata' } as const;
