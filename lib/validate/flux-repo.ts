// `npm run validate` on a Flux repository strata did not write: it reads, per cluster, what Flux
// would apply there. From each cluster folder (the folder `flux bootstrap --path` names) it follows
// the Flux Kustomizations the cluster's objects declare — their spec.path in the repository,
// built as kustomize-controller builds it (lib/validate/kustomize.ts), with targetNamespace,
// patches, images and static post-build substitution — and nothing else: not `.github/`, not
// patch files (only through the kustomization naming them), not YAML no Kustomization reaches.
// https://fluxcd.io/flux/components/kustomize/kustomizations/
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join, posix } from 'node:path';
import type { Finding } from '../fleet/errors.js';
import type { StageName } from '../fleet/stage.js';
import type { FleetModel, Manifest, ResolvedCluster, ResolvedFolder, ResolvedObject } from '../synth/model.js';
import { BOOTSTRAP_DIR, hasSynthClusters } from '../synth/writer.js';
import { isSourceIgnored, kustomizationFile, kustomizeBuild, readObjects, type BuiltObject } from './kustomize.js';
import { arr, rec, str, type Json } from './objects.js';

/** What was read from a Flux repository: the model the checks run on, and what could not be read. */
export interface FluxRepository {
  readonly model: FleetModel;
  /** What was not read or not modelled, one line each (remote resources, sources outside the repository). */
  readonly notes: readonly string[];
  /** Per cluster (by name), what each Flux Kustomization applies: its inventory as kustomize-controller builds it. */
  readonly inventories: ReadonlyMap<string, readonly Inventory[]>;
}

/** What one Flux Kustomization applies on a cluster. */
export interface Inventory {
  /** The Kustomization; undefined for the bootstrap one (`flux-system`), which applies the cluster folder. */
  readonly kustomization?: ResolvedObject;
  /** The repository folder it builds (its spec.path, normalized; the cluster folder for the bootstrap one). */
  readonly folder: string;
  /** Every object it applies, Flux Kustomizations included. */
  readonly objects: readonly ResolvedObject[];
}

const FLUX_KUSTOMIZATION = /^kustomize\.toolkit\.fluxcd\.io\//;
/** The GitRepository `flux bootstrap` creates: the repository being validated. */
const BOOTSTRAP = { namespace: 'flux-system', name: 'flux-system' } as const;

/**
 * Whether `dir` is a tree strata wrote: its `clusters/<name>/kustomization.yaml` files carry the
 * `# strata: <cluster>` header a synth writes. Any other tree is read as a Flux repository.
 */
export function isStrataTree(dir: string): boolean {
  const clusters = join(dir, 'clusters');
  // Without clusters/, a tree is a Flux repository only when `flux bootstrap` left a folder in it.
  if (!existsSync(clusters) || !statSync(clusters).isDirectory()) return clusterFolders(dir).length === 0;
  return hasSynthClusters(clusters);
}

/**
 * The cluster folders of a repository, as `flux bootstrap` leaves them: every folder holding
 * `flux-system/gotk-sync.yaml`, or else every folder under `clusters/`.
 */
export function clusterFolders(root: string): string[] {
  const found: string[] = [];
  const walk = (rel: string, depth: number): void => {
    if (depth > 4) return;
    for (const e of readdirSync(join(root, rel), { withFileTypes: true })) {
      const path = rel ? `${rel}/${e.name}` : e.name;
      if (!e.isDirectory() || isSourceIgnored(path) || e.name === 'node_modules') continue;
      if (e.name === BOOTSTRAP_DIR && existsSync(join(root, path, 'gotk-sync.yaml'))) found.push(rel);
      else walk(path, depth + 1);
    }
  };
  walk('', 0);
  if (found.length > 0) return found.sort();
  const clusters = join(root, 'clusters');
  if (!existsSync(clusters)) return [];
  return readdirSync(clusters, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => `clusters/${e.name}`).sort();
}

/** The stage a cluster's name suggests; production (the strictest) when it suggests none. */
export function stageOfName(name: string): StageName {
  if (/(^|[-_.])(dev|develop|development|test|sandbox|local|kind)([-_.]|$)/.test(name)) return 'development';
  if (/(^|[-_.])(stag|staging|stg|preprod|qa|uat)([-_.]|$)/.test(name)) return 'staging';
  return 'production';
}

const normalize = (path: string): string => {
  const p = posix.normalize(path.replace(/^\/+/, '')).replace(/\/+$/, '');
  return p === '.' ? '' : p;
};

/**
 * Whether Flux's multi-tenancy lockdown is on for a cluster: the bootstrap kustomization (or the
 * cluster folder's) patches the controllers with `--no-cross-namespace-refs=true`.
 */
