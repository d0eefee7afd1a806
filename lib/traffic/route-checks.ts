import type { GatewayRef } from '../fleet/cluster.js';
import { show } from '../fleet/errors.js';
import type { RouteTimeouts } from './route-spec.js';

/** Gateway API's Duration: up to four number+unit pairs, e.g. `1h30m`, `10s`, `500ms`. */
const DURATION = /^([0-9]{1,5}(h|m|s|ms)){1,4}$/;
const UNIT_MS: Record<string, number> = { h: 3_600_000, m: 60_000, s: 1000, ms: 1 };

function milliseconds(duration: string): number {
  let total = 0;
  for (const [, value, unit] of duration.matchAll(/([0-9]+)(ms|h|m|s)/g)) total += Number(value) * UNIT_MS[unit];
  return total;
}

/** Problems of route timeouts: not a Gateway API duration, or a backend attempt longer than the request. */
export function timeoutProblems(timeouts: RouteTimeouts | undefined): string[] {
  if (!timeouts) return [];
  const problems: string[] = [];
  for (const key of ['request', 'backendRequest'] as const) {
    const value = timeouts[key];
    if (value !== undefined && (typeof value !== 'string' || !DURATION.test(value))) {
      problems.push(`timeouts.${key} ${show(value)} is not a Gateway API duration (e.g. "10s", "1m30s", "500ms")`);
    }
  }
  const { request, backendRequest } = timeouts;
  if (problems.length === 0 && request && backendRequest && milliseconds(request) > 0 && milliseconds(backendRequest) > milliseconds(request)) {
    problems.push(`timeouts.backendRequest (${show(backendRequest)}) is longer than timeouts.request (${show(request)}): one attempt cannot outlast the whole request`);
  }
  return problems;
}

/** Gateway API path rules: absolute, and nothing a proxy would normalise differently. */
export function pathProblem(what: string, path: unknown): string | undefined {
  const valid = typeof path === 'string' && /^\/[^?#\s]*$/.test(path) && !/\/\/|\/\.\.?(\/|$)|%2f/i.test(path);
  return valid ? undefined : `${what} ${show(path)} is not a path prefix: start with "/" and use no "//", "/./", "/../", "%2F", "?", "#" or spaces`;
}

/**
 * A host outside the gateway listener's hostname: the listener would never match it. On the HTTPS
 * listener it must also be one label under the domain, the reach of its wildcard certificate.
 */
export function listenerHostProblem(gateway: GatewayRef, host: string, tls: boolean): string | undefined {
  const zone = gateway.hostname.replace(/^\*\./, '');
  const label = host.endsWith(`.${zone}`) ? host.slice(0, -zone.length - 1) : undefined;
  const listener = tls ? gateway.httpsListener : gateway.httpListener;
  const where = `hostname ${show(gateway.hostname)} of the ${listener} listener of gateway "${gateway.namespace}/${gateway.name}"`;
  if (label === undefined) return `host ${show(host)} is outside ${where}: use a name under ${show(zone)}, such as "shop"`;
  if (tls && label.includes('.')) {
    return `host ${show(host)} is outside ${where}, whose wildcard certificate covers one label: use a name directly under ${show(zone)}, such as ${show(label.split('.')[0])}`;
  }
  return undefined;
}
