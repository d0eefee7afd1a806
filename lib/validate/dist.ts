// Validation of a committed dist/ tree, for a GitOps repository's CI: the same schema and policy
// checks a synth runs, on the objects parsed back from the YAML files.
import { existsSync, readFileSync, readdirSync, readlinkSync } from 'node:fs';
import { join, posix } from 'node:path';
import { parseDocuments } from './dist-yaml.js';
import { formatReport, isError, type Finding } from '../fleet/errors.js';
import type { StageName } from '../fleet/stage.js';
import { EXTERNAL_NAMESPACE_COMMENT, KUBERNETES_VERSION_COMMENT, LOCKDOWN_COMMENT, STAGE_COMMENT } from '../synth/layout.js';
import { EXIT, OutputError, shown } from '../synth/output-errors.js';
import { entryType } from '../synth/output-paths.js';
import type { ExternalNamespaceRecord, FleetModel, Manifest, ResolvedCluster, ResolvedFolder, ResolvedObject } from '../synth/model.js';
import { DEFAULT_CHECKS, checkModel, describeUnchecked, totalsOf } from '../synth/pipeline.js';
import { BOOTSTRAP_DIR, listFiles } from '../synth/writer.js';
import { arr, rec } from './objects.js';
import { isStrataTree, readFluxRepository } from './flux-repo.js';
import { loadProjectSchemas } from './project.js';
import { loadRegistrations } from './registrations.js';
import { fluxPathProduced } from './rules/flux.js';

const STAGES: readonly StageName[] = ['development', 'staging', 'production'];
const KUSTOMIZATION = 'kustomization.yaml';

/** What `npm run validate` found in a dist/ tree. */
export interface DistValidation {
  /** Every error and warning found: reading the tree (YAML, `kustomization.yaml` lists), the project's CRD files and the checks, each located by file or object. */
  readonly findings: readonly Finding[];
  /** The tree read back as a cluster model, as the checks saw it. */
  readonly model: FleetModel;

  /** What a Flux repository's reading left out (sources outside it, remote resources, unmodelled kustomize fields); empty for a strata tree. */
  readonly notes: readonly string[];
  /** The grouped report to print. */
  readonly report: string;
  /** 1 when there is any error, else 0. */
  readonly exitCode: 0 | 1;
}

interface ParsedFile {
  readonly cluster: string;
  readonly objects: ResolvedObject[];
}

/** The construct path a synth wrote before a document (`# strata: <path>`), if any. */
export function constructPath(comment: string | null | undefined): string | undefined {
  return /^ ?strata: (\S+)$/m.exec(comment ?? '')?.[1];
}


/** The cluster a dist/ file belongs to: its first folder, or the second under `clusters/`. */
function clusterOfFile(file: string): string {
  const parts = file.split('/');
  return parts[0] === 'clusters' ? parts[1] : parts[0];
}

/** One document of a dist/ file: its Kubernetes object, or why it is none. */
export interface FileDocument {
  /** The document's place in the file, from 0 (empty documents counted). */
  readonly index: number;
  /** The construct path the synth wrote before it (`# strata: <path>`), if any. */
  readonly path?: string;
  /** The object, when the document is one (it has apiVersion, kind and metadata.name). */
  readonly manifest?: Manifest;
  /** Why the document is no object: `invalid YAML: ...` or `not a Kubernetes object: ...`. */
  readonly problem?: string;
}

/**
 * The documents of a dist/ file as `npm run validate` and `npm run plan` read them: each a
 * Kubernetes object, or a problem (invalid YAML; no apiVersion, kind or metadata.name). Empty
 * documents are left out.
 */
export function documentsOfFile(text: string): FileDocument[] {
  return parseDocuments(text).flatMap((doc, index): FileDocument[] => {
    const path = constructPath(doc.comment);
    const at = { index, ...(path === undefined ? {} : { path }) };
    if (doc.error !== undefined) return [{ ...at, problem: `invalid YAML: ${doc.error}` }];
    if (doc.value === null || doc.value === undefined) return [];
    const manifest = rec(doc.value);
    if (typeof manifest.apiVersion !== 'string' || typeof manifest.kind !== 'string' || typeof rec(manifest.metadata).name !== 'string') {
      return [{ ...at, problem: 'not a Kubernetes object: apiVersion, kind and metadata.name are required' }];
    }
    return [{ ...at, manifest: manifest as Manifest }];
  });
}

function parseFile(dir: string, file: string, findings: Finding[]): ParsedFile {
  const objects: ResolvedObject[] = [];
  for (const doc of documentsOfFile(readFileSync(join(dir, file), 'utf8'))) {
    const path = doc.path ?? `${file}#${doc.index}`;
    if (doc.manifest) objects.push({ path, file, manifest: doc.manifest });
    else findings.push({ path, object: file, message: doc.problem! });
  }
  return { cluster: clusterOfFile(file), objects };
}