function lockdownOff(root: string, folder: string): string | undefined {
  const texts = [posix.join(folder, BOOTSTRAP_DIR), folder].map((d) => kustomizationFile(root, d)).filter((f): f is string => f !== undefined);
  const on = texts.some((f) => readFileSync(join(root, f), 'utf8').includes('--no-cross-namespace-refs=true'));
  return on ? undefined : `flux bootstrap without the multi-tenancy lockdown (${posix.join(folder, BOOTSTRAP_DIR)}/kustomization.yaml patches no --no-cross-namespace-refs=true)`;
}

/** `${VAR}`, `${VAR:=default}` and `${VAR:-default}` as Flux's envsubst reads them; `$${VAR}` is an escape. */
const VARIABLE = /(\$?)\$\{([A-Za-z_][A-Za-z0-9_]*)(?::?[-=]([^}]*))?\}/g;

/** Flux's post-build substitution on every string of an object, unless the object opts out. */
function substitute(value: unknown, vars: ReadonlyMap<string, string>, complete: boolean): unknown {
  if (typeof value === 'string') {
    return value.replace(VARIABLE, (all, escape: string, name: string, fallback: string | undefined) => {
      if (escape) return all.slice(1);
      const v = vars.get(name) ?? fallback;
      return v !== undefined ? v : complete ? '' : all;
    });
  }
  if (Array.isArray(value)) return value.map((v) => substitute(v, vars, complete));
  if (typeof value === 'object' && value !== null) return Object.fromEntries(Object.entries(value as Json).map(([k, v]) => [k, substitute(v, vars, complete)]));
  return value;
}

interface ClusterReading {
  readonly folders: ResolvedFolder[];
  readonly layers: ResolvedObject[];
  readonly findings: Finding[];
  readonly notes: string[];
  readonly inventories: Inventory[];
}

/** Reads one cluster: its folder, then every Flux Kustomization reached from it, breadth first. */
function readCluster(root: string, folder: string, name: string): ClusterReading {
  const reading: ClusterReading = { folders: [], layers: [], findings: [], notes: [], inventories: [] };
  const all: ResolvedObject[] = [];
  const resolved = (o: BuiltObject): ResolvedObject => ({ path: `${name}/${o.file}#${o.index}`, manifest: o.manifest, file: o.file });
  const bootstrap = posix.join(folder, BOOTSTRAP_DIR);
  const skip = (path: string): boolean => path === bootstrap;
  const rootBuild = kustomizeBuild(root, folder, { generate: true, skip });
  const rootObjects = rootBuild.objects.map(resolved);
  for (const p of rootBuild.problems) reading.findings.push({ path: `${name}/${folder || '.'}`, message: p });
  reading.notes.push(...rootBuild.notes);
  const queue: ResolvedObject[] = [];
  const place = (dir: string, objects: ResolvedObject[], kustomization?: ResolvedObject): void => {
    reading.inventories.push({ ...(kustomization ? { kustomization } : {}), folder: dir, objects });
    const plain = objects.filter((o) => !(FLUX_KUSTOMIZATION.test(o.manifest.apiVersion) && o.manifest.kind === 'Kustomization'));
    const syncs = objects.filter((o) => !plain.includes(o));
    reading.folders.push({ dir, objects: plain });
    reading.layers.push(...syncs);
    queue.push(...syncs);
    all.push(...objects);
  };
  place(folder, rootObjects);
  const seen = new Set<string>();
  while (queue.length > 0) {
    const k = queue.shift() as ResolvedObject;
    const ns = k.manifest.metadata.namespace;
    const id = `${ns ?? ''}/${k.manifest.metadata.name}`;
    if (seen.has(id)) continue;
    seen.add(id);
    const spec = rec(k.manifest.spec);
    const source = rec(spec.sourceRef);
    const sourceKind = str(source.kind);
    const sourceName = `${str(source.namespace) ?? ns ?? ''}/${str(source.name) ?? ''}`;
    const what = `Kustomization ${id.replace(/^\//, '')}`;
    if (sourceKind !== 'GitRepository' || sourceName !== `${BOOTSTRAP.namespace}/${BOOTSTRAP.name}`) {
      reading.notes.push(`${name}: ${what} reads ${sourceKind ?? 'an unnamed source'} ${sourceName}, not this repository: what it applies is not checked`);
      continue;
    }
    const raw = str(spec.path) ?? '';
    const path = normalize(raw);
    if (path.startsWith('..')) {
      reading.findings.push({ path: k.path, object: what, message: `spec.path ${JSON.stringify(raw)} leaves the repository: kustomize-controller refuses it` });
      continue;
    }
    if (!existsSync(join(root, path)) || !statSync(join(root, path)).isDirectory()) {
      reading.findings.push({
        path: k.path, object: what,
        message: `spec.path ${JSON.stringify(raw)} ${existsSync(join(root, path)) ? 'is a file, not a folder' : 'does not exist in the repository'}: kustomize-controller fails the Kustomization and applies nothing`,
      });
      continue;
    }
    const build = kustomizeBuild(root, path, {
      generate: true, skip,
      flux: { targetNamespace: str(spec.targetNamespace), patches: arr(spec.patches), images: arr(spec.images), namePrefix: str(spec.namePrefix), nameSuffix: str(spec.nameSuffix), components: arr(spec.components) },
    });
    for (const p of build.problems) reading.findings.push({ path: k.path, object: what, message: `${p} (spec.path ${raw})` });
    reading.notes.push(...build.notes);
    const objects = postBuild(k, build.objects.map(resolved), all, reading.notes, name).map((o) => withCommonMetadata(o, rec(spec.commonMetadata)));
    place(path, objects, k);
  }
  return reading;
}

