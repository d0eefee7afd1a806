import { Chart, type ApiObject } from 'cdk8s';
import { Construct, type IConstruct } from 'constructs';
import type { FluxLockdownOptOut } from '../gitops/lockdown.js';
import { Layer, MANAGED_BY, type LayerProps } from '../platform/layer.js';
import type { Provider, TrafficMode, TrafficPeer } from '../providers/provider.js';
import { StrataError, addCheck, show } from './errors.js';
import { DEFAULT_KUBERNETES_VERSION, kubernetesVersionProblem, type KubernetesVersion } from './kubernetes-version.js';
import { helmReleaseProblems } from './foreign.js';
import { constructId, constructIdError, dnsLabelError, nameBelow } from './names.js';
import { reservedNamespaceProblem } from './namespaces.js';
import type { Stage, StageValue } from './stage.js';
import { recordDefinition } from './source-location.js';
import { readableProps, withoutMismatches } from './props.js';

/** SOPS decryption of the secrets in a cluster's layers. */
export interface Decryption {
  /** Secret in `flux-system` holding the age or GPG private key. */
  readonly secretName: string;
}

/** A cluster of the fleet: `fleet.addCluster(name, props)`. */
export interface ClusterProps {
  /** The stage this cluster serves; picks stage-dependent values. */
  readonly stage: Stage;
  /** Cloud region or data-centre name, e.g. `eu-west-1`. */
  readonly region: string;
  /** The infrastructure profile: storage, load balancers, node autoscaling. */
  readonly provider: Provider;
  /**
   * Base DNS domain for host names on this cluster.
   * @default `<cluster name>.<fleet domain>`
   */
  readonly domain?: string;
  /**
   * SOPS decryption for every layer of this cluster.
   * @default the fleet's setting (none unless set there)
   */
  readonly decryption?: Decryption;
  /**
   * How traffic enters the cluster: through a Gateway API gateway (web services get HTTPRoutes
   * or GRPCRoutes) or an ingress controller (they get Ingresses).
   * @default the provider profile's `traffic` ('gateway' on every built-in profile)
   */
  readonly traffic?: TrafficMode;
  /**
   * Flux's multi-tenancy lockdown: strata patches the controllers `flux bootstrap` installs in
   * `clusters/<name>/flux-system/` with `--no-cross-namespace-refs=true`,
   * `--default-service-account=default` and `--no-remote-bases=true`, so a tenant's Flux objects
   * run as the tenant's ServiceAccount and stay in its namespace. Turn it off only with a reason,
   * e.g. `{ enabled: false, reason: 'Flux Operator installs Flux with multitenant: true' }`.
   * See https://fluxcd.io/flux/installation/configuration/multi-tenancy/
   * @default the lockdown is on
   */
  readonly fluxLockdown?: FluxLockdownOptOut;
  /**
   * The Kubernetes minor version the cluster runs, `'1.<minor>'` ('1.27' … '1.35'). Every object
   * of the cluster is validated against that release's API: a field or kind it does not have is
   * an error naming the release that has it, a removed API one naming its replacement
   * (docs/validation.md). It also decides what strata renders where Kubernetes offers something
   * better: from '1.29' native sidecars (`sidecars`; an error below), from '1.30' the native
   * `sleep` preStop action instead of `exec: sleep`, which needs a sleep binary in the image.
   * https://kubernetes.io/releases/
   * @default '1.33': a current release
   * @throws an error at synth for a version not in the list, naming the valid form
   */
  readonly kubernetesVersion?: KubernetesVersion;
  /**
   * Names and reconcile options of this cluster's default layers, over the fleet's
   * (`FleetProps.layers`) key by key: `{ apps: { name: 'apps' } }` here keeps the fleet's other
   * options of `apps`.
   * @default the fleet's
   */
  readonly layers?: DefaultLayers;
}

/** Options of one of the layers every cluster starts with: all of a layer's but the order. */
export interface DefaultLayerProps extends Omit<LayerProps, 'dependsOn'> {}

/**
 * Names and reconcile options of the layers every cluster starts with (`DEFAULT_LAYERS`), e.g.
 * `{ controllers: { name: 'infra-controllers' }, configs: { name: 'infra-configs' }, apps: { name: 'apps', folderPerNamespace: false } }`
 * to keep the Kustomizations of a fleet that follows Flux's example repository.
 */