/** The stage written in `clusters/<name>/kustomization.yaml`; production when unknown (the strictest). */
function stageOf(dir: string, cluster: string): StageName {
  const file = join(dir, 'clusters', cluster, KUSTOMIZATION);
  const stage = existsSync(file) ? STAGE_COMMENT.exec(readFileSync(file, 'utf8'))?.[1] : undefined;
  return STAGES.find((s) => s === stage) ?? 'production';
}

/** Why `clusters/<name>/kustomization.yaml` says the cluster does without Flux's lockdown; undefined when it is on. */
function lockdownOffOf(dir: string, cluster: string): string | undefined {
  const file = join(dir, 'clusters', cluster, KUSTOMIZATION);
  return existsSync(file) ? LOCKDOWN_COMMENT.exec(readFileSync(file, 'utf8'))?.[1] : undefined;
}

/** The namespaces `clusters/<name>/kustomization.yaml` says another repository creates, with their declared labels. */
function externalNamespacesOf(dir: string, cluster: string): { externalNamespaces?: ExternalNamespaceRecord[] } {
  const file = join(dir, 'clusters', cluster, KUSTOMIZATION);
  if (!existsSync(file)) return {};
  const found = [...readFileSync(file, 'utf8').matchAll(EXTERNAL_NAMESPACE_COMMENT)].map((m): ExternalNamespaceRecord => {
    const labels = m[2] === undefined ? undefined : (JSON.parse(m[2]) as Record<string, string>);
    return labels === undefined ? { name: m[1] } : { name: m[1], labels };
  });
  return found.length > 0 ? { externalNamespaces: found } : {};
}

/** The Kubernetes version written in `clusters/<name>/kustomization.yaml`; the default when none is. */
function kubernetesVersionOf(dir: string, cluster: string): string | undefined {
  const file = join(dir, 'clusters', cluster, KUSTOMIZATION);
  return existsSync(file) ? KUBERNETES_VERSION_COMMENT.exec(readFileSync(file, 'utf8'))?.[1] : undefined;
}

/** Files a folder's kustomization.yaml does not list, and listed files that are missing. */
function indexProblems(dir: string, files: readonly string[]): Finding[] {
  const findings: Finding[] = [];
  const present = new Set(files);
  for (const index of files.filter((f) => posix.basename(f) === KUSTOMIZATION)) {
    const folder = posix.dirname(index);
    const resources = arr(rec(parseDocuments(readFileSync(join(dir, index), 'utf8'))[0]?.value).resources).map(String);
    for (const r of resources) {
      if (!present.has(posix.join(folder, r)) && !present.has(posix.join(folder, r, KUSTOMIZATION)) && !existsSync(join(dir, folder, r))) {
        findings.push({ path: index, message: `lists ${r}, which does not exist: kustomize build fails` });
      }
    }
  }
  for (const file of files) {
    if (posix.basename(file) === KUSTOMIZATION || !/\.ya?ml$/.test(file)) continue;
    const index = folderIndex(file, present);
    if (!index) continue;
    const listed = arr(rec(parseDocuments(readFileSync(join(dir, index), 'utf8'))[0]?.value).resources).map((r) => posix.join(posix.dirname(index), String(r)));
    if (!listed.some((l) => file === l || file.startsWith(`${l}/`))) findings.push({ path: file, message: `is not listed in ${index}: Flux never applies it` });
  }
  return findings;
}

/** The kustomization.yaml of the folder Flux applies a file through: the nearest one above it. */
function folderIndex(file: string, present: ReadonlySet<string>): string | undefined {
  for (let d = posix.dirname(file); d !== '.'; d = posix.dirname(d)) {
    if (present.has(posix.join(d, KUSTOMIZATION))) return posix.join(d, KUSTOMIZATION);
  }
  return undefined;
}

/** Is `file` (relative, `/`-separated) in `clusters/<name>/flux-system/`, `flux bootstrap`'s folder, which validation skips? */
function isBootstrap(file: string): boolean {
  const parts = file.split('/');
  return parts[0] === 'clusters' && parts[2] === BOOTSTRAP_DIR;
}

/** The first symbolic link at or below `dir` (outside `flux bootstrap`'s folders), in sorted order. */
function firstLink(dir: string, prefix = ''): string | undefined {
  const here = prefix ? join(dir, prefix) : dir;
  const type = entryType(here);
  if (type === 'link') return here;
  if (type !== 'dir') return undefined;
  const entries = readdirSync(here, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const e of entries) {
    const path = prefix ? `${prefix}/${e.name}` : e.name;
    if (isBootstrap(path) || !(e.isSymbolicLink() || e.isDirectory())) continue;
    const link = firstLink(dir, path);
    if (link) return link;
  }
  return undefined;
}

/**
 * Refuses a tree that is or holds a symbolic link, as a synth refuses one in its output. Git
 * commits a link as a link: the clone Flux reads has the link, not the folder or file it points to
 * here (and nothing at all for a path outside the repository), so reading through it would check
 * files Flux never applies.
 * @throws OutputError `ESYMLINK`, exit code 3, naming the first link and its target
 */
