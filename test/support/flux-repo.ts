// What Flux applies from a repository strata did not write, built with the real kustomize: the
// bootstrap Kustomization of `clusters/<cluster>/`, then every Flux Kustomization it applies
// (and those they apply), each folder built the way kustomize-controller builds it.
// https://fluxcd.io/flux/components/kustomize/kustomizations/#path
import { cpSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { parseAllDocuments, stringify } from 'yaml';
import type { Manifest } from '../../lib/index.js';
import { kustomizeBuild } from './kubectl.js';

/** An object Flux applies, with the Flux Kustomization whose inventory holds it. */
export interface AppliedObject {
  readonly manifest: Manifest;
  /** Name of the Flux Kustomization (in flux-system) that applies it; `flux-system` for the bootstrap one. */
  readonly owner: string;
}

const FLUX_KUSTOMIZE_API = 'kustomize.toolkit.fluxcd.io';

const KUSTOMIZATION_FILES = ['kustomization.yaml', 'kustomization.yml', 'Kustomization'];

function isFluxKustomization(m: Manifest): boolean {
  return m.kind === 'Kustomization' && m.apiVersion.startsWith(`${FLUX_KUSTOMIZE_API}/`);
}

/** Parses `kustomize build` output into manifests. */
export function parseManifests(text: string): Manifest[] {
  return parseAllDocuments(text).map((d) => d.toJS() as Manifest).filter((m) => m && typeof m.kind === 'string');
}

function hasKustomization(dir: string): boolean {
  return KUSTOMIZATION_FILES.some((f) => existsSync(join(dir, f)));
}

/**
 * What kustomize-controller lists when a path holds no kustomization.yaml: every sub-folder that
 * holds one (not descended into) and every YAML file of Kubernetes objects below the path.
 */
function generatedResources(dir: string, base = dir): string[] {
  const found: string[] = [];
  for (const entry of readdirSync(dir).sort()) {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) {
      if (hasKustomization(path)) found.push(relative(base, path));
      else found.push(...generatedResources(path, base));
    } else if (/\.ya?ml$/.test(entry) && parseManifests(readFileSync(path, 'utf8')).some((m) => m.apiVersion)) {
      found.push(relative(base, path));
    }
  }
  return found;
}

/**
 * Builds one Flux Kustomization's `spec.path` of `repo` (a scratch copy: a generated
 * kustomization.yaml is written into it, as kustomize-controller does in its own checkout), with
 * `spec.patches` and `spec.targetNamespace` laid over it by a kustomization around it.
 */
function buildFluxPath(repo: string, spec: FluxPathSpec): Manifest[] {
  const dir = join(repo, spec.path);
  if (!hasKustomization(dir)) {
    writeFileSync(join(dir, 'kustomization.yaml'), stringify({ apiVersion: 'kustomize.config.k8s.io/v1beta1', kind: 'Kustomization', resources: generatedResources(dir) }));
  }
  const wrapper = mkdtempSync(join(repo, '.flux-build-'));
  const kustomization = {
    apiVersion: 'kustomize.config.k8s.io/v1beta1',
    kind: 'Kustomization',
    resources: [relative(wrapper, dir)],
    ...(spec.patches ? { patches: spec.patches } : {}),
    ...(spec.targetNamespace ? { namespace: spec.targetNamespace } : {}),
  };
  writeFileSync(join(wrapper, 'kustomization.yaml'), stringify(kustomization));
  return parseManifests(kustomizeBuild(wrapper));
}

interface FluxPathSpec {
  readonly path: string;
  readonly patches?: unknown[];
  readonly targetNamespace?: string;
}

/**
 * Everything Flux applies on a cluster bootstrapped with `flux bootstrap --path=<clusterPath>`:
 * the bootstrap Kustomization `flux-system` builds `clusterPath`, and each Flux Kustomization it
 * applies builds its own path in turn (every one reads the bootstrap GitRepository here).
 */
export function appliedObjects(repo: string, clusterPath: string): AppliedObject[] {
  const copy = mkdtempSync(join(tmpdir(), 'strata-flux-repo-'));
  try {
    cpSync(repo, copy, { recursive: true });
    const applied: AppliedObject[] = [];
    const queue: { owner: string; spec: FluxPathSpec }[] = [{ owner: 'flux-system', spec: { path: clusterPath } }];
    const seen = new Set<string>();
    while (queue.length > 0) {
      const { owner, spec } = queue.shift()!;
      for (const manifest of buildFluxPath(copy, spec)) {
        applied.push({ manifest, owner });
        const name = manifest.metadata.name;
        if (isFluxKustomization(manifest) && name !== 'flux-system' && !seen.has(name)) {
          seen.add(name);
          queue.push({ owner: name, spec: manifest.spec as unknown as FluxPathSpec });
        }
      }
    }
    return applied;
  } finally {
    rmSync(copy, { recursive: true, force: true });
  }
}