export interface DefaultLayers {
  /** `infrastructure/controllers`: CRDs, controllers and their chart sources. @default Kustomization `infrastructure-controllers` */
  readonly controllers?: DefaultLayerProps;
  /** `infrastructure/configs`: the controllers' custom resources, tenants. @default Kustomization `infrastructure-configs` */
  readonly configs?: DefaultLayerProps;
  /** `apps`: a folder and a Kustomization per namespace. @default Kustomizations `apps-<namespace>`, folderPerNamespace true */
  readonly apps?: DefaultLayerProps;
}

/** The cluster's shared gateway, which routes of web services attach to. */
export interface GatewayRef {
  /** The Gateway's name and namespace. */
  readonly name: string;
  /** Namespace of the Gateway object (`parentRefs[].namespace` of the routes). */
  readonly namespace: string;
  /** Hostname of both listeners, e.g. `*.prod-eu.acme.dev`. */
  readonly hostname: string;
  /** Name (sectionName) of the plain HTTP listener. */
  readonly httpListener: string;
  /** Name of the HTTPS listener (rendered only where the gateway has a certificate); undefined where the gateway serves plain HTTP only. */
  readonly httpsListener?: string;
  /**
   * Whether cert-manager issues the HTTPS listener's wildcard certificate (its issuers then solve
   * DNS-01 for the gateway's domain); false where the gateway serves plain HTTP only or its
   * certificate Secret is provided otherwise.
   * @default true
   */
  readonly issuedCertificate?: boolean;
  /** Who carries the gateway's traffic to the pods. */
  readonly dataPlane: TrafficPeer;
}

/** The layers every cluster starts with, in reconcile order: CRDs and controllers before their objects, apps last. */
export const DEFAULT_LAYERS = ['infrastructure/controllers', 'infrastructure/configs', 'apps'] as const;

/** The key of each default layer in `DefaultLayers`. */
const DEFAULT_LAYER_KEYS: Readonly<Record<(typeof DEFAULT_LAYERS)[number], keyof DefaultLayers>> = {
  'infrastructure/controllers': 'controllers',
  'infrastructure/configs': 'configs',
  apps: 'apps',
};

/** What is wrong with a lockdown opt-out: it must say `enabled: false` and why. */
function lockdownProblem(optOut: FluxLockdownOptOut | undefined): string | undefined {
  if (optOut === undefined) return undefined;
  if (optOut.enabled !== false) return `fluxLockdown.enabled ${show(optOut.enabled)} is not false: leave fluxLockdown out to keep the lockdown on`;
  if (typeof optOut.reason !== 'string' || optOut.reason.trim() === '') return `fluxLockdown turns Flux's multi-tenancy lockdown off without a reason: say why (e.g. "Flux Operator installs Flux with multitenant: true")`;
  return undefined;
}

const LAYER_SEGMENT = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/** Whether `value` is an object with a string `name`: what a Stage and a Provider are (checked without importing them). */
function named(value: unknown): boolean {
  return typeof value === 'object' && value !== null && typeof (value as { name?: unknown }).name === 'string';
}

/**
 * Why `props` cannot make a cluster: not an object, or a required field missing or of the wrong
 * kind. `npm run synth` strips types without checking them, so a JavaScript caller, `as any` or a
 * misspelt key (`provder`) reaches here; a cluster without a stage or a provider cannot be built.
 */
export function clusterPropsProblems(props: unknown): string[] {
  if (typeof props !== 'object' || props === null || Array.isArray(props)) {
    return [`props must be an object, e.g. { stage: Stage.PRODUCTION, region: 'eu-west-1', provider: Provider.aws() }, not ${show(props)}`];
  }
  const { stage, region, provider } = props as Partial<ClusterProps>;
  return [
    ...(named(stage) ? [] : [`stage is required: Stage.DEVELOPMENT, Stage.STAGING or Stage.PRODUCTION (given: ${show(stage)})`]),
    ...(typeof region === 'string' ? [] : [`region is required: the provider's region name, e.g. "eu-west-1" (given: ${show(region)})`]),
    ...(named(provider) ? [] : [`provider is required: Provider.aws(), Provider.gcp(), Provider.azure() or Provider.onPremises() (given: ${show(provider)})`]),
  ];
}

