import { Construct } from 'constructs';
import { GitRepository } from '../../imports/flux-source-git-source.toolkit.fluxcd.io.js';
import { MANAGED_BY } from '../fleet/labels.js';

/** The Git repository the fleet's dist/ is committed to. */
export interface RepositoryProps {
  /** Clone URL, e.g. `ssh://git@github.com/acme/fleet.git`. */
  readonly url: string;
  /** Branch Flux follows. @default 'main' */
  readonly branch?: string;
  /**
   * Secret in `flux-system` with the credentials Flux clones with.
   * @default 'flux-system' (the deploy key `flux bootstrap` creates) for ssh URLs, none otherwise
   */
  readonly secretName?: string;
  /** How often Flux polls the repository. @default '1m' */
  readonly interval?: string;
}

/** Flux's bootstrap GitRepository, which layer Kustomizations use when the fleet declares no repository. */
export const BOOTSTRAP_SOURCE = 'flux-system';
export const FLUX_NAMESPACE = 'flux-system';

/**
 * Declares the fleet's GitRepository on a cluster. It fetches only the dist/ folder, so a change
 * elsewhere in the repository (code, docs) never triggers a reconcile.
 */
export function declareSource(scope: Construct, name: string, repo: RepositoryProps, distPath: string): GitRepository {
  const secretName = repo.secretName ?? (repo.url.startsWith('ssh://') || repo.url.startsWith('git@') ? BOOTSTRAP_SOURCE : undefined);
  return new GitRepository(scope, name, {
    metadata: { name, namespace: FLUX_NAMESPACE, labels: { ...MANAGED_BY } },
    spec: {
      interval: repo.interval ?? '1m',
      url: repo.url,
      ref: { branch: repo.branch ?? 'main' },
      secretRef: secretName ? { name: secretName } : undefined,
      ignore: `/*\n!/${distPath}/\n`,
    },
  });
}
