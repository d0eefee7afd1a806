// Two routes matching the same requests on one entry point: the gateway or ingress controller
// picks one by age or name and silently drops the other. Read from every rendered HTTPRoute,
// GRPCRoute and Ingress of a cluster, the WebServices' and hand-written ones alike.
import type { ResolvedObject } from '../../synth/model.js';
import { arr, namespaceOf, nameOf, rec, str, type ClusterObjects, type Json } from '../objects.js';
import { ALWAYS_ERROR, type Rule, type Violation } from '../rule.js';

const GATEWAY_API = 'gateway.networking.k8s.io';

/** One set of requests a route takes on one entry point. */
interface Claim {
  /** The entry point: `listener "https" of gateway "ns/name"` or `ingress class "nginx"`. */
  readonly entry: string;
  /** Lowercase host; empty for every host the entry point serves. */
  readonly host: string;
  /** The requests within the host, comparable (`PathPrefix /api`, `GET Exact /`, ...), and as said in errors. */
  readonly key: string;
  readonly what: string;
  readonly protocol: 'http' | 'grpc';
}

/** A trailing slash does not count in a prefix: `/api/` and `/api` take the same requests. */
function normalizePrefix(path: string): string {
  return path.length > 1 ? path.replace(/\/+$/, '') : path;
}

/** Header (or query) matches, sorted, as one comparable string; `type` defaults to Exact. */
function pairs(list: unknown, what: string): { key: string; text: string } {
  const items = arr(list)
    .map((h) => `${str(rec(h).type) ?? 'Exact'} ${String(rec(h).name).toLowerCase()}=${String(rec(h).value)}`)
    .sort();
  return { key: items.join(','), text: items.length > 0 ? ` with ${what} ${items.map((i) => i.replace(/^Exact /, '')).join(', ')}` : '' };
}

function httpMatch(match: Json): { key: string; what: string } {
  const path = rec(match.path);
  const type = str(path.type) ?? 'PathPrefix';
  const raw = str(path.value) ?? '/';
  const value = type === 'PathPrefix' ? normalizePrefix(raw) : raw;
  const method = str(match.method);
  const headers = pairs(match.headers, 'headers');
  const query = pairs(match.queryParams, 'query');
  const kind = type === 'PathPrefix' ? 'path' : type === 'Exact' ? 'exact path' : 'path pattern';
  return {
    key: `${type} ${value}|${method ?? ''}|${headers.key}|${query.key}`,
    what: `${method ? `${method} ` : ''}${kind} ${JSON.stringify(raw)}${headers.text}${query.text}`,
  };
}

function grpcMatch(match: Json): { key: string; what: string } {
  const method = rec(match.method);
  const service = str(method.service);
  const name = str(method.method);
  const headers = pairs(match.headers, 'headers');
  const call = service || name ? `gRPC ${service ?? '*'}/${name ?? '*'}` : 'every gRPC call';
  return { key: `${str(method.type) ?? 'Exact'} ${service ?? ''}/${name ?? ''}|${headers.key}`, what: `${call}${headers.text}` };
}

/** The listeners a parentRef attaches to: its sectionName, or every listener of the gateway (`*` when it is not on the cluster). */
function entries(objects: ClusterObjects, route: ResolvedObject): string[] {
  return arr(rec(route.manifest.spec).parentRefs).flatMap((p) => {
    const parent = rec(p);
    if ((str(parent.kind) ?? 'Gateway') !== 'Gateway' || (str(parent.group) ?? GATEWAY_API) !== GATEWAY_API) return [];
    const ns = str(parent.namespace) ?? namespaceOf(route);
    const name = String(parent.name);
    const gateway = `gateway "${ns}/${name}"`;
    const section = str(parent.sectionName);
    if (section) return [`listener "${section}" of ${gateway}`];
    const listeners = arr(rec(objects.find('Gateway', ns, name)?.manifest.spec).listeners).map((l) => str(rec(l).name)).filter((l): l is string => !!l);
    return listeners.length > 0 ? listeners.map((l) => `listener "${l}" of ${gateway}`) : [`every listener of ${gateway}`];
  });
}