/** One Kubernetes cluster of the fleet: its stage, region, provider and ordered layers. */
export class Cluster extends Construct {
  /**
   * Finds the cluster a construct belongs to.
   * @throws StrataError when `scope` is not inside a cluster of a Fleet
   */
  static of(scope: IConstruct): Cluster {
    for (let s: IConstruct | undefined = scope; s; s = s.node.scope) {
      if (s instanceof Cluster) return s as Cluster;
    }
    throw new StrataError(`${scope.node.path} is not inside a cluster`);
  }

  /** Cluster name, a DNS label, e.g. `prod-eu`: names its `dist/<name>/` and `dist/clusters/<name>/` folders. */
  readonly name: string;
  /** The stage the cluster serves; picks stage-dependent values. */
  readonly stage: Stage;
  /** Cloud region or data-centre name, e.g. `eu-west-1`. */
  readonly region: string;
  /** The infrastructure profile: storage, load balancers, node autoscaling. */
  readonly provider: Provider;
  /** SOPS decryption of every layer of the cluster (see `ClusterProps.decryption`). @default the fleet's setting (none unless set there) */
  readonly decryption?: Decryption;
  /** Set when the cluster does without Flux's multi-tenancy lockdown (see `ClusterProps.fluxLockdown`). */
  readonly fluxLockdown?: FluxLockdownOptOut;
  /**
   * What the platform installed on this cluster (e.g. `metrics-server`, `keda`, `cert-manager`,
   * `karpenter`): platform components add to it, workloads and autoscalers check it. Platform
   * definitions run before app definitions, so it is complete when workloads are built.
   */
  readonly capabilities = new Set<string>();
  /** ClusterIssuer that signs certificates for host names; set by the cert-manager component. */
  tlsIssuer?: string;
  /**
   * The ingress controller's pods, which a workload's NetworkPolicy admits when it is exposed
   * through an Ingress; set by the ingress controller component.
   */
  ingressPeer?: {
    /** Namespace the ingress controller's pods run in. */
    readonly namespace: string;
    /** Labels selecting the ingress controller's pods. */
    readonly podLabels: Readonly<Record<string, string>>;
  };
  /** How traffic enters the cluster (see `ClusterProps.traffic`). */
  readonly traffic: TrafficMode;
  /** The Kubernetes minor version the cluster runs (see `ClusterProps.kubernetesVersion`). */
  readonly kubernetesVersion: KubernetesVersion;
  /** The gateway web services' routes attach to; set by the gateway component (`Components.gateway()`). */
  gateway?: GatewayRef;
  private readonly _domain?: string;
  private readonly _layers: Layer[] = [];
  private readonly _apps = new Map<string, Apps>();
  private invalidLayers = 0;

  constructor(scope: Construct, name: string, props: ClusterProps & { readonly fleetDomain?: string; readonly fleetLayers?: DefaultLayers }) {
    super(scope, constructId(name));
    // Its own mistakes (props) are on the addCluster line; its workloads are written elsewhere.
    recordDefinition(this, { coversChildren: false });
    this.name = name;
    this.stage = props.stage;
    this.region = props.region;
    this.provider = props.provider;
    this.decryption = props.decryption;
    this.fluxLockdown = props.fluxLockdown;
    this.traffic = props.traffic ?? props.provider.traffic;
    // A version that is not a string is reported below; the checks that read the version get the default.
    const givenVersion = props.kubernetesVersion ?? DEFAULT_KUBERNETES_VERSION;
    this.kubernetesVersion = typeof givenVersion === 'string' ? givenVersion : DEFAULT_KUBERNETES_VERSION;
    this._domain = props.domain ?? (props.fleetDomain ? `${name}.${props.fleetDomain}` : undefined);
    // `clusters` is taken: dist/<cluster>/ would be dist/clusters/, the folder of every cluster's Flux entry point.
    const problem = constructIdError('cluster name', name) ?? dnsLabelError('cluster name', name) ?? (name === 'clusters' ? 'cluster name "clusters" is reserved: dist/clusters/ holds the Flux entry point of every cluster' : undefined);
    const traffic = this.traffic === 'gateway' || this.traffic === 'ingress' ? undefined : `traffic ${show(this.traffic)} is not "gateway" or "ingress"`;
    const lockdown = lockdownProblem(props.fluxLockdown);
    const version = kubernetesVersionProblem(givenVersion);
    addCheck(this, () => [...(problem ? [problem] : []), ...(traffic ? [traffic] : []), ...(lockdown ? [lockdown] : []), ...(version ? [version] : []), ...this.layerGraphProblems(), ...this.kustomizationNameProblems()]);
    for (const path of DEFAULT_LAYERS) {
      const key = DEFAULT_LAYER_KEYS[path];
      // Key by key, the cluster's over the fleet's; never `dependsOn`, which keeps the three in order.
      const { dependsOn: _order, ...options } = { ...props.fleetLayers?.[key], ...props.layers?.[key] } as LayerProps;
      this.addLayer(path, { folderPerNamespace: path === 'apps', ...options });
    }
  }

