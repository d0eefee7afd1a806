// A tenant that owns its repository, as in Flux's multi-tenancy model
// (https://github.com/fluxcd/flux2-multi-tenancy, tenants/base/<tenant>/sync.yaml): a source and a
// Kustomization in the tenant's namespace, reconciled as the tenant's ServiceAccount of that
// namespace, so under `--no-cross-namespace-refs` the tenant reads only its own source and
// changes only what its ServiceAccount may.
import type { Construct } from 'constructs';
import { Kustomization, KustomizationSpecSourceRefKind } from '../../imports/flux-kustomize-kustomize.toolkit.fluxcd.io.js';
import { GitRepository } from '../../imports/flux-source-git-source.toolkit.fluxcd.io.js';
import { OciRepository } from '../../imports/flux-source-oci-source.toolkit.fluxcd.io.js';
import { show } from '../fleet/errors.js';
import { fluxDurationError } from '../fleet/duration.js';
import { dnsLabelError, dnsSubdomainError } from '../fleet/names.js';

/**
 * The tenant's own repository, which Flux reconciles into the tenant's namespace as the tenant.
 * A Git repository (`https://`, `http://` or `ssh://` URL, a GitRepository) or an OCI artifact
 * (`oci://` URL, an OCIRepository, e.g. pushed with `flux push artifact`).
 * https://fluxcd.io/flux/components/source/gitrepositories/ ·
 * https://fluxcd.io/flux/components/source/ocirepositories/ ·
 * https://fluxcd.io/flux/components/kustomize/kustomizations/
 */
export interface TenantRepositoryProps {
  /** Where the tenant's manifests are: `https://github.com/acme/dev-team`, `ssh://git@github.com/acme/dev-team.git` or `oci://ghcr.io/acme/dev-team-manifests`. */
  readonly url: string;
  /** Git branch Flux follows. @default 'main' for a Git repository given no tag, semver or commit; not for OCI */
  readonly branch?: string;
  /** Git tag or OCI artifact tag. @default none (for OCI, 'latest' when no semver or digest is given) */
  readonly tag?: string;
  /** Semver range of Git tags or OCI tags, e.g. `'>=1.0.0 <2.0.0'`; takes precedence over tag and branch. @default none */
  readonly semver?: string;
  /** Git commit SHA (40 or 64 hex digits) to pin to; Git only. @default none */
  readonly commit?: string;
  /** OCI artifact digest, e.g. `sha256:<64 hex digits>`, to pin to; OCI only. @default none */
  readonly digest?: string;
  /**
   * Secret in the tenant's namespace with the credentials Flux reads the source with (a deploy
   * key or token for Git, registry credentials for OCI); the platform or the tenant creates it.
   * @default none: a public source
   */
  readonly secretName?: string;
  /** How often Flux polls the source for a new revision, a Go duration. @default '1m' */
  readonly interval?: string;
  /** Folder inside the source that Flux applies, relative to its root, e.g. `'./staging'`. @default './' (the root) */
  readonly path?: string;
  /** How often Flux re-applies the folder, correcting drift, a Go duration. @default '5m' (as the Flux multi-tenancy example) */
  readonly syncInterval?: string;
  /** How long Flux waits for an apply to finish, a Go duration. @default Flux's: the sync interval */
  readonly timeout?: string;
  /** Delete objects that are no longer in the source. @default true */
  readonly prune?: boolean;
  /** Name of the GitRepository (or OCIRepository) and of the Kustomization. @default the tenant's name */
  readonly name?: string;
}

/** What the sync objects of a tenant's repository are declared with. */
export interface TenantSync {
  /** The tenant's namespace: where the objects live and what they apply into (`targetNamespace`). */
  readonly namespace: string;
  /** The ServiceAccount of that namespace the Kustomization runs as. */
  readonly serviceAccountName: string;
  /** The tenant's name: the default name of the objects. */
  readonly tenant: string;
}

const GIT_URL = /^(https?|ssh):\/\/[^\s]+$/;
const OCI_URL = /^oci:\/\/[^\s]+$/;
const COMMIT = /^([0-9a-f]{40}|[0-9a-f]{64})$/;
const DIGEST = /^[a-z0-9]+([+._-][a-z0-9]+)*:[0-9a-f]{32,}$/;
const PATH_SEGMENT = /^[A-Za-z0-9_.-]+$/;

/** Whether the repository is an OCI artifact (read by an OCIRepository) rather than a Git repository. */
function isOci(props: TenantRepositoryProps): boolean {
  return typeof props.url === 'string' && props.url.startsWith('oci://');
}