/** spec.commonMetadata: labels and annotations kustomize-controller sets on every object it applies. */
function withCommonMetadata(o: ResolvedObject, common: Json): ResolvedObject {
  const labels = rec(common.labels) as Record<string, string>;
  const annotations = rec(common.annotations) as Record<string, string>;
  if (Object.keys(labels).length === 0 && Object.keys(annotations).length === 0) return o;
  const meta = o.manifest.metadata;
  const merged = {
    ...meta,
    ...(Object.keys(labels).length > 0 ? { labels: { ...(meta.labels ?? {}), ...labels } } : {}),
    ...(Object.keys(annotations).length > 0 ? { annotations: { ...(meta.annotations ?? {}), ...annotations } } : {}),
  };
  return { ...o, manifest: { ...o.manifest, metadata: merged } };
}

/** spec.postBuild: `substitute`, and `substituteFrom` ConfigMaps this repository declares; a Secret or an unknown ConfigMap leaves its variables as they are (a note). */
function postBuild(k: ResolvedObject, objects: ResolvedObject[], known: readonly ResolvedObject[], notes: string[], cluster: string): ResolvedObject[] {
  const post = rec(rec(k.manifest.spec).postBuild);
  if (Object.keys(post).length === 0) return objects;
  const vars = new Map<string, string>();
  let complete = true;
  for (const from of arr(post.substituteFrom).map(rec)) {
    const ns = k.manifest.metadata.namespace;
    const found = from.kind === 'ConfigMap' ? [...known, ...objects].find((o) => o.manifest.kind === 'ConfigMap' && o.manifest.metadata.name === from.name && o.manifest.metadata.namespace === ns) : undefined;
    if (!found) {
      complete = false;
      notes.push(`${cluster}: Kustomization ${ns}/${k.manifest.metadata.name} substitutes variables from ${String(from.kind)} ${String(from.name)}, which this repository does not declare: its variables are left as written`);
      continue;
    }
    for (const [key, v] of Object.entries(rec(found.manifest.data))) vars.set(key, String(v));
  }
  for (const [key, v] of Object.entries(rec(post.substitute))) vars.set(key, String(v));
  return objects.map((o) => {
    if (o.manifest.metadata.annotations?.['kustomize.toolkit.fluxcd.io/substitute'] === 'disabled') return o;
    return { ...o, manifest: substitute(o.manifest, vars, complete) as Manifest };
  });
}

/**
 * The GitRepository and Kustomization `flux bootstrap` wrote (`flux-system/gotk-sync.yaml`): they
 * exist on the cluster, so a dependsOn or sourceRef naming them resolves. Not followed: the
 * Kustomization applies the cluster folder, read already; the rest of `flux-system/` (the
 * controllers and their CRDs) is Flux's own and not checked.
 */
function bootstrapSync(root: string, folder: string, cluster: string): ResolvedObject[] {
  const file = posix.join(folder, BOOTSTRAP_DIR, 'gotk-sync.yaml');
  if (!existsSync(join(root, file))) return [];
  return readObjects(root, file, []).map((o) => ({ path: `${cluster}/${o.file}#${o.index}`, manifest: o.manifest, file: o.file }));
}

/**
 * Reads a Flux repository into the model the checks run on: one cluster per cluster folder,
 * its folders being what each Flux Kustomization applies, its layers those Kustomizations.
 */
export function readFluxRepository(root: string): FluxRepository {
  const notes: string[] = [];
  const findings: Finding[] = [];
  const clusters: ResolvedCluster[] = [];
  const inventories = new Map<string, Inventory[]>();
  const folders = clusterFolders(root);
  if (folders.length === 0) findings.push({ path: '', message: `${root} holds no cluster folder (no clusters/<name>/ and no <folder>/flux-system/gotk-sync.yaml): nothing to validate` });
  for (const folder of folders) {
    // `flux bootstrap --path=./` makes the repository's root the cluster folder.
    const name = folder === '' ? posix.basename(posix.resolve(root)) : posix.basename(folder);
    const reading = readCluster(root, folder, name);
    findings.push(...reading.findings);
    notes.push(...reading.notes);
    inventories.set(name, reading.inventories);
    clusters.push({ name, stage: stageOfName(name), fluxLockdownOff: lockdownOff(root, folder), folders: reading.folders, layers: reading.layers, sources: bootstrapSync(root, folder, name) });
  }
  return { model: { name: root, clusters, findings }, notes: [...new Set(notes)], inventories };
}