  /**
   * Base DNS domain of the cluster, e.g. `prod-eu.acme.dev`.
   * @throws StrataError when neither the Fleet nor the cluster sets `domain`
   */
  get domain(): string {
    if (!this._domain) throw new StrataError(`cluster ${show(this.name)} has no domain: set \`domain\` on the Fleet or on the cluster`);
    return this._domain;
  }

  /**
   * Where traffic from outside comes from, for the cluster's traffic mode: the gateway's data
   * plane, or the ingress controller's pods. Undefined until the platform provides one.
   */
  get trafficPeer(): TrafficPeer | undefined {
    return this.traffic === 'gateway' ? this.gateway?.dataPlane : this.ingressPeer;
  }

  /** The cluster's layers, in the order they were declared. */
  get layers(): readonly Layer[] {
    return this._layers;
  }

  /**
   * A layer by path; unknown paths are an error listing the known ones.
   * @throws StrataError when the cluster has no layer `path` (the message lists the layers it has)
   */
  layer(path: string): Layer {
    const found = this._layers.find((l) => l.path === path);
    if (!found) throw new StrataError(`cluster ${show(this.name)} has no layer ${show(path)} (layers: ${this._layers.map((l) => l.path).join(', ')})`);
    return found;
  }

  /** Whether the cluster has a layer at `path`, e.g. `infrastructure/configs`. */
  hasLayer(path: string): boolean {
    return this._layers.some((l) => l.path === path);
  }

  /**
   * Adds a layer, e.g. `addLayer('monitoring', { dependsOn: ['infrastructure/configs'] })`.
   * Invalid, duplicate or nested paths are reported as errors of this cluster.
   */
  addLayer(path: string, given: LayerProps = {}): Layer {
    // Options of another structure (`dependsOn: 'apps'`) are reported by fleet.addLayer; here they are left out.
    const props = withoutMismatches('LayerProps', readableProps(given));
    const dependsOn = props.dependsOn ?? (this._layers.length > 0 ? [this._layers[this._layers.length - 1].path] : []);
    const problem = this.layerPathProblem(path);
    if (problem) {
      addCheck(this, () => [problem]);
      // Keep building so every other error is found too; this layer is never rendered.
      return new Layer(new Construct(this, `invalid-layer-${this.invalidLayers++}`), 'layer', path, { ...props, dependsOn });
    }
    const segments = path.split('/');
    let parent: Construct = this;
    for (const segment of segments.slice(0, -1)) {
      parent = (parent.node.tryFindChild(segment) as Construct | undefined) ?? new Construct(parent, segment);
    }
    const layer = new Layer(parent, segments[segments.length - 1], path, { ...props, dependsOn });
    this._layers.push(layer);
    return layer;
  }

  /**
   * The scope for workloads of `namespace` in a layer (default `apps`), created on first use.
   * @throws StrataError when the cluster has no layer `layerPath`
   */
  appsIn(namespace: string, layerPath = 'apps'): Apps {
    const key = `${layerPath}\u0000${namespace}`;
    let apps = this._apps.get(key);
    if (!apps) {
      apps = new Apps(this.layer(layerPath), this, namespace);
      this._apps.set(key, apps);
    }
    return apps;
  }

  /**
   * Resolves a stage-dependent prop for this cluster.
   * @throws StrataError when a per-stage value names an unknown stage, or has no value for the cluster's stage and no `default`
   */
  resolve<T>(value: StageValue<T>): T {
    return this.stage.resolve(value);
  }

