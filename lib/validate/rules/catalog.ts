import { limitRangeCoherent, requestsWithinLimits } from '../capacity/limits.js';
import { quotaAdmission, quotaConcurrentRollouts } from '../capacity/quota.js';
import { nodePoolLimits, topologySpreadZones } from '../capacity/scheduling.js';
import type { Rule } from '../rule.js';
import { plaintextCredential } from './credentials.js';
import { externalNamespaceLabels } from './external-namespaces.js';
import { fluxLockdown } from './flux-lockdown.js';
import { fluxDependencyCycle, fluxPathProduced } from './flux.js';
import { disruptionBudgetAllowsEviction } from './disruption.js';
import { preStopSleep } from './lifecycle.js';
import { chartVersionPinned, fluxDuration } from './flux-fields.js';
import { ingressBackendExists, serviceSelectsPods, tenantDefaultDeny } from './network.js';
import { podSecurityRestricted } from './pod-security.js';
import { routeConflict } from './routes.js';
import { networkFlowAllowed, networkPeerSelectsPods, triggerSourceReachable } from './reachability.js';
import {
  autoscalerTargetExists, fluxDependencyExists, fluxSourceExists, issuerExists, kedaAuthenticationExists,
} from './references.js';
import { cronSchedule } from './schedule.js';
import { secretPlaintext } from './secrets.js';
import { serviceLinks } from './service-links.js';
import { probePortDeclared, serviceTargetPort } from './wiring.js';
import { imagePinned, podDisruptionBudget, readinessProbe, requiredLabels, resourcesRequired, topologySpread } from './workloads.js';

/** Every policy rule a synth and `npm run validate` run, in report order. */
export const RULES: readonly Rule[] = [
  podSecurityRestricted,
  resourcesRequired,
  imagePinned,
  readinessProbe,
  podDisruptionBudget,
  disruptionBudgetAllowsEviction,
  topologySpread,
  requiredLabels,
  secretPlaintext,
  plaintextCredential,
  tenantDefaultDeny,
  serviceSelectsPods,
  serviceTargetPort,
  probePortDeclared,
  serviceLinks,
  preStopSleep,
  cronSchedule,
  ingressBackendExists,
  routeConflict,
  networkFlowAllowed,
  networkPeerSelectsPods,
  externalNamespaceLabels,
  triggerSourceReachable,
  autoscalerTargetExists,
  fluxSourceExists,
  fluxDependencyExists,
  fluxDependencyCycle,
  fluxPathProduced,
  fluxLockdown,
  fluxDuration,
  chartVersionPinned,
  kedaAuthenticationExists,
  issuerExists,
  requestsWithinLimits,
  limitRangeCoherent,
  quotaAdmission,
  quotaConcurrentRollouts,
  nodePoolLimits,
  topologySpreadZones,
];

/** The rule of this id (`RULES`), or undefined. */
export function ruleById(id: string): Rule | undefined {
  return RULES.find((r) => r.id === id);
}
