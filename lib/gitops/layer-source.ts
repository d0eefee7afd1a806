import { posix } from 'node:path';
import type { ApiObject } from 'cdk8s';
import type { Construct } from 'constructs';
import {
  OciRepository,
  OciRepositorySpecProvider,
  OciRepositorySpecVerifyProvider,
} from '../../imports/flux-source-oci-source.toolkit.fluxcd.io.js';
import { show } from '../fleet/errors.js';
import { dnsLabelError, dnsSubdomainError } from '../fleet/names.js';
import { fromOptions } from '../fleet/props.js';
import { MANAGED_BY } from '../fleet/labels.js';
import { BOOTSTRAP_SOURCE, FLUX_NAMESPACE, declareSource, type RepositoryProps } from './source.js';

/** A Flux source a Kustomization reads from (`spec.sourceRef`). */
export interface SourceRef {
  /** Kind of the Flux source: `GitRepository`, `OCIRepository` or `ExternalArtifact`. See https://fluxcd.io/flux/components/kustomize/kustomizations/#source-reference */
  readonly kind: 'GitRepository' | 'OCIRepository' | 'ExternalArtifact';
  /** Name of the source object. */
  readonly name: string;
  /** @default the Kustomization's own namespace */
  readonly namespace?: string;
}

/** What a layer source needs to know of the fleet it belongs to. */
export interface FleetSourceContext {
  /** The fleet's name: names the GitRepository (and, by default, the OCIRepository) strata declares. */
  readonly fleetName: string;
  /** The fleet's Git repository, when it declares one. */
  readonly repository?: RepositoryProps;
  /** Folder of dist/ inside the Git repository, e.g. `dist`. */
  readonly repositoryPath: string;
}

/** Which OCI artifact version an OCIRepository follows; exactly one of the fields. */
export interface OciArtifactRef {
  /** A tag, e.g. `latest` or `prod-eu`. */
  readonly tag?: string;
  /** A semver range of tags with an upper bound, e.g. `~1.4.0`. */
  readonly semver?: string;
  /** A digest, `sha256:<64 hex digits>`. */
  readonly digest?: string;
}

/** Keyless cosign identity an artifact's signature must carry. */
export interface OidcIdentity {
  /** Regular expression of the OIDC issuer, e.g. `^https://token.actions.githubusercontent.com$`. */
  readonly issuer: string;
  /** Regular expression of the subject, e.g. `^https://github.com/acme/fleet.*$`. */
  readonly subject: string;
}

/** Signature verification of the artifact before Flux uses it. https://fluxcd.io/flux/components/source/ocirepositories/#verification */
export interface OciVerification {
  /** Signature verification provider (`spec.verify.provider`): `cosign` or `notation`. See https://fluxcd.io/flux/components/source/ocirepositories/#verification */
  readonly provider: 'cosign' | 'notation';

  /** Secret in flux-system with the public keys (cosign) or trust policy and certificates (notation). @default none (cosign keyless) */
  readonly secretName?: string;
  /** Identities a keyless cosign signature must match. @default none */
  readonly matchOidcIdentity?: readonly OidcIdentity[];
}

/**
 * An OCI artifact holding the rendered tree: the rendered-manifests flow, where CI runs
 * `flux push artifact oci://<registry>/<repo>:<tag> --path=./dist --source=<git url> --revision=<branch>@sha1:<commit>`
 * and the clusters follow the artifact instead of Git.
 * https://fluxcd.io/flux/cheatsheets/oci-artifacts/
 */
export interface OciLayerSourceProps {
  /** `oci://<registry>/<repository>`, without tag. */
  readonly url: string;
  /** The version to follow. */
  readonly ref: OciArtifactRef;
  /**
   * Name of the OCIRepository strata declares in flux-system.
   * @default the fleet's name
   */
  readonly name?: string;
  /** How often Flux looks for a new version (a Go duration). @default '1m' */
  readonly interval?: string;
  /** Cloud identity Flux pulls with. @default not rendered (Flux: 'generic', i.e. secretName or anonymous) */
  readonly provider?: 'generic' | 'aws' | 'azure' | 'gcp';
  /** Secret in flux-system (type kubernetes.io/dockerconfigjson) with the registry credentials. @default none */
  readonly secretName?: string;
  /** ServiceAccount in flux-system whose image pull secrets Flux uses. @default none */
  readonly serviceAccountName?: string;
  /** Verify the artifact's signature. @default none */
  readonly verify?: OciVerification;
  /**
   * Folder of the artifact that holds the rendered tree (what `npm run synth` writes), e.g. `dist`
   * when CI pushed the repository root.
   * @default '' (the artifact is the rendered tree: `flux push artifact --path=./dist`)
   */
  readonly root?: string;
}