  private layerPathProblem(path: string): string | undefined {
    const segments = typeof path === 'string' ? path.split('/') : [];
    if (segments.length === 0 || segments.some((s) => !LAYER_SEGMENT.test(s) || s.length > 63 || constructIdError('', s))) {
      return `layer path ${show(path)} is invalid: use DNS-1123 labels joined by '/', e.g. "infrastructure/controllers"`;
    }
    if (this.hasLayer(path)) return `layer ${show(path)} is declared twice`;
    const nested = this._layers.find((l) => path.startsWith(`${l.path}/`) || l.path.startsWith(`${path}/`));
    if (nested) return `layer ${show(path)} and layer ${show(nested.path)} are nested: a layer folder cannot hold another layer`;
    return undefined;
  }

  /**
   * Two folders whose Kustomizations would have one name (both are `flux-system/<name>`: the one
   * applied last would replace the other), found once every layer and namespace is declared.
   */
  private kustomizationNameProblems(): string[] {
    const byName = new Map<string, string[]>();
    for (const folder of this._layers.flatMap((l) => l.folders())) byName.set(folder.fluxName, [...(byName.get(folder.fluxName) ?? []), folder.path]);
    return [...byName].filter(([, paths]) => paths.length > 1).map(([name, paths]) =>
      `folders ${paths.map(show).join(' and ')} would share the Flux Kustomization name ${show(name)}: names are unique per cluster (flux-system/${name}), give each layer its own (LayerProps.name)`,
    );
  }

  /**
   * Unknown dependencies, found once every layer is declared. Cycles are the rule
   * flux-dependency-cycle's, on the rendered Kustomizations.
   */
  private layerGraphProblems(): string[] {
    const known = new Set(this._layers.map((l) => l.path));
    const problems: string[] = [];
    for (const layer of this._layers) {
      for (const dep of layer.dependsOn) {
        if (!known.has(dep)) problems.push(`layer ${show(layer.path)} depends on unknown layer ${show(dep)} (layers: ${[...known].join(', ')})`);
      }
    }
    return problems;
  }
}

// Apps lives beside Cluster, not in a file of its own: a cluster creates its namespace scopes
// (`appsIn`) and each scope exposes its cluster, and one module holds that without an import cycle.
/**
 * The scope developers declare workloads in: one namespace of one layer of one cluster.
 * Everything declared inside lands in `namespace`, with the cluster's stage and domain at hand.
 */
export class Apps extends Chart {
  override readonly namespace: string;
  /**
   * ServiceAccount (in flux-system) Flux impersonates to apply this namespace's folder, set by
   * the tenant owning the namespace; undefined means the layer's own identity.
   */
  serviceAccountName?: string;
  /**
   * True when the tenant owning the namespace declares ServiceAccount `serviceAccountName` inside
   * the namespace itself (a tenant with a repository of its own), so a HelmApp does not declare it again.
   */
  namespaceAccountDeclared = false;

  constructor(
    scope: Construct,
    /** The cluster this namespace scope belongs to. */
    readonly cluster: Cluster,
    namespace: string,
  ) {

    super(scope, constructId(namespace), {
      namespace,
      disableResourceNameHashes: true,
      labels: { ...MANAGED_BY, 'app.kubernetes.io/part-of': namespace },
    });
    this.namespace = namespace;
    const problem = constructIdError('namespace', namespace) ?? dnsLabelError('namespace', namespace);
    // Checked at synth time, once every platform component has claimed its namespace; a tenant
    // owning the namespace reports it itself.
    addCheck(this, () => [
      problem,
      this.serviceAccountName === undefined ? reservedNamespaceProblem(cluster, namespace, `apps of namespace ${JSON.stringify(namespace)}`) : undefined,
      ...helmReleaseProblems(this),
    ].filter((p): p is string => !!p));
  }

  /**
   * The name of an object declared here without `metadata.name` (a cdk8s-plus construct, a plain
   * `ApiObject`): its construct ids below this scope, the same on every cluster (see `nameBelow`).
   */
  override generateObjectName(apiObject: ApiObject): string {
    return nameBelow(this, apiObject);
  }

  /** The cluster's stage, for stage-dependent values: `apps.stage.pick({ ... })`. */
  get stage() {
    return this.cluster.stage;
  }
}
