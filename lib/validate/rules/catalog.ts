import type { Rule } from '../rule.js';
import { plaintextCredential } from './credentials.js';
import { fluxDependencyCycle, fluxPathProduced } from './flux.js';
import { chartVersionPinned, fluxDuration } from './flux-fields.js';
import { ingressBackendExists, serviceSelectsPods, tenantDefaultDeny } from './network.js';
import { podSecurityRestricted } from './pod-security.js';
import { routeConflict } from './routes.js';
import {
  autoscalerTargetExists, fluxDependencyExists, fluxSourceExists, issuerExists, kedaAuthenticationExists,
} from './references.js';
import { secretPlaintext } from './secrets.js';
import { imagePinned, podDisruptionBudget, readinessProbe, requiredLabels, resourcesRequired, topologySpread } from './workloads.js';

/** Every policy rule a synth and `npm run validate` run, in report order. */
export const RULES: readonly Rule[] = [
  podSecurityRestricted,
  resourcesRequired,
  imagePinned,
  readinessProbe,
  podDisruptionBudget,
  topologySpread,
  requiredLabels,
  secretPlaintext,
  plaintextCredential,
  tenantDefaultDeny,
  serviceSelectsPods,
  ingressBackendExists,
  routeConflict,
  autoscalerTargetExists,
  fluxSourceExists,
  fluxDependencyExists,
  fluxDependencyCycle,
  fluxPathProduced,
  fluxDuration,
  chartVersionPinned,
  kedaAuthenticationExists,
  issuerExists,
];

export function ruleById(id: string): Rule | undefined {
  return RULES.find((r) => r.id === id);
}
