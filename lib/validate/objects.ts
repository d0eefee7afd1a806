// Reading rendered objects defensively: rules run on whatever was rendered or committed, valid
// or not (the schema check reports what is malformed), so no accessor ever throws.
import type { ResolvedCluster, ResolvedObject } from '../synth/model.js';

export type Json = Record<string, unknown>;

export function rec(value: unknown): Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Json) : {};
}

export function arr(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

export function str(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

export function labelsOf(value: unknown): Record<string, string> {
  // A loop rather than fromEntries(entries(...).filter(...)): three arrays per call, and this runs
  // for every pod template and selector of a cluster, several times.
  const source = rec(value);
  const labels: Record<string, string> = {};
  for (const k in source) {
    const v = source[k];
    if (typeof v !== 'string' || !Object.prototype.hasOwnProperty.call(source, k)) continue;
    // As fromEntries would: a key `__proto__` is a label like any other, not the prototype.
    if (k === '__proto__') Object.defineProperty(labels, k, { value: v, enumerable: true, writable: true, configurable: true });
    else labels[k] = v;
  }
  return labels;
}

/** `Kind namespace/name` (or `Kind name` when cluster-scoped), for reports. */
export function describe(obj: ResolvedObject): string {
  const meta = rec(obj.manifest.metadata);
  const ns = str(meta.namespace);
  const what = `${String(obj.manifest.kind)} ${ns ? `${ns}/` : ''}${String(meta.name)}`;
  return obj.file ? `${what}, ${obj.file}` : what;
}

export function nameOf(obj: ResolvedObject): string {
  return String(rec(obj.manifest.metadata).name);
}

export function namespaceOf(obj: ResolvedObject): string | undefined {
  return str(rec(obj.manifest.metadata).namespace);
}

/** A pod template inside a workload: its labels and pod spec, and the JSON path to it. */
export interface PodTemplate {
  readonly labels: Record<string, string>;
  readonly spec: Json;
  /** Where the pod spec sits, e.g. `spec.template.spec`. */
  readonly at: string;
}

/** Path from the object to its pod template (`metadata` + `spec`), per workload kind. */
const TEMPLATE_PATHS: Readonly<Record<string, readonly string[]>> = {
  Deployment: ['spec', 'template'],
  StatefulSet: ['spec', 'template'],
  DaemonSet: ['spec', 'template'],
  ReplicaSet: ['spec', 'template'],
  ReplicationController: ['spec', 'template'],
  Job: ['spec', 'template'],
  CronJob: ['spec', 'jobTemplate', 'spec', 'template'],
  ScaledJob: ['spec', 'jobTargetRef', 'template'],
};

/** Kinds that run pods, i.e. whose labels and pod spec policies apply to. */
export const WORKLOAD_KINDS: readonly string[] = ['Pod', ...Object.keys(TEMPLATE_PATHS)];

/** The pod template of a workload (a Pod is its own template), or undefined for other kinds. */
export function podTemplate(obj: ResolvedObject): PodTemplate | undefined {
  const { kind } = obj.manifest;
  if (kind === 'Pod') return { labels: labelsOf(rec(obj.manifest.metadata).labels), spec: rec(obj.manifest.spec), at: 'spec' };
  const path = TEMPLATE_PATHS[kind];
  if (!path) return undefined;
  let node: unknown = obj.manifest;
  for (const key of path) node = rec(node)[key];
  return { labels: labelsOf(rec(rec(node).metadata).labels), spec: rec(rec(node).spec), at: `${path.join('.')}.spec` };
}

/** A container of a pod spec with where it sits, e.g. `initContainers[0]`. */
export interface Container {
  readonly name: string;
  readonly spec: Json;
  readonly field: 'containers' | 'initContainers' | 'ephemeralContainers';
}

const ALL_CONTAINERS: readonly Container['field'][] = ['initContainers', 'containers', 'ephemeralContainers'];

/** The lists `containersOf` made, per pod spec and list of fields: a dozen rules ask for each pod's. */
const containerLists = new WeakMap<Json, Map<string, readonly Container[]>>();

/**
 * The containers of a pod spec in the lists `fields` names, in that order. Read once per pod spec
 * and list: resolved objects are never changed, so the same spec always has the same containers.
 */
export function containersOf(pod: Json, fields: readonly Container['field'][] = ALL_CONTAINERS): readonly Container[] {
  let lists = containerLists.get(pod);
  if (!lists) containerLists.set(pod, (lists = new Map()));
  const key = fields.join();
  let found = lists.get(key);
  if (!found) {
    found = fields.flatMap((field) => arr(pod[field]).map((c, i) => ({ name: str(rec(c).name) ?? `${field}[${i}]`, spec: rec(c), field })));
    lists.set(key, found);
  }
  return found;
}

/** `matchLabels` + `matchExpressions` against labels; an empty selector selects everything. */
export function selectorMatches(selector: unknown, labels: Record<string, string>): boolean {
  const sel = rec(selector);
  // The string entries of matchLabels, read in place: this runs per policy and pod pair, and
  // copying them with labelsOf for every pair was a top cost of the network rules.
  const matchLabels = rec(sel.matchLabels);
  for (const k of Object.keys(matchLabels)) {
    const v = matchLabels[k];
    if (typeof v === 'string' && labels[k] !== v) return false;
  }
  return arr(sel.matchExpressions).every((e) => {
    const { key, operator, values } = rec(e);
    const k = String(key);
    const vs = arr(values).map(String);
    switch (operator) {
      case 'In': return k in labels && vs.includes(labels[k]);
      case 'NotIn': return !(k in labels) || !vs.includes(labels[k]);
      case 'Exists': return k in labels;
      case 'DoesNotExist': return !(k in labels);
      default: return false;
    }
  });
}

/** A plain label map (a Service selector) against labels; an empty map selects nothing here. */
export function mapSelects(selector: Record<string, string>, labels: Record<string, string>): boolean {
  const entries = Object.entries(selector);
  return entries.length > 0 && entries.every(([k, v]) => labels[k] === v);
}

/** A Service that selects pods (a selector, not ExternalName), with its spec and selector. */
export interface SelectingService {
  readonly service: ResolvedObject;
  readonly spec: Json;
  readonly selector: Record<string, string>;
}

/** The Services of a cluster that select pods: what the endpoints controller gives endpoints to. */
export function selectingServices(objects: ClusterObjects): SelectingService[] {
  return objects.ofKind('Service').flatMap((service) => {
    const spec = rec(service.manifest.spec);
    const selector = labelsOf(spec.selector);
    return spec.type === 'ExternalName' || Object.keys(selector).length === 0 ? [] : [{ service, spec, selector }];
  });
}

/**
 * Every object of one cluster, indexed for lookups by rules. Rules run once per cluster over
 * thousands of objects, so every lookup a rule repeats per object (objects of a kind, of a kind
 * in a namespace, workloads of a namespace, a pod template) is computed once and kept here.
 */
export class ClusterObjects {
  readonly all: readonly ResolvedObject[];
  private readonly byKey = new Map<string, ResolvedObject>();
  /** Objects by kind, then by namespace (undefined: cluster-scoped), each in the order of `all`. */
  private readonly byKind = new Map<string, { all: ResolvedObject[]; byNamespace: Map<string | undefined, ResolvedObject[]> }>();
  private readonly position = new Map<ResolvedObject, number>();
  private readonly kinds = new Map<string, readonly ResolvedObject[]>();
  private workloadList?: { object: ResolvedObject; template: PodTemplate }[];
  private workloadsByNamespace?: Map<string | undefined, { object: ResolvedObject; template: PodTemplate }[]>;
  private readonly templates = new Map<ResolvedObject, PodTemplate | undefined>();
  private readonly memos = new Map<string, unknown>();

  constructor(readonly cluster: ResolvedCluster) {
    this.all = [...cluster.folders.flatMap((f) => f.objects), ...cluster.layers, ...cluster.sources];
    this.all.forEach((obj, i) => {
      const kind = String(obj.manifest.kind);
      const ns = namespaceOf(obj);
      this.byKey.set(key(kind, ns, nameOf(obj)), obj);
      this.position.set(obj, i);
      let group = this.byKind.get(kind);
      if (!group) this.byKind.set(kind, (group = { all: [], byNamespace: new Map() }));
      group.all.push(obj);
      let inNamespace = group.byNamespace.get(ns);
      if (!inNamespace) group.byNamespace.set(ns, (inNamespace = []));
      inNamespace.push(obj);
    });
  }

  /** Objects of any of `kinds`, in the order of `all`. */
  ofKind(...kinds: string[]): readonly ResolvedObject[] {
    if (kinds.length === 1) return this.byKind.get(kinds[0])?.all ?? [];
    const k = kinds.join('\u0000');
    let found = this.kinds.get(k);
    if (!found) {
      found = [...new Set(kinds)].flatMap((kind) => this.byKind.get(kind)?.all ?? []).sort((a, b) => this.position.get(a)! - this.position.get(b)!);
      this.kinds.set(k, found);
    }
    return found;
  }

  /** Objects of `kind` in `namespace` (undefined: cluster-scoped), in the order of `all`. */
  ofKindIn(kind: string, namespace: string | undefined): readonly ResolvedObject[] {
    return this.byKind.get(kind)?.byNamespace.get(namespace) ?? [];
  }

  /** The object of `kind` named `name` in `namespace` (undefined for cluster-scoped kinds). */
  find(kind: string, namespace: string | undefined, name: string): ResolvedObject | undefined {
    return this.byKey.get(key(kind, namespace, name));
  }

  /** The pod template of `obj` (see `podTemplate`), read once. */
  template(obj: ResolvedObject): PodTemplate | undefined {
    if (!this.templates.has(obj)) this.templates.set(obj, podTemplate(obj));
    return this.templates.get(obj);
  }

  /**
   * Every workload (an object with a pod template, i.e. of WORKLOAD_KINDS) with its pod template,
   * in the order of `all`. Most rules are about pods: iterating these instead of `all` (six times
   * as many objects in a typical cluster) and asking each for its template was a visible share of
   * the validate phase, repeated by every such rule.
   */
  workloads(): readonly { object: ResolvedObject; template: PodTemplate }[] {
    if (!this.workloadList) {
      this.workloadList = [];
      for (const object of this.all) {
        const template = this.template(object);
        if (template) this.workloadList.push({ object, template });
      }
    }
    return this.workloadList;
  }

  /** Workloads of `namespace` with their pod templates, in the order of `all`. */
  workloadsIn(namespace: string | undefined): readonly { object: ResolvedObject; template: PodTemplate }[] {
    if (!this.workloadsByNamespace) {
      this.workloadsByNamespace = new Map();
      for (const workload of this.workloads()) {
        const ns = namespaceOf(workload.object);
        let list = this.workloadsByNamespace.get(ns);
        if (!list) this.workloadsByNamespace.set(ns, (list = []));
        list.push(workload);
      }
    }
    return this.workloadsByNamespace.get(namespace) ?? [];
  }

  /** A value derived from this cluster's objects (e.g. an index a rule builds), computed once per `id`. */
  memo<T>(id: string, compute: () => T): T {
    if (!this.memos.has(id)) this.memos.set(id, compute());
    return this.memos.get(id) as T;
  }
}

function key(kind: string, namespace: string | undefined, name: string): string {
  return `${kind}/${namespace ?? ''}/${name}`;
}
