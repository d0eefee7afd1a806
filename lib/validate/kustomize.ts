// The part of `kustomize build` Flux repositories use, so `npm run validate` reads a repository
// strata did not write as kustomize-controller would (users have no kustomize binary): a folder's
// kustomization.yaml and what it names, nothing else. What is not modelled is a note, never a
// guess: see docs/validation.md ("Repositories strata did not write").
// https://kubectl.docs.kubernetes.io/references/kustomize/kustomization/
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join, posix } from 'node:path';
import { parseAllDocuments } from 'yaml';
import type { Manifest } from '../synth/model.js';
import { arr, rec, str, type Json } from './objects.js';
import { isClusterScoped } from './schema.js';

/** The file names kustomize recognises as a folder's kustomization, in its order. */
export const KUSTOMIZATION_FILES = ['kustomization.yaml', 'kustomization.yml', 'Kustomization'] as const;

/**
 * Files source-controller leaves out of every artifact (fluxcd/pkg sourceignore: ExcludeVCS,
 * ExcludeExt, ExcludeCI, ExcludeExtra), matched by name at any depth.
 */
const IGNORED_DIRS = new Set(['.git', '.github', '.circleci']);
const IGNORED_FILES = /^(\.gitignore|\.gitmodules|\.gitattributes|\.travis\.yml|\.gitlab-ci\.yml|appveyor\.yml|\.drone\.yml|cloudbuild\.yaml|codeship-services\.yml|codeship-steps\.yml|\.goreleaser\.yml|\.sops\.yaml|\.flux\.yaml|.*\.(jpe?g|gif|png|wmv|flv|tar\.gz|zip))$/;

/** Whether source-controller leaves `path` (repository-relative, `/`-separated) out of the artifact. */
export function isSourceIgnored(path: string): boolean {
  const parts = path.split('/');
  return parts.slice(0, -1).some((p) => IGNORED_DIRS.has(p)) || IGNORED_DIRS.has(parts[parts.length - 1]) || IGNORED_FILES.test(parts[parts.length - 1]);
}

/** One object of a build, with the repository file (and document) it came from. */
export interface BuiltObject {
  manifest: Manifest;
  readonly file: string;
  readonly index: number;
}

/** What a build produced: objects, the problems that fail `kustomize build`, and what it did not model. */
export interface Build {
  readonly objects: BuiltObject[];
  /** `<file>: <why kustomize build fails>`. */
  readonly problems: string[];
  /** What was not read or not modelled (remote resources, unsupported fields). */
  readonly notes: string[];
}

/** The fields of a Flux Kustomization that kustomize-controller writes into the kustomization it builds. */
export interface FluxOverrides {
  readonly targetNamespace?: string;
  readonly patches?: readonly unknown[];
  readonly images?: readonly unknown[];
  readonly namePrefix?: string;
  readonly nameSuffix?: string;
  /** Folders (relative to the built folder) added to its kustomization's components. */
  readonly components?: readonly unknown[];
}

/** kustomization.yaml fields this builder applies; any other is a note. */
const MODELLED = new Set([
  'apiVersion', 'kind', 'metadata', 'resources', 'bases', 'components', 'patches', 'patchesStrategicMerge', 'patchesJson6902', 'images',
  'namespace', 'namePrefix', 'nameSuffix', 'commonLabels', 'labels', 'commonAnnotations', 'replicas', 'configMapGenerator', 'secretGenerator',
  'generatorOptions', 'sortOptions', 'buildMetadata',
]);

const isRemote = (entry: string): boolean => /^[a-z][a-z0-9+.-]*:\/\//i.test(entry) || /^(git@|github\.com\/|gitlab\.com\/|bitbucket\.org\/)/.test(entry) || entry.includes('?ref=');

/** The kustomization file of a repository folder, if it has one. */
export function kustomizationFile(root: string, dir: string): string | undefined {
  return KUSTOMIZATION_FILES.map((f) => posix.join(dir, f)).find((f) => isFile(root, f));
}

function isFile(root: string, rel: string): boolean {
  return existsSync(join(root, rel)) && statSync(join(root, rel)).isFile();
}

function isDir(root: string, rel: string): boolean {
  return existsSync(join(root, rel)) && statSync(join(root, rel)).isDirectory();
}