/** Why `path` is no folder inside the source: `./`, or relative segments without `..`. */
function pathError(path: string): string | undefined {
  const segments = typeof path === 'string' ? path.replace(/^\.\//, '').replace(/\/+$/, '').split('/').filter((s) => s !== '' && s !== '.') : undefined;
  if (segments === undefined || path.startsWith('/') || segments.some((s) => s === '..' || !PATH_SEGMENT.test(s))) {
    return `repository.path ${show(path)} is not a folder inside the repository: use a relative path of letters, digits, '.', '_' and '-' without "..", e.g. "./staging" (or "./" for the root)`;
  }
  return undefined;
}

/** Every problem of a tenant's repository props, each naming the field, the value and what is valid. */
export function tenantRepositoryProblems(props: TenantRepositoryProps, tenant: string): string[] {
  const at = (problem: string | undefined): string[] => (problem === undefined ? [] : [`tenant ${show(tenant)}: ${problem}`]);
  const oci = isOci(props);
  const problems: string[] = [];
  // A url left out is the props check's to report (`repository.url is required`).
  if (props.url !== undefined && (typeof props.url !== 'string' || !(GIT_URL.test(props.url) || OCI_URL.test(props.url)))) {
    problems.push(...at(`repository.url ${show(props.url)} is not a Flux source URL: use https://, http:// or ssh:// for a Git repository (e.g. "ssh://git@github.com/acme/dev-team.git") or oci:// for an OCI artifact (e.g. "oci://ghcr.io/acme/dev-team")`));
  }
  if (oci && props.branch !== undefined) problems.push(...at(`repository.branch ${show(props.branch)} is for Git repositories: an OCI artifact is chosen by tag, semver or digest`));
  if (oci && props.commit !== undefined) problems.push(...at(`repository.commit ${show(props.commit)} is for Git repositories: pin an OCI artifact by digest`));
  if (!oci && props.digest !== undefined) problems.push(...at(`repository.digest ${show(props.digest)} is for OCI artifacts: pin a Git repository by commit`));
  if (props.commit !== undefined && !COMMIT.test(String(props.commit))) problems.push(...at(`repository.commit ${show(props.commit)} is not a commit SHA: 40 (SHA-1) or 64 (SHA-256) lowercase hex digits`));
  if (props.digest !== undefined && !DIGEST.test(String(props.digest))) problems.push(...at(`repository.digest ${show(props.digest)} is not an OCI digest: "<algorithm>:<hex>", e.g. "sha256:" and 64 hex digits`));
  for (const field of ['branch', 'tag', 'semver'] as const) {
    const value = props[field];
    if (value !== undefined && (typeof value !== 'string' || value.trim() === '')) problems.push(...at(`repository.${field} ${show(value)} is empty or not text: leave it out or give a ${field}`));
  }
  if (props.secretName !== undefined) problems.push(...at(dnsSubdomainError('repository.secretName', props.secretName)));
  if (props.name !== undefined) problems.push(...at(dnsLabelError('repository.name', props.name)));
  if (props.path !== undefined) problems.push(...at(pathError(props.path)));
  for (const field of ['interval', 'syncInterval', 'timeout'] as const) {
    if (props[field] !== undefined) problems.push(...at(fluxDurationError(`repository.${field}`, props[field])));
  }
  if (props.prune !== undefined && typeof props.prune !== 'boolean') problems.push(...at(`repository.prune ${show(props.prune)} is not true or false`));
  return problems;
}

/** The Git reference Flux checks out: what is given, else the `main` branch. */
function gitRef(props: TenantRepositoryProps): Record<string, string> {
  const ref = { branch: props.branch, tag: props.tag, semver: props.semver, commit: props.commit };
  const given = Object.fromEntries(Object.entries(ref).filter(([, v]) => v !== undefined)) as Record<string, string>;
  return Object.keys(given).length > 0 ? given : { branch: 'main' };
}

/** The OCI reference Flux pulls: what is given, else the `latest` tag. */
function ociRef(props: TenantRepositoryProps): Record<string, string> {
  const ref = { tag: props.tag, semver: props.semver, digest: props.digest };
  const given = Object.fromEntries(Object.entries(ref).filter(([, v]) => v !== undefined)) as Record<string, string>;
  return Object.keys(given).length > 0 ? given : { tag: 'latest' };
}

/**
 * Declares, in `scope` (the tenant's namespace scope), the tenant's source and the Kustomization
 * applying `path` of it into the tenant's namespace as the tenant's ServiceAccount of that namespace.
 * Both live in the tenant's namespace and refer to nothing outside it. Call only with props
 * `tenantRepositoryProblems` found nothing wrong with.
 */
export function declareTenantRepository(scope: Construct, props: TenantRepositoryProps, sync: TenantSync): void {
  const name = props.name ?? sync.tenant;
  const metadata = { name, namespace: sync.namespace, labels: { 'toolkit.fluxcd.io/tenant': sync.tenant } };
  const secretRef = props.secretName !== undefined ? { name: props.secretName } : undefined;
  const interval = props.interval ?? '1m';
  let kind: KustomizationSpecSourceRefKind;
  if (isOci(props)) {
    kind = KustomizationSpecSourceRefKind.OCI_REPOSITORY;
    new OciRepository(scope, 'tenant-repository', { metadata, spec: { interval, url: props.url, ref: ociRef(props), secretRef } });
  } else {
    kind = KustomizationSpecSourceRefKind.GIT_REPOSITORY;
    new GitRepository(scope, 'tenant-repository', { metadata, spec: { interval, url: props.url, ref: gitRef(props), secretRef } });
  }
  new Kustomization(scope, 'tenant-sync', {
    metadata,
    spec: {
      interval: props.syncInterval ?? '5m',
      timeout: props.timeout,
      path: props.path ?? './',
      prune: props.prune ?? true,
      sourceRef: { kind, name },
      serviceAccountName: sync.serviceAccountName,
      targetNamespace: sync.namespace,
    },
  });
}