/**
 * An ExternalArtifact (`source.toolkit.fluxcd.io/v1`, Flux 2.7) holding the rendered tree, e.g.
 * produced by an ArtifactGenerator (`source.extensions.fluxcd.io/v1beta1`) from the fleet's
 * repository. strata declares neither: it references the artifact, and a synth fails unless the
 * cluster declares an ArtifactGenerator with an output artifact of that name (or the ExternalArtifact itself).
 * https://fluxcd.io/flux/components/source/externalartifacts/
 */
export interface ExternalArtifactSourceProps {
  /** Name of the ExternalArtifact (an ArtifactGenerator's `spec.artifacts[].name`). */
  readonly name: string;
  /** @default 'flux-system' (anything else is refused under Flux's lockdown) */
  readonly namespace?: string;
  /**
   * Folder of the artifact that holds the rendered tree, e.g. `dist` when the generator copies
   * the whole repository (`from: '@repo/**'`).
   * @default '' (the artifact is the rendered tree: `from: '@repo/dist/**'`, `to: '@artifact/'`)
   */
  readonly root?: string;
}

const OCI_DIGEST = /^sha256:[a-f0-9]{64}$/;
/** The OCI distribution spec's tag grammar. https://github.com/opencontainers/distribution-spec/blob/main/spec.md#pulling-manifests */
const OCI_TAG = /^[A-Za-z0-9_][A-Za-z0-9._-]{0,127}$/;
const ROOT_SEGMENT = /^[A-Za-z0-9_][A-Za-z0-9._-]*$/;

function rootProblem(root: string | undefined): string | undefined {
  if (root === undefined || root === '') return undefined;
  if (typeof root !== 'string' || root.split('/').some((s) => !ROOT_SEGMENT.test(s))) {
    return `root ${show(root)} is not a relative folder (segments of letters, digits, '.', '_' and '-', none starting with '.')`;
  }
  return undefined;
}

/** `./<root>/<dir>`, the path of a folder of the rendered tree inside an artifact. */
function inArtifact(root: string | undefined, dir: string): string {
  return `./${posix.join(root ?? '', dir)}`;
}

/**
 * Where a layer's Kustomization reads its folder from: the fleet's Git repository (the default),
 * an OCI artifact of the rendered tree, or a Flux ExternalArtifact.
 * https://fluxcd.io/flux/components/kustomize/kustomizations/#source-reference
 */
export abstract class LayerSource {
  /** The fleet's GitRepository (or `flux-system`'s, when the fleet declares no repository): the default. */
  static fleetRepository(): LayerSource {
    return new FleetRepositorySource();
  }

  /**
   * An OCIRepository strata declares in flux-system (in `clusters/<cluster>/layers.yaml`).
   * @throws nothing: problems (a URL that is not `oci://`, not exactly one ref, an invalid name) are synth errors of the layer
   */
  static ociRepository(props: OciLayerSourceProps): LayerSource {
    return fromOptions('OciLayerSourceProps', props, 'LayerSource.ociRepository(...)', (props) => new OciRepositorySource(props), "{ url: 'oci://ghcr.io/acme/platform', ref: { tag: '1.2.0' } }");
  }

  /**
   * An ExternalArtifact the cluster's ArtifactGenerator produces; strata references it only.
   * @throws nothing: an invalid name or root is a synth error of the layer, a missing artifact one of the rule flux-source-exists
   */
  static externalArtifact(props: ExternalArtifactSourceProps): LayerSource {
    return fromOptions('ExternalArtifactSourceProps', props, 'LayerSource.externalArtifact(...)', (props) => new ExternalArtifactSource(props), "{ name: 'platform', namespace: 'flux-system' }");
  }

  /** The Kustomization's `spec.sourceRef`. */
  abstract sourceRef(fleet: FleetSourceContext): SourceRef;

  /** The Kustomization's `spec.path` for folder `dir` of the rendered tree (`<cluster>/<layer folder>`). */
  abstract pathOf(fleet: FleetSourceContext, dir: string): string;

  /** Declares the source object strata owns, if any, in `scope` (the cluster's Flux objects). */
  abstract declare(scope: Construct, fleet: FleetSourceContext): ApiObject | undefined;

  /** What is wrong with the source's props, as messages. */
  abstract problems(): string[];

  /**
   * Whether `other` declares the same object: two layers may share one source, but two different
   * sources of one kind and name would be one object declared twice.
   */
  abstract sameAs(other: LayerSource): boolean;
}

class FleetRepositorySource extends LayerSource {
  sourceRef(fleet: FleetSourceContext): SourceRef {
    return { kind: 'GitRepository', name: fleet.repository ? fleet.fleetName : BOOTSTRAP_SOURCE };
  }

  pathOf(fleet: FleetSourceContext, dir: string): string {
    return `./${fleet.repositoryPath}/${dir}`;
  }

  declare(scope: Construct, fleet: FleetSourceContext): ApiObject | undefined {
    return fleet.repository ? declareSource(scope, fleet.fleetName, fleet.repository, fleet.repositoryPath) : undefined;
  }