export function assertNoLinks(dir: string): void {
  const link = firstLink(dir);
  if (link === undefined) return;
  throw new OutputError(
    `strata: cannot validate ${shown(dir)}/: ${shown(link)} is a symbolic link (to ${readlinkSync(link)}); Git commits the link, not what it points to, so Flux would not see the files behind it: replace it with a real folder or file and validate again`,
    'ESYMLINK', EXIT.io);
}

/**
 * Reads a dist/ tree back into the model a synth validates: clusters from the first folder of
 * each path (`clusters/<name>/` holds their Flux objects), construct paths from the `# strata:`
 * comments, stages from `clusters/<name>/kustomization.yaml` (production when not written there).
 * `clusters/<name>/flux-system/` is `flux bootstrap`'s, not strata's, and is skipped.
 * @throws OutputError when the tree is or holds a symbolic link (`assertNoLinks`)
 */
export function readDist(dir: string): FleetModel {
  assertNoLinks(dir);
  const findings: Finding[] = [];
  const files = listFiles(dir).map((f) => f.split(/[\\/]/).join('/'));
  const ours = files.filter((f) => !isBootstrap(f));
  findings.push(...indexProblems(dir, ours));
  const clusters = new Map<string, { folders: Map<string, ResolvedObject[]>; layers: ResolvedObject[]; sources: ResolvedObject[] }>();
  const present = new Set(ours);
  for (const file of ours.filter((f) => /\.ya?ml$/.test(f) && posix.basename(f) !== KUSTOMIZATION)) {
    const { cluster, objects } = parseFile(dir, file, findings);
    const entry = clusters.get(cluster) ?? { folders: new Map(), layers: [], sources: [] };
    clusters.set(cluster, entry);
    if (file.startsWith('clusters/')) {
      for (const o of objects) (o.manifest.kind === 'Kustomization' ? entry.layers : entry.sources).push(o);
    } else {
      const folder = posix.dirname(folderIndex(file, present) ?? file);
      entry.folders.set(folder, [...(entry.folders.get(folder) ?? []), ...objects]);
    }
  }
  // A folder with a kustomization.yaml and no object yet is still one Flux applies (a layer's paths point at it).
  for (const index of ours.filter((f) => posix.basename(f) === KUSTOMIZATION && !f.startsWith('clusters/'))) {
    const entry = clusters.get(clusterOfFile(index));
    if (entry && !entry.folders.has(posix.dirname(index))) entry.folders.set(posix.dirname(index), []);
  }
  const resolved: ResolvedCluster[] = [...clusters].map(([name, c]) => ({
    name,
    stage: stageOf(dir, name),
    fluxLockdownOff: lockdownOffOf(dir, name),
    kubernetesVersion: kubernetesVersionOf(dir, name),
    ...externalNamespacesOf(dir, name),
    folders: [...c.folders].map(([d, objects]): ResolvedFolder => ({ dir: d, objects })),
    layers: c.layers,
    sources: c.sources,
  }));
  return { name: dir, clusters: resolved, findings };
}

/**
 * Validates a dist/ tree with every check a synth runs, with the CRDs the project's cdk8s.yaml
 * names registered as a synth registers them; the result says what to print and exit with.
 * @param options.root the project folder holding cdk8s.yaml (default: the current working directory)
 * @throws OutputError when the tree is or holds a symbolic link (`assertNoLinks`)
 */
export function validateDist(dir: string, options: { readonly root?: string } = {}): DistValidation {
  const project = loadProjectSchemas(options.root ?? process.cwd());
  assertNoLinks(dir);
  const foreign = isStrataTree(dir) ? undefined : readFluxRepository(dir);
  const recorded = foreign ? [] : loadRegistrations(dir);
  const model = foreign?.model ?? readDist(dir);
  // In a Flux repository the reader checks each spec.path against the repository itself.
  const checked = checkModel(model, DEFAULT_CHECKS).filter((f) => !foreign || f.rule !== fluxPathProduced.id);
  const findings = [...project.findings, ...recorded, ...checked];
  const errors = findings.filter(isError).length;
  const totals = totalsOf(model);
  const { objects, unchecked } = totals;
  const summary = `${model.clusters.length} cluster${model.clusters.length === 1 ? '' : 's'}, ${objects} object${objects === 1 ? '' : 's'}${unchecked.length > 0 ? ` (${unchecked.length} unchecked)` : ''} in ${dir}`;
  const head = findings.length === 0 ? `strata: ${summary}: valid` : formatReport(findings, `${summary}${errors > 0 ? ': invalid' : ': valid'}`);
  const notes = (foreign?.notes ?? []).map((n) => `  note: ${n}`);
  const report = [head, ...describeUnchecked(totals.unchecked), ...notes].join('\n');
  return { findings, model, report, notes: foreign?.notes ?? [], exitCode: errors > 0 ? 1 : 0 };
}
