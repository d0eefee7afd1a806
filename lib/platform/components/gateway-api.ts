import { Construct } from 'constructs';
import { GitRepository } from '../../../imports/flux-source-git-source.toolkit.fluxcd.io.js';
import { Kustomization, KustomizationSpecSourceRefKind } from '../../../imports/flux-kustomize-kustomize.toolkit.fluxcd.io.js';
import { Capability } from '../../fleet/capabilities.js';
import { Cluster } from '../../fleet/cluster.js';
import { addCheck, show } from '../../fleet/errors.js';
import { constructId, constructIdError, dnsLabelError } from '../../fleet/names.js';
import { durationProblem } from '../../gitops/helm-release.js';
import { KUSTOMIZE_CONTROLLER } from '../../gitops/lockdown.js';
import { FLUX_NAMESPACE } from '../../gitops/source.js';
import { provideCapability, type IComponent } from '../component.js';
import { Layer, MANAGED_BY } from '../layer.js';
import type { Platform } from '../platform.js';

/** The Gateway API release whose standard-channel CRDs strata installs, matching the bindings in imports/. */
export const GATEWAY_API_RELEASE = {
  /** Git repository of the Gateway API project, read by a Flux GitRepository. See https://gateway-api.sigs.k8s.io/guides/#installing-gateway-api */
  repository: 'https://github.com/kubernetes-sigs/gateway-api',
  /** The release tag strata pins. */
  version: 'v1.6.1',
  /** Folder of the repository holding the standard-channel CRDs. */
  path: 'config/crd/standard',
} as const;


/** The options of the Gateway API CRDs component. */
export interface GatewayApiProps {
  /** Release tag of kubernetes-sigs/gateway-api. @default 'v1.6.1' */
  readonly version?: string;
  /** Names the GitRepository and the Kustomization applying the CRDs (in flux-system). @default 'gateway-api' */
  readonly name?: string;
  /** The Git repository to fetch from, e.g. a mirror (https:// or ssh://). @default 'https://github.com/kubernetes-sigs/gateway-api' */
  readonly repository?: string;
  /** How often source-controller fetches the tag, a Go duration. @default '12h' */
  readonly sourceInterval?: string;
  /** How often kustomize-controller re-applies the CRDs, a Go duration. @default '1h' */
  readonly interval?: string;
  /** How long kustomize-controller waits for the CRDs to be established, a Go duration. @default '5m' */
  readonly timeout?: string;
}

const RELEASE_TAG = /^v\d+\.\d+\.\d+$/;

/**
 * The Gateway API CRDs (standard channel), straight from the upstream repository at a release
 * tag: a GitRepository fetching only `config/crd/standard/`, applied by a Flux Kustomization with
 * `prune: false`, so deleting the component never deletes the CRDs and every route with them.
 * Chosen over a Helm chart (the project publishes none) and over an OCI artifact of the release
 * manifest (none is published either): Flux reads the tag and nothing else.
 */
export class GatewayApi implements IComponent {
  readonly name: string;

  constructor(private readonly props: GatewayApiProps = {}) {
    this.name = props.name ?? 'gateway-api';
  }

  /** @throws StrataError when another component already provides the same capability on the cluster (only one of them may be installed) */
  install(platform: Platform): void {
    const scope = new Construct(platform.controllers, constructId(this.name));
    const version = this.props.version ?? GATEWAY_API_RELEASE.version;
    const repository = this.props.repository ?? GATEWAY_API_RELEASE.repository;
    const { interval, sourceInterval, timeout } = this.props;
    const problems = [
      RELEASE_TAG.test(version) ? undefined : `gateway-api version ${show(version)} is not a release tag of ${repository} (e.g. "${GATEWAY_API_RELEASE.version}")`,
      constructIdError('gateway-api name', this.name) ?? dnsLabelError('gateway-api name', this.name),
      /^(https|ssh):\/\/[^\s/]+/.test(repository) ? undefined : `gateway-api repository ${show(repository)} is not an https:// or ssh:// Git URL`,
      durationProblem('sourceInterval', sourceInterval),
      durationProblem('interval', interval),
      durationProblem('timeout', timeout),
    ].filter((p): p is string => p !== undefined);
    addCheck(scope, () => problems);
    provideCapability(Cluster.of(scope), Capability.GATEWAY_API, this.name, Layer.containing(scope));
    // Broken options would only come back as schema errors of the objects: they are not rendered.
    if (problems.length > 0) return;
    const metadata = { name: this.name, namespace: FLUX_NAMESPACE, labels: { ...MANAGED_BY, 'app.kubernetes.io/part-of': this.name } };
    new GitRepository(scope, 'source', {
      metadata,
      spec: {
        interval: sourceInterval ?? '12h',
        url: repository,
        ref: { tag: version },
        // Re-include the CRD folder one level at a time: a folder left excluded hides everything below it.
        ignore: ['/*', '!/config/', '/config/*', '!/config/crd/', '/config/crd/*', `!/${GATEWAY_API_RELEASE.path}/`, ''].join('\n'),
      },
    });
    new Kustomization(scope, 'crds', {
      metadata,
      spec: {
        interval: interval ?? '1h',
        retryInterval: '2m',
        timeout: timeout ?? '5m',
        // CRDs outlive the component: pruning them would delete every Gateway and route in the cluster.
        prune: false,
        wait: true,
        path: `./${GATEWAY_API_RELEASE.path}`,
        serviceAccountName: KUSTOMIZE_CONTROLLER,
        sourceRef: { kind: KustomizationSpecSourceRefKind.GIT_REPOSITORY, name: this.name },
      },
    });
  }
}