  problems(): string[] {
    return [];
  }

  sameAs(other: LayerSource): boolean {
    return other instanceof FleetRepositorySource;
  }
}

class OciRepositorySource extends LayerSource {
  constructor(private readonly props: OciLayerSourceProps) {
    super();
  }

  sourceRef(fleet: FleetSourceContext): SourceRef {
    return { kind: 'OCIRepository', name: this.props.name ?? fleet.fleetName };
  }

  pathOf(_fleet: FleetSourceContext, dir: string): string {
    return inArtifact(this.props.root, dir);
  }

  declare(scope: Construct, fleet: FleetSourceContext): ApiObject {
    const { url, ref, interval, provider, secretName, serviceAccountName, verify } = this.props;
    const name = this.sourceRef(fleet).name;
    return new OciRepository(scope, `OCIRepository-${name}`, {
      metadata: { name, namespace: FLUX_NAMESPACE, labels: { ...MANAGED_BY } },
      spec: {
        interval: interval ?? '1m',
        url,
        ref: { tag: ref?.tag, semver: ref?.semver, digest: ref?.digest },
        provider: provider as OciRepositorySpecProvider | undefined,
        secretRef: secretName ? { name: secretName } : undefined,
        serviceAccountName,
        verify: verify
          ? {
            provider: verify.provider as OciRepositorySpecVerifyProvider,
            secretRef: verify.secretName ? { name: verify.secretName } : undefined,
            matchOidcIdentity: verify.matchOidcIdentity?.map((m) => ({ issuer: m.issuer, subject: m.subject })),
          }
          : undefined,
      },
    });
  }

  /**
   * What the OCIRepository's schema and the rules over it do not say: a tag in the URL, not
   * exactly one ref, a malformed digest or tag, an invalid secret name or root. (The URL scheme,
   * the provider enums, the name and the ServiceAccount are checked on the rendered object.)
   */
  problems(): string[] {
    const { url, ref, secretName } = this.props;
    const problems: (string | undefined)[] = [];
    if (typeof url === 'string' && url.startsWith('oci://') && (!/^oci:\/\/[^/\s]+\/\S+$/.test(url) || /[:@]/.test(url.slice('oci://'.length).split('/').slice(1).join('/')))) {
      problems.push(`url ${show(url)} is not an OCI repository URL without tag: oci://<registry>/<repository>, e.g. "oci://ghcr.io/acme/fleet" (the version goes in ref)`);
    }
    const refs = ['tag', 'semver', 'digest'].filter((k) => (ref as Record<string, unknown> | undefined)?.[k] !== undefined);
    if (refs.length !== 1) {
      problems.push(`ref ${show(ref)} must set exactly one of tag, semver or digest${refs.length > 1 ? ` (it sets ${refs.join(', ')})` : ''}`);
    } else if (ref.digest !== undefined && !OCI_DIGEST.test(ref.digest)) {
      problems.push(`ref.digest ${show(ref.digest)} is not a digest: sha256:<64 lowercase hex digits>`);
    } else if (ref.tag !== undefined && !OCI_TAG.test(ref.tag)) {
      problems.push(`ref.tag ${show(ref.tag)} is not an OCI tag (letters, digits, '_', '.' and '-', at most 128, not starting with '.' or '-')`);
    }
    if (secretName !== undefined) problems.push(dnsSubdomainError('secretName', secretName));
    problems.push(rootProblem(this.props.root));
    return problems.filter((p): p is string => p !== undefined);
  }

  sameAs(other: LayerSource): boolean {
    return other instanceof OciRepositorySource && JSON.stringify(canonical(other.props)) === JSON.stringify(canonical(this.props));
  }
}

class ExternalArtifactSource extends LayerSource {
  constructor(private readonly props: ExternalArtifactSourceProps) {
    super();
  }

  sourceRef(): SourceRef {
    const { name, namespace } = this.props;
    return { kind: 'ExternalArtifact', name, namespace: namespace === undefined || namespace === FLUX_NAMESPACE ? undefined : namespace };
  }

  pathOf(_fleet: FleetSourceContext, dir: string): string {
    return inArtifact(this.props.root, dir);
  }

  declare(): undefined {
    return undefined;
  }

  problems(): string[] {
    const { name, namespace } = this.props;
    return [
      dnsSubdomainError('name', name),
      namespace === undefined ? undefined : dnsLabelError('namespace', namespace),
      rootProblem(this.props.root),
    ].filter((p): p is string => p !== undefined);
  }

  sameAs(other: LayerSource): boolean {
    return other instanceof ExternalArtifactSource;
  }
}

/** A value with object keys sorted, so two equal props compare equal whatever their key order. */
function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(Object.keys(value).sort().map((k) => [k, canonical((value as Record<string, unknown>)[k])]));
}