/** A path below the repository root, or undefined when it leaves it (Flux's secure file system refuses that). */
function inside(dir: string, entry: string): string | undefined {
  const p = posix.normalize(posix.join(dir, entry));
  return p === '..' || p.startsWith('../') || posix.isAbsolute(p) ? undefined : p === '.' ? '' : p;
}

/** The Kubernetes objects of one YAML file; a document that is not one is a problem (kustomize refuses it). */
export function readObjects(root: string, file: string, problems: string[]): BuiltObject[] {
  const out: BuiltObject[] = [];
  const docs = parseAllDocuments(readFileSync(join(root, file), 'utf8'));
  for (const [index, doc] of (Array.isArray(docs) ? docs : [docs]).entries()) {
    if (doc.errors.length > 0) {
      problems.push(`${file}: invalid YAML: ${doc.errors[0].message.split('\n')[0]}`);
      continue;
    }
    const value: unknown = doc.toJS();
    if (value === null || value === undefined) continue;
    const m = rec(value);
    if (m.kind === 'List' && Array.isArray(m.items)) {
      for (const item of m.items) out.push({ manifest: item as Manifest, file, index });
      continue;
    }
    if (typeof m.apiVersion !== 'string' || typeof m.kind !== 'string' || typeof rec(m.metadata).name !== 'string') {
      problems.push(`${file}: document ${index} is not a Kubernetes object (apiVersion, kind and metadata.name are required): kustomize build fails`);
      continue;
    }
    out.push({ manifest: m as Manifest, file, index });
  }
  return out;
}

/**
 * Builds the repository folder `dir` as kustomize-controller does: with its kustomization file,
 * or, when it has none and `generate` is set (the folder a Flux Kustomization's spec.path names),
 * with one listing every YAML file below it and every subfolder that has its own kustomization
 * (not descended into). `flux` adds the Flux Kustomization's overrides to that top kustomization.
 */
export function kustomizeBuild(root: string, dir: string, options: { readonly generate?: boolean; readonly flux?: FluxOverrides; readonly skip?: (path: string) => boolean } = {}): Build {
  const build: Build = { objects: [], problems: [], notes: [] };
  build.objects.push(...buildDir(root, dir, build, options, []));
  return build;
}

function buildDir(root: string, dir: string, build: Build, options: { generate?: boolean; flux?: FluxOverrides; skip?: (path: string) => boolean }, stack: readonly string[]): BuiltObject[] {
  if (stack.includes(dir)) {
    build.problems.push(`${dir}: includes itself through resources (${[...stack, dir].join(' → ')}): kustomize build fails`);
    return [];
  }
  const file = kustomizationFile(root, dir);
  let k: Json;
  if (file) {
    const docs = parseAllDocuments(readFileSync(join(root, file), 'utf8'));
    const doc = Array.isArray(docs) ? docs[0] : docs;
    if (doc && doc.errors.length > 0) {
      build.problems.push(`${file}: invalid YAML: ${doc.errors[0].message.split('\n')[0]}`);
      return [];
    }
    k = rec(doc?.toJS());
    for (const field of Object.keys(k).filter((f) => !MODELLED.has(f)).sort()) build.notes.push(`${file}: ${field} is not modelled: its effect is not checked`);
  } else if (options.generate) {
    k = { resources: generatedResources(root, dir, options.skip) };
  } else {
    build.problems.push(`${dir || '.'}: has no kustomization.yaml: kustomize build fails on a folder named in resources without one`);
    return [];
  }
  const flux = options.flux;
  if (flux) {
    k = {
      ...k,
      ...(flux.targetNamespace !== undefined ? { namespace: flux.targetNamespace } : {}),
      ...(flux.namePrefix !== undefined ? { namePrefix: flux.namePrefix } : {}),
      ...(flux.nameSuffix !== undefined ? { nameSuffix: flux.nameSuffix } : {}),
      patches: [...arr(k.patches), ...(flux.patches ?? [])],
      images: mergeImages(arr(k.images), [...(flux.images ?? [])]),
      components: [...arr(k.components), ...(flux.components ?? [])],
    };
  }
  const where = file ?? `${dir || '.'} (generated kustomization)`;
  let objects: BuiltObject[] = [];
  for (const entry of [...arr(k.resources), ...arr(k.bases)].map(String)) {
    if (isRemote(entry)) {
      build.notes.push(`${where}: remote resource ${entry} is not followed: its objects are not checked`);
      continue;
    }
    const path = inside(dir, entry);
    if (path === undefined) {
      build.problems.push(`${where}: resource ${entry} is outside the repository: Flux refuses to read it`);
    } else if (options.skip?.(path)) {
      continue;
    } else if (isDir(root, path)) {
      objects.push(...buildDir(root, path, build, { skip: options.skip }, [...stack, dir]));
    } else if (isFile(root, path)) {
      objects.push(...readObjects(root, path, build.problems));
    } else {
      build.problems.push(`${where}: lists resource ${entry}, which does not exist: kustomize build fails`);
    }
  }
  objects.push(...generated(root, dir, where, k, build));
  for (const entry of arr(k.components).map(String)) {
    const path = inside(dir, entry);
    if (isRemote(entry)) build.notes.push(`${where}: remote component ${entry} is not followed`);
    else if (path === undefined || !isDir(root, path)) build.problems.push(`${where}: component ${entry} is not a folder of the repository: kustomize build fails`);
    else objects = buildComponent(root, path, objects, build, [...stack, dir]);
  }
  return transform(root, dir, where, k, objects, build);
}