function routeClaims(objects: ClusterObjects, route: ResolvedObject): Claim[] {
  const spec = rec(route.manifest.spec);
  const hosts = arr(spec.hostnames).map((h) => String(h).toLowerCase());
  const grpc = route.manifest.kind === 'GRPCRoute';
  const matches = arr(spec.rules).flatMap((r) => {
    const list = arr(rec(r).matches).map(rec);
    return list.length > 0 ? list : [{}];
  });
  const claims = matches.map((m) => (grpc ? grpcMatch(m) : httpMatch(m)));
  return entries(objects, route).flatMap((entry) =>
    (hosts.length > 0 ? hosts : ['']).flatMap((host) => claims.map((c) => ({ entry, host, ...c, protocol: grpc ? 'grpc' as const : 'http' as const }))),
  );
}

const INGRESS_CLASS_ANNOTATION = 'kubernetes.io/ingress.class';

function ingressClaims(ingress: ResolvedObject): Claim[] {
  const spec = rec(ingress.manifest.spec);
  const cls = str(spec.ingressClassName) ?? str(rec(rec(ingress.manifest.metadata).annotations)[INGRESS_CLASS_ANNOTATION]);
  const entry = cls ? `ingress class "${cls}"` : 'the default ingress class';
  return arr(spec.rules).flatMap((r) => {
    const host = (str(rec(r).host) ?? '').toLowerCase();
    return arr(rec(rec(r).http).paths).map((p) => {
      const type = str(rec(p).pathType) ?? 'ImplementationSpecific';
      const raw = str(rec(p).path) ?? '/';
      const value = type === 'Prefix' ? normalizePrefix(raw) : raw;
      return { entry, host, key: `${type} ${value}`, what: `${type === 'Exact' ? 'exact path' : 'path'} ${JSON.stringify(raw)}`, protocol: 'http' as const };
    });
  });
}

function owner(obj: ResolvedObject): string {
  return `${obj.manifest.kind} ${namespaceOf(obj) ?? ''}/${nameOf(obj)} (${obj.path})`;
}

function hostText(host: string): string {
  return host ? `host ${JSON.stringify(host)}` : 'every host';
}

export const routeConflict: Rule = {
  id: 'route-conflict',
  summary: 'No two routes take the same requests on one entry point: HTTPRoutes and GRPCRoutes attached to the same gateway listener (a parentRef without sectionName attaches to every listener) with the same hostname and the same match (path type and value, a trailing slash aside, method, headers, query parameters; a GRPCRoute takes every request of its hostname), and Ingresses of the same ingress class with the same host, path type and path. Typed and hand-written routes alike.',
  hint: 'give one of the routes another host or path, or merge them into one route with several rules',
  severity: ALWAYS_ERROR,
  check: (objects) => {
    const taken = new Map<string, ResolvedObject>();
    const protocols = new Map<string, { obj: ResolvedObject; protocol: 'http' | 'grpc' }>();
    const found: Violation[] = [];
    const reported = new Set<string>();
    const report = (obj: ResolvedObject, message: string) => {
      if (reported.has(`${obj.path}\u0000${message}`)) return;
      reported.add(`${obj.path}\u0000${message}`);
      found.push({ object: obj, message });
    };
    for (const obj of objects.ofKind('HTTPRoute', 'GRPCRoute', 'Ingress')) {
      const isIngress = obj.manifest.kind === 'Ingress';
      if (!isIngress && !String(obj.manifest.apiVersion).startsWith(`${GATEWAY_API}/`)) continue;
      for (const claim of isIngress ? ingressClaims(obj) : routeClaims(objects, obj)) {
        const hostKey = `${claim.entry}\u0000${claim.host}`;
        const other = protocols.get(hostKey);
        if (other && other.obj !== obj && other.protocol !== claim.protocol) {
          const [grpc, http] = claim.protocol === 'grpc' ? [obj, other.obj] : [other.obj, obj];
          report(obj, `${hostText(claim.host)} on the ${claim.entry} is routed by GRPCRoute ${namespaceOf(grpc)}/${nameOf(grpc)} and HTTPRoute ${namespaceOf(http)}/${nameOf(http)} (${other.obj.path}): a GRPCRoute takes every request of its host, so one host belongs to gRPC or to HTTP routes per listener`);
        } else if (!other) protocols.set(hostKey, { obj, protocol: claim.protocol });
        const key = `${hostKey}\u0000${claim.key}`;
        const first = taken.get(key);
        if (!first) taken.set(key, obj);
        else if (first !== obj) {
          report(obj, `${hostText(claim.host)} ${claim.what} on the ${claim.entry} is also claimed by ${owner(first)}: one host and path belong to one route per listener`);
        }
      }
    }
    return found;
  },
};