/** A Component applies its resources and transformations to what the including kustomization has built so far. */
function buildComponent(root: string, dir: string, base: BuiltObject[], build: Build, stack: readonly string[]): BuiltObject[] {
  const file = kustomizationFile(root, dir);
  if (!file) {
    build.problems.push(`${dir}: component has no kustomization.yaml: kustomize build fails`);
    return base;
  }
  const k = rec(parseAllDocuments(readFileSync(join(root, file), 'utf8'))[0]?.toJS?.());
  const own = buildDir(root, dir, build, {}, stack.filter((s) => s !== dir));
  // buildDir already applied the component's transformations to its own resources; apply them to the base too.
  return [...transform(root, dir, file, k, base, build), ...own];
}

/** The resources Flux lists in the kustomization it generates for a folder without one. */
function generatedResources(root: string, dir: string, skip: ((path: string) => boolean) | undefined): string[] {
  const found: string[] = [];
  const walk = (rel: string): void => {
    const entries = readdirSync(join(root, rel), { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const e of entries) {
      const path = rel ? `${rel}/${e.name}` : e.name;
      if (isSourceIgnored(path) || skip?.(path)) continue;
      if (e.isDirectory()) {
        if (kustomizationFile(root, path)) found.push(path);
        else walk(path);
      } else if (/\.ya?ml$/.test(e.name)) {
        found.push(path);
      }
    }
  };
  walk(dir);
  return found.map((p) => (dir ? posix.relative(dir, p) : p));
}

function mergeImages(own: unknown[], flux: unknown[]): unknown[] {
  const out = [...own];
  for (const image of flux) {
    const i = out.findIndex((o) => rec(o).name === rec(image).name);
    if (i >= 0) out[i] = image;
    else out.push(image);
  }
  return out;
}

/** configMapGenerator and secretGenerator, named as declared (see the note on hash suffixes in the docs). */
function generated(root: string, dir: string, where: string, k: Json, build: Build): BuiltObject[] {
  const out: BuiltObject[] = [];
  for (const [field, kind] of [['configMapGenerator', 'ConfigMap'], ['secretGenerator', 'Secret']] as const) {
    for (const [index, g] of arr(k[field]).map(rec).entries()) {
      const name = str(g.name);
      if (name === undefined) continue;
      if (str(g.behavior) === 'merge' || str(g.behavior) === 'replace') {
        build.notes.push(`${where}: ${field} ${name} with behavior ${String(g.behavior)} is not modelled`);
        continue;
      }
      const data: Record<string, string> = {};
      for (const literal of arr(g.literals).map(String)) {
        const eq = literal.indexOf('=');
        if (eq > 0) data[literal.slice(0, eq)] = literal.slice(eq + 1);
      }
      for (const entry of arr(g.files).map(String)) {
        const eq = entry.indexOf('=');
        const key = eq > 0 ? entry.slice(0, eq) : posix.basename(entry);
        const path = inside(dir, eq > 0 ? entry.slice(eq + 1) : entry);
        if (path === undefined || !isFile(root, path)) build.problems.push(`${where}: ${field} ${name}: file ${entry} does not exist: kustomize build fails`);
        else data[key] = readFileSync(join(root, path), 'utf8');
      }
      for (const entry of [...arr(g.envs), ...(g.env !== undefined ? [g.env] : [])].map(String)) {
        const path = inside(dir, entry);
        if (path === undefined || !isFile(root, path)) {
          build.problems.push(`${where}: ${field} ${name}: env file ${entry} does not exist: kustomize build fails`);
          continue;
        }
        for (const line of readFileSync(join(root, path), 'utf8').split('\n')) {
          const t = line.trim();
          const eq = t.indexOf('=');
          if (t && !t.startsWith('#') && eq > 0) data[t.slice(0, eq)] = t.slice(eq + 1);
        }
      }
      const encoded = kind === 'Secret' ? Object.fromEntries(Object.entries(data).map(([key, v]) => [key, Buffer.from(v).toString('base64')])) : data;
      const metadata = { name, ...(str(g.namespace) ? { namespace: String(g.namespace) } : {}) };
      const manifest = { apiVersion: 'v1', kind, metadata, data: encoded, ...(kind === 'Secret' ? { type: str(g.type) ?? 'Opaque' } : {}) } as Manifest;
      out.push({ manifest, file: where, index });
    }
  }
  return out;
}

/** A kustomize patch target (`group`, `version`, `kind`, `name`, `namespace` as anchored regular expressions, label and annotation selectors). */
function matches(target: Json, m: Manifest): boolean {
  const [group, version] = m.apiVersion.includes('/') ? m.apiVersion.split('/') : ['', m.apiVersion];
  const re = (pattern: unknown, value: string | undefined): boolean => {
    if (typeof pattern !== 'string' || pattern === '') return true;
    try {
      return new RegExp(`^(?:${pattern})$`).test(value ?? '');
    } catch {
      return pattern === value;
    }
  };
  return re(target.group, group) && re(target.version, version) && re(target.kind, m.kind) && re(target.name, m.metadata.name) &&
    re(target.namespace, m.metadata.namespace) && selects(target.labelSelector, m.metadata.labels) && selects(target.annotationSelector, m.metadata.annotations);
}

/** A set-based selector string (`a=b,c!=d,e,!f`) against labels or annotations. */
function selects(selector: unknown, values: Record<string, string> | undefined): boolean {
  if (typeof selector !== 'string' || selector.trim() === '') return true;
  const v = values ?? {};
  return selector.split(',').map((s) => s.trim()).every((term) => {
    const ne = /^([^!=]+)!=(.*)$/.exec(term);
    if (ne) return v[ne[1].trim()] !== ne[2].trim();
    const eq = /^([^=]+)==?(.*)$/.exec(term);
    if (eq) return v[eq[1].trim()] === eq[2].trim();
    if (term.startsWith('!')) return !(term.slice(1) in v);
    return term in v;
  });
}

/** The patches of one kustomization, each as its text (inline or read from its file) and its target. */
function patchesOf(root: string, dir: string, where: string, k: Json, build: Build): { text: string; target?: Json; from: string }[] {
  const out: { text: string; target?: Json; from: string }[] = [];
  const load = (p: Json | string, target: Json | undefined): void => {
    if (typeof p === 'string') {
      // patchesStrategicMerge: a file name or an inline patch.
      const path = !p.includes('\n') ? inside(dir, p) : undefined;
      if (path !== undefined && isFile(root, path)) out.push({ text: readFileSync(join(root, path), 'utf8'), target, from: path });
      else if (p.includes('\n') || p.includes(':')) out.push({ text: p, target, from: where });
      else build.problems.push(`${where}: patch file ${p} does not exist: kustomize build fails`);
      return;
    }
    const t = p.target === undefined ? target : rec(p.target);
    if (typeof p.patch === 'string') out.push({ text: p.patch, target: t, from: where });
    else if (typeof p.path === 'string') {
      const path = inside(dir, p.path);
      if (path === undefined || !isFile(root, path)) build.problems.push(`${where}: patch file ${p.path} does not exist: kustomize build fails`);
      else out.push({ text: readFileSync(join(root, path), 'utf8'), target: t, from: path });
    }
  };
  for (const p of arr(k.patchesStrategicMerge)) load(typeof p === 'string' ? p : JSON.stringify(p), undefined);
  for (const p of arr(k.patches)) load(rec(p), undefined);
  for (const p of arr(k.patchesJson6902)) load(rec(p), rec(rec(p).target));
  return out;
}

/** The transformers of one kustomization, in kustomize's order. */
function transform(root: string, dir: string, where: string, k: Json, objects: BuiltObject[], build: Build): BuiltObject[] {
  for (const patch of patchesOf(root, dir, where, k, build)) applyPatch(patch, objects, build);
  const namespace = str(k.namespace);
  if (namespace) {
    for (const o of objects) if (!isClusterScoped(o.manifest.apiVersion, o.manifest.kind)) o.manifest = withMeta(o.manifest, { namespace });
  }
  const prefix = str(k.namePrefix) ?? '';
  const suffix = str(k.nameSuffix) ?? '';
  if (prefix || suffix) {
    for (const o of objects) if (o.manifest.kind !== 'Namespace' && o.manifest.kind !== 'CustomResourceDefinition') o.manifest = withMeta(o.manifest, { name: `${prefix}${o.manifest.metadata.name}${suffix}` });
  }
  const labels: { pairs: Record<string, string>; selectors: boolean; templates: boolean }[] = [];
  if (Object.keys(rec(k.commonLabels)).length > 0) labels.push({ pairs: rec(k.commonLabels) as Record<string, string>, selectors: true, templates: true });
  for (const l of arr(k.labels).map(rec)) labels.push({ pairs: rec(l.pairs) as Record<string, string>, selectors: l.includeSelectors === true, templates: l.includeSelectors === true || l.includeTemplates === true });
  for (const l of labels) for (const o of objects) o.manifest = withLabels(o.manifest, l.pairs, l.selectors, l.templates);
  const annotations = rec(k.commonAnnotations) as Record<string, string>;
  if (Object.keys(annotations).length > 0) {
    for (const o of objects) o.manifest = withAnnotations(o.manifest, annotations);
  }
  for (const r of arr(k.replicas).map(rec)) {
    for (const o of objects) {
      if (o.manifest.metadata.name === r.name && ['Deployment', 'StatefulSet', 'ReplicaSet', 'ReplicationController'].includes(o.manifest.kind)) {
        o.manifest = { ...o.manifest, spec: { ...rec(o.manifest.spec), replicas: Number(r.count) } };
      }
    }
  }
  const images = arr(k.images).map(rec);
  if (images.length > 0) for (const o of objects) o.manifest = setImages(o.manifest, images) as Manifest;
  return objects;
}

function withMeta(m: Manifest, meta: Json): Manifest {
  return { ...m, metadata: { ...m.metadata, ...meta } };
}

/** commonAnnotations: on the object and on the pod templates of its workload kinds. */
function withAnnotations(m: Manifest, annotations: Record<string, string>): Manifest {
  const out = structuredClone(m);
  out.metadata.annotations = { ...(out.metadata.annotations ?? {}), ...annotations };
  const spec = rec(out.spec);
  const templates = out.kind === 'CronJob' ? [rec(spec.jobTemplate), rec(rec(rec(spec.jobTemplate).spec).template)] : TEMPLATED.includes(out.kind) ? [rec(spec.template)] : [];
  for (const t of templates) if (Object.keys(t).length > 0) t.metadata = { ...rec(t.metadata), annotations: { ...rec(rec(t.metadata).annotations), ...annotations } };
  return out;
}

const TEMPLATED = ['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'ReplicationController', 'Job'];

function withLabels(m: Manifest, pairs: Record<string, string>, selectors: boolean, templates: boolean): Manifest {
  const out = structuredClone(m);
  out.metadata.labels = { ...(out.metadata.labels ?? {}), ...pairs };
  const spec = rec(out.spec);
  if (selectors && out.kind === 'Service' && out.apiVersion === 'v1') spec.selector = { ...rec(spec.selector), ...pairs };
  if (['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'Job'].includes(out.kind)) {
    if (selectors && out.kind !== 'Job') spec.selector = { ...rec(spec.selector), matchLabels: { ...rec(rec(spec.selector).matchLabels), ...pairs } };
    if (templates && spec.template !== undefined) rec(spec.template).metadata = { ...rec(rec(spec.template).metadata), labels: { ...rec(rec(rec(spec.template).metadata).labels), ...pairs } };
  }
  return out;
}

/** kustomize's image transformer: every `image` of a container list, matched by name without tag or digest. */
function setImages(value: unknown, images: Json[], inContainers = false): unknown {
  if (Array.isArray(value)) return value.map((v) => setImages(v, images, inContainers));
  if (typeof value !== 'object' || value === null) return value;
  const out: Json = {};
  for (const [key, v] of Object.entries(value as Json)) {
    if (inContainers && key === 'image' && typeof v === 'string') out[key] = newImage(v, images);
    else out[key] = setImages(v, images, ['containers', 'initContainers', 'ephemeralContainers'].includes(key));
  }
  return out;
}

function newImage(image: string, images: Json[]): string {
  const at = image.indexOf('@');
  const beforeDigest = at >= 0 ? image.slice(0, at) : image;
  const colon = beforeDigest.lastIndexOf(':');
  const name = colon > beforeDigest.lastIndexOf('/') ? beforeDigest.slice(0, colon) : beforeDigest;
  const rule = images.find((i) => i.name === name);
  if (!rule) return image;
  const tag = colon > beforeDigest.lastIndexOf('/') ? beforeDigest.slice(colon) : '';
  const digest = at >= 0 ? image.slice(at) : '';
  const newName = str(rule.newName) ?? name;
  if (str(rule.digest)) return `${newName}@${String(rule.digest)}`;
  if (rule.newTag !== undefined) return `${newName}:${String(rule.newTag)}`;
  return `${newName}${tag}${digest}`;
}

/** Applies one patch (strategic merge or JSON 6902, told apart by its YAML: a map or a list). */
function applyPatch(patch: { text: string; target?: Json; from: string }, objects: BuiltObject[], build: Build): void {
  const docs = parseAllDocuments(patch.text);
  for (const doc of Array.isArray(docs) ? docs : [docs]) {
    if (doc.errors.length > 0) {
      build.problems.push(`${patch.from}: invalid patch YAML: ${doc.errors[0].message.split('\n')[0]}`);
      return;
    }
    const body: unknown = doc.toJS();
    if (body === null || body === undefined) continue;
    if (Array.isArray(body)) {
      if (!patch.target) {
        build.problems.push(`${patch.from}: a JSON 6902 patch needs a target: kustomize build fails`);
        return;
      }
      for (const o of objects.filter((x) => matches(patch.target as Json, x.manifest))) {
        try {
          o.manifest = jsonPatch(o.manifest, body.map(rec)) as Manifest;
        } catch (e) {
          build.problems.push(`${patch.from}: patch on ${o.manifest.kind} ${o.manifest.metadata.name}: ${(e as Error).message}: kustomize build fails`);
        }
      }
      continue;
    }
    const smp = rec(body);
    const meta = rec(smp.metadata);
    const target = patch.target ?? { kind: smp.kind, name: meta.name, ...(meta.namespace !== undefined ? { namespace: meta.namespace } : {}) };
    const hits = objects.filter((x) => matches(target, x.manifest));
    if (smp.$patch === 'delete') {
      // A patch that deletes the objects it matches.
      for (const o of hits) objects.splice(objects.indexOf(o), 1);
      continue;
    }
    if (hits.length === 0 && !patch.target) {
      build.problems.push(`${patch.from}: patches ${String(smp.kind)} ${String(meta.name)}, which none of the resources is: kustomize build fails`);
    }
    const { apiVersion: _a, kind: _k, metadata, ...rest } = smp;
    const { name: _n, namespace: _ns, ...metaRest } = rec(metadata);
    for (const o of hits) o.manifest = strategicMerge(o.manifest, { ...rest, ...(Object.keys(metaRest).length > 0 ? { metadata: metaRest } : {}) }, isBuiltIn(o.manifest.apiVersion)) as Manifest;
  }
}

/** Kinds of the Kubernetes API: their lists merge by key; a custom resource's lists are replaced (kustomize has no schema for them). */
function isBuiltIn(apiVersion: string): boolean {
  const group = apiVersion.includes('/') ? apiVersion.split('/')[0] : '';
  return group === '' || !group.includes('.') || group.endsWith('.k8s.io');
}

/** The merge key of a list of the Kubernetes API, by field name (patchMergeKey). */
const MERGE_KEYS: Readonly<Record<string, string>> = {
  containers: 'name', initContainers: 'name', ephemeralContainers: 'name', env: 'name', volumes: 'name', volumeMounts: 'mountPath',
  imagePullSecrets: 'name', hostAliases: 'ip', topologySpreadConstraints: 'topologyKey',
};

/** Strategic merge: maps merge, `null` deletes, `$patch: delete` removes, lists with a merge key merge by it, others are replaced. */
export function strategicMerge(base: unknown, patch: unknown, builtIn: boolean, field = ''): unknown {
  if (Array.isArray(patch)) {
    const key = builtIn ? (field === 'ports' ? portKey(patch) : MERGE_KEYS[field]) : undefined;
    if (!key || !Array.isArray(base)) return patch.filter((p) => rec(p).$patch !== 'delete');
    // Items the base does not have come first, in the patch's order (as kustomize's merge writes them).
    const out = [...base];
    const added: unknown[] = [];
    for (const p of patch) {
      const i = out.findIndex((b) => rec(b)[key] === rec(p)[key]);
      if (rec(p).$patch === 'delete') {
        if (i >= 0) out.splice(i, 1);
      } else if (i >= 0) out[i] = strategicMerge(out[i], p, builtIn);
      else added.push(p);
    }
    return [...added, ...out];
  }
  if (typeof patch !== 'object' || patch === null) return patch;
  const p = patch as Json;
  if (p.$patch === 'replace') {
    const { $patch: _, ...rest } = p;
    return rest;
  }
  const out: Json = { ...rec(base) };
  for (const [key, value] of Object.entries(p)) {
    if (key === '$patch') continue;
    if (value === null) delete out[key];
    else out[key] = strategicMerge(out[key], value, builtIn, key);
  }
  return out;
}

/** Container ports merge by containerPort, Service ports by port. */
function portKey(patch: unknown[]): string | undefined {
  const first = rec(patch[0]);
  return 'containerPort' in first ? 'containerPort' : 'port' in first ? 'port' : undefined;
}

/** RFC 6902 on a JSON value (add, remove, replace, move, copy, test). @throws Error naming the failed operation */
export function jsonPatch(doc: unknown, ops: readonly Json[]): unknown {
  let out = structuredClone(doc);
  const tokens = (p: unknown): string[] => {
    if (typeof p !== 'string' || (p !== '' && !p.startsWith('/'))) throw new Error(`invalid path ${JSON.stringify(p)}`);
    return p === '' ? [] : p.slice(1).split('/').map((t) => t.replace(/~1/g, '/').replace(/~0/g, '~'));
  };
  const parentOf = (path: string[], op: string): [unknown, string] => {
    let node: unknown = out;
    for (const t of path.slice(0, -1)) {
      node = Array.isArray(node) ? node[Number(t)] : rec(node)[t];
      if (node === undefined || node === null || typeof node !== 'object') throw new Error(`${op} /${path.join('/')}: /${path.slice(0, path.indexOf(t) + 1).join('/')} does not exist`);
    }
    return [node, path[path.length - 1]];
  };
  const get = (path: string[], op: string): unknown => {
    if (path.length === 0) return out;
    const [parent, last] = parentOf(path, op);
    const v = Array.isArray(parent) ? parent[Number(last)] : (parent as Json)[last];
    if (v === undefined) throw new Error(`${op} /${path.join('/')}: the path does not exist`);
    return v;
  };
  const remove = (path: string[], op: string): unknown => {
    const v = get(path, op);
    const [parent, last] = parentOf(path, op);
    if (Array.isArray(parent)) parent.splice(Number(last), 1);
    else delete (parent as Json)[last];
    return v;
  };
  const add = (path: string[], value: unknown, op: string): void => {
    if (path.length === 0) {
      out = value;
      return;
    }
    const [parent, last] = parentOf(path, op);
    if (Array.isArray(parent)) {
      const i = last === '-' ? parent.length : Number(last);
      if (!Number.isInteger(i) || i < 0 || i > parent.length) throw new Error(`${op} /${path.join('/')}: index out of range`);
      parent.splice(i, 0, value);
    } else (parent as Json)[last] = value;
  };
  for (const o of ops) {
    const op = String(o.op);
    const path = tokens(o.path);
    if (op === 'add') add(path, structuredClone(o.value), op);
    else if (op === 'remove') remove(path, op);
    else if (op === 'replace') {
      get(path, op);
      if (path.length === 0) out = structuredClone(o.value);
      else {
        const [parent, last] = parentOf(path, op);
        if (Array.isArray(parent)) parent[Number(last)] = structuredClone(o.value);
        else (parent as Json)[last] = structuredClone(o.value);
      }
    } else if (op === 'move') add(path, remove(tokens(o.from), op), op);
    else if (op === 'copy') add(path, structuredClone(get(tokens(o.from), op)), op);
    else if (op === 'test') {
      if (JSON.stringify(get(path, op)) !== JSON.stringify(o.value)) throw new Error(`test /${path.join('/')} failed`);
    } else throw new Error(`unknown operation ${JSON.stringify(op)}`);
  }
  return out;
}
