import { ApiObject, App, Chart } from 'cdk8s';
import type { IConstruct } from 'constructs';
import { performance } from 'node:perf_hooks';
import { declareLayerSync, syncDependsOn } from '../gitops/layer-sync.js';
import { LayerSource, type FleetSourceContext } from '../gitops/layer-source.js';
import type { RepositoryProps } from '../gitops/source.js';
import type { LayerProps } from '../platform/layer.js';
import { checkCapabilities } from '../platform/ordering.js';
import { Platform } from '../platform/platform.js';
import { settleApps, settlePlatform } from '../platform/settle.js';
import type { ExternalNamespaceRecord, FleetModel, Manifest, ResolvedCluster, ResolvedObject } from '../synth/model.js';
import { trackChanges } from '../plan/synth-summary.js';
import { layoutFiles } from '../synth/layout.js';
import { DEFAULT_CHECKS, describeUnchecked, renderModel, summarize, validateModel, type ModelCheck, type PhaseTimings, type Rendered } from '../synth/pipeline.js';
import { NO_PROGRESS, Progress, colorsFor } from '../synth/terminal.js';
import { inShard, parseShard, type Shard } from '../synth/shard.js';
import { EXIT, OutputError, isBootstrapped, writeTree } from '../synth/writer.js';
import { loadProjectSchemas } from '../validate/project.js';
import { applyWaivers } from '../validate/waivers.js';
import { Cluster, type Apps, type ClusterProps, type Decryption, type DefaultLayers } from './cluster.js';
import { StrataError, SynthError, addCheck, describeError, formatReport, show, type Finding } from './errors.js';
import { resolutionOf, withResolutionCache } from './manifests.js';
import { applyWhenBuilt } from './when-built.js';
import { dnsLabelError, repositoryPathError } from './names.js';
import { externalNamespacesOf } from './namespaces.js';
import { PlainKeysResolver } from './plain-keys.js';
import { StageResolver, unresolvedStageValues } from './stage.js';
import { propsProblems } from './props.js';
import { definitionAt, userFrame } from './source-location.js';

/** The fleet: `new Fleet(props)`. */
export interface FleetProps {
  /** Fleet name; names the GitRepository strata declares. */
  readonly name: string;
  /**
   * The repository dist/ is committed to. When set, every cluster gets a GitRepository of that
   * name reading only dist/, and the layers reconcile from it.
   * @default none: layers reconcile from the `flux-system` GitRepository `flux bootstrap` creates
   */
  readonly repository?: RepositoryProps;
  /**
   * Folder of the synthesized output inside the repository, as Flux paths see it.
   * @default 'dist'
   */
  readonly repositoryPath?: string;
  /**
   * Base domain; each cluster's domain defaults to `<cluster>.<domain>`.
   * @default none: clusters must set their own domain if anything asks for it
   */
  readonly domain?: string;
  /**
   * SOPS decryption for every cluster (a cluster may override it).
   * @default no decryption
   */
  readonly decryption?: Decryption;
  /**
   * Names and reconcile options of the layers every cluster starts with (a cluster may override
   * them, see `ClusterProps.layers`), e.g. `{ controllers: { name: 'infra-controllers' } }`.
   * @default Kustomizations `infrastructure-controllers`, `infrastructure-configs`, `apps-<namespace>` with strata's reconcile defaults
   */
  readonly layers?: DefaultLayers;
  /**
   * Where every layer reads its folder from unless it names its own (`LayerProps.source`), e.g.
   * `LayerSource.ociRepository({ url: 'oci://ghcr.io/acme/fleet', ref: { tag: 'latest' } })`
   * for the rendered-manifests flow.
   * @default the fleet's GitRepository (`LayerSource.fleetRepository()`)
   */
  readonly layerSource?: LayerSource;
  /**
   * Where `synth()` writes.
   * @default $CDK8S_OUTDIR, else 'dist'
   */
  readonly outdir?: string;
  /**
   * The project folder whose cdk8s.yaml names the CRD files to validate custom resources with
   * (see docs/escape-hatches.md); `npm run validate` reads the same.
   * @default the current working directory
   */
  readonly projectRoot?: string;
}

/** Options of a synth or render. */
export interface SynthOptions {
  /**
   * Only these clusters: the rest of dist/ is left as it is.
   * @default every cluster ($STRATA_CLUSTERS, comma-separated, when set)
   */
  readonly clusters?: readonly string[];
  /**
   * Only the clusters of this shard (`{ index: 2, count: 4 }` is `--shard 2/4`), chosen by a hash
   * of each cluster's name (lib/synth/shard.ts), so a cluster stays on its shard when others are
   * added or removed; the rest of dist/ is left as it is. Not together with `clusters`.
   * See docs/ci.md.
   * @default every cluster ($STRATA_SHARD, `k/n`, when set)
   */
  readonly shard?: Shard;
  /** Extra checks over the resolved objects, run after the built-in ones. @default none */
  readonly checks?: readonly ModelCheck[];
}

/** What `synth()` wrote. */
export interface Synthesized {
  readonly model: FleetModel;
  /** Warnings the checks found (printed). */
  readonly warnings: readonly Finding[];
  /** Milliseconds per phase; `layout` is the time spent making files, `write` the rest of writing them. */
  readonly timings: PhaseTimings;
  /** How many files were written. */
  readonly files: number;
}

/** Platform definitions run before app definitions on every cluster, whatever order they were given in. */
interface Definition {
  readonly phase: 'platform' | 'apps';
  readonly run: (cluster: Cluster) => void;
}

/**
 * The whole fleet: a cdk8s App holding every cluster. Definitions given to `platform()` and
 * `apps()` run once per cluster, at synth time, so clusters may be added before or after them.
 */
export class Fleet extends App {
  readonly name: string;
  readonly repository?: RepositoryProps;
  readonly repositoryPath: string;
  readonly domain?: string;
  readonly decryption?: Decryption;
  readonly projectRoot: string;
  /** Options of the default layers of every cluster (see `FleetProps.layers`). */
  readonly layers?: DefaultLayers;
  /** Where layers read from unless they say (see `FleetProps.layerSource`). */
  readonly layerSource: LayerSource;
  private readonly _clusters: Cluster[] = [];
  private readonly definitions: Definition[] = [];
  private readonly applied = new Map<Cluster, number>();
  private readonly fleetLayers: { path: string; props: LayerProps }[] = [];

  constructor(props: FleetProps) {
    super({ outdir: props.outdir ?? process.env.CDK8S_OUTDIR ?? 'dist', resolvers: [new StageResolver((obj) => Cluster.of(obj).stage), new PlainKeysResolver()] });
    this.name = props.name;
    this.repository = props.repository;
    this.repositoryPath = (props.repositoryPath ?? 'dist').replace(/^\.\//, '').replace(/\/+$/, '');
    this.domain = props.domain;
    this.decryption = props.decryption;
    this.projectRoot = props.projectRoot ?? process.cwd();
    this.layers = props.layers;
    this.layerSource = props.layerSource ?? LayerSource.fleetRepository();
    const problems = [...propsProblems('FleetProps', props, 'new Fleet(...)'), ...[dnsLabelError('fleet name', props.name), repositoryPathError(this.repositoryPath)].filter((p): p is string => p !== undefined)];
    addCheck(this, () => problems);
  }

  get clusters(): readonly Cluster[] {
    return this._clusters;
  }

  /** Adds a cluster. Names are DNS-1123 labels and unique; a duplicate is an error. */
  addCluster(name: string, props: ClusterProps): Cluster {
    const existing = this._clusters.find((c) => c.name === name);
    if (existing) {
      addCheck(existing, () => [`cluster ${show(name)} is declared twice`]);
      return existing;
    }
    const cluster = new Cluster(this, name, { ...props, decryption: props.decryption ?? this.decryption, fleetDomain: this.domain, fleetLayers: this.layers });
    const problems = propsProblems('ClusterProps', props);
    addCheck(cluster, () => problems);
    for (const { path, props: layerProps } of this.fleetLayers) cluster.addLayer(path, layerProps);
    this._clusters.push(cluster);
    return cluster;
  }

  /**
   * A cluster by name; unknown names are an error listing the known ones.
   * @throws StrataError when the fleet has no cluster `name` (the message lists the clusters it has)
   */
  cluster(name: string): Cluster {
    const found = this._clusters.find((c) => c.name === name);
    if (!found) throw new StrataError(`unknown cluster ${show(name)} (clusters: ${this._clusters.map((c) => c.name).join(', ')})`);
    return found;
  }

  /** Adds a layer to every cluster, present and future. */
  addLayer(path: string, props: LayerProps = {}): void {
    const problems = propsProblems('LayerProps', props, `fleet.addLayer(${JSON.stringify(path)}, ...)`);
    if (problems.length > 0) addCheck(this, () => problems);
    this.fleetLayers.push({ path, props });
    for (const cluster of this._clusters) cluster.addLayer(path, props);
  }

  /** Declares the platform of every cluster: `fleet.platform((platform, cluster) => ...)`. */
  platform(define: (platform: Platform, cluster: Cluster) => void): void {
    this.definitions.push({ phase: 'platform', run: (cluster) => define(new Platform(cluster), cluster) });
  }

  /**
   * Declares workloads of one namespace on every cluster: `fleet.apps('shop', (apps, cluster) => ...)`.
   * The namespace is a team's: a system namespace or one a platform component installs into is
   * a synth error.
   * @param layer the layer they land in (default `apps`)
   */
  apps(namespace: string, define: (apps: Apps, cluster: Cluster) => void, layer = 'apps'): void {
    this.definitions.push({ phase: 'apps', run: (cluster) => define(cluster.appsIn(namespace, layer), cluster) });
  }

  /** Runs a definition for every cluster, in the platform phase (before any `apps` definition). */
  eachCluster(define: (cluster: Cluster) => void): void {
    this.definitions.push({ phase: 'platform', run: define });
  }

  /**
   * Builds, validates and lays out the fleet in memory; never touches the disk.
   * @throws SynthError with every error found
   * @throws StrataError for an invalid `shard`, or `clusters` and `shard` together
   */
  render(options: SynthOptions & { bootstrapped?: (cluster: string) => boolean } = {}): Rendered {
    try {
      const { model, timings } = this.resolveFleet(selectionOf(options.clusters, options.shard), NO_PROGRESS);
      return renderModel(model, timings, { bootstrapped: options.bootstrapped, checks: options.checks && [...(options.checks ?? [])] });
    } catch (e) {
      throw e instanceof SynthError ? this.located(e) : e;
    }
  }

  /** `e` with the user's line that declared each finding's construct (`Finding.source`). */
  private located(e: SynthError): SynthError {
    return new SynthError(e.errors.map((f) => this.locate(f)), e.warnings.map((f) => this.locate(f)));
  }

  /** `f` with the user's line that declared its construct (`Finding.source`), when known. */
  private locate(f: Finding): Finding {
    const source = f.source ?? definitionAt(this, f.path);
    return source ? { ...f, source } : f;
  }

  /**
   * Synthesizes dist/: build, resolve and validate, then write each file as it is laid out into a
   * new tree and swap it in (the whole tree is never held in memory). On errors, prints them all,
   * sets a failing exit code and leaves the previous dist/ untouched. A file-system failure
   * (read-only, full, busy, name too long) or another synth writing dist/ prints one line and
   * sets exit code 3 (4 for the other synth); see docs/output.md. Findings name the line of the
   * user's code that created their construct and are merged across clusters (docs/cli.md); on a
   * TTY, a synth slower than a second shows its progress on stderr, and reports are coloured.
   * @returns what was written, or undefined when the synth failed
   */
  override synth(options: SynthOptions = {}): Synthesized | undefined {
    let selection: Selection;
    try {
      selection = selectionFromEnvironment(options);
    } catch (e) {
      if (!(e instanceof StrataError)) throw e;
      // A usage mistake (a malformed STRATA_SHARD, or both ways of choosing clusters): one line, exit 2.
      console.error(`strata: ${e.message}; nothing written`);
      process.exitCode = EXIT.usage;
      return undefined;
    }
    const focus = selection.names !== undefined || selection.shard !== undefined;
    const progress = new Progress(process.stderr);
    try {
      const { model, timings } = this.resolveFleet(selection, progress);
      let t = performance.now();
      progress.step(`checking ${model.clusters.length === 1 ? model.clusters[0].name : `${model.clusters.length} clusters`}`);
      const warnings = validateModel(model, options.checks ?? DEFAULT_CHECKS).map((f) => this.locate(f));
      timings.validate = performance.now() - t;
      const spent = { ms: 0 };
      t = performance.now();
      const files = layoutFiles(model, { bootstrapped: (c) => isBootstrapped(this.outdir, c) });
      progress.step(`writing ${this.outdir}/`);
      const changes = trackChanges(this.outdir, timedIterable(files, spent), focus ? model.clusters.map((c) => c.name) : undefined);
      const written = writeTree(this.outdir, changes.files, model.clusters.map((c) => c.name), { focus });
      timings.layout = spent.ms;
      timings.write = performance.now() - t - spent.ms;
      progress.done();
      const result: Synthesized = { model, warnings, timings, files: written };
      if (warnings.length > 0) console.warn(formatReport(warnings, 'written', { colors: colorsFor(process.stderr) }));
      const shardLine = selection.shard && `strata: shard ${selection.shard.index}/${selection.shard.count}: ${model.clusters.length} of ${this._clusters.length} clusters`;
      if (!process.env.STRATA_QUIET) console.log([summarize(result, this.outdir), shardLine, ...describeUnchecked(model), changes.summary()].filter(Boolean).join('\n'));
      return result;
    } catch (e) {
      progress.done();
      if (e instanceof OutputError) {
        // The disk refused (read-only, full, busy, ...) or another synth holds dist/: one line, no stack.
        console.error(e.message);
        process.exitCode = e.exitCode;
        return undefined;
      }
      if (e instanceof StrataError) {
        // A file the layout or the writer refused to place (a path that would leave dist/).
        console.error(`strata: ${e.message}; nothing written`);
        process.exitCode = 1;
        return undefined;
      }
      if (!(e instanceof SynthError)) throw e;
      const { errors, warnings } = this.located(e);
      console.error(formatReport([...errors, ...warnings], 'nothing written', { colors: colorsFor(process.stderr) }));
      process.exitCode = 1;
      return undefined;
    }
  }

  /** Builds the selected clusters and resolves their objects, timing both. */
  private resolveFleet(selection: Selection, progress: Progress): { model: FleetModel; timings: PhaseTimings } {
    let t = performance.now();
    const clusters = this.select(selection);
    const findings = [...loadProjectSchemas(this.projectRoot).findings, ...this.build(clusters, progress)];
    const build = performance.now() - t;
    t = performance.now();
    const model = withResolutionCache(() => this.resolveModel(clusters, findings, progress));
    return { model, timings: { build, resolve: performance.now() - t, validate: 0, layout: 0 } };
  }

  private select({ names, shard }: Selection): Cluster[] {
    if (shard) return this._clusters.filter((c) => inShard(c.name, shard));
    if (!names) return this._clusters;
    const unknown = names.filter((n) => !this._clusters.some((c) => c.name === n));
    if (unknown.length > 0) {
      throw new SynthError(unknown.map((n) => ({ path: '', message: `unknown cluster ${show(n)} (clusters: ${this._clusters.map((c) => c.name).join(', ')})` })));
    }
    return this._clusters.filter((c) => names.includes(c.name));
  }

  /** Runs pending definitions on each cluster, then (re)declares its Flux objects. */
  private build(clusters: readonly Cluster[], progress: Progress): Finding[] {
    const findings: Finding[] = [];
    for (const [i, cluster] of clusters.entries()) {
      progress.step(`${cluster.name}: building (${i + 1}/${clusters.length})`);
      const pending = this.definitions.slice(this.applied.get(cluster) ?? 0);
      this.applied.set(cluster, this.definitions.length);
      for (const phase of ['platform', 'apps'] as const) {
        for (const definition of pending.filter((d) => d.phase === phase)) {
          try {
            definition.run(cluster);
          } catch (e) {
            // Thrown by the user's definition: the line that threw says more than the cluster's path.
            const source = e instanceof Error ? userFrame(e.stack) : undefined;
            findings.push({ path: cluster.node.path, message: describeError(e), ...(source ? { source } : {}) });
          }
        }
        try {
          if (phase === 'platform') settlePlatform(cluster);
          else settleApps(cluster);
        } catch (e) {
          findings.push({ path: cluster.node.path, message: describeError(e) });
        }
      }
      this.declareSync(cluster);
    }
    return findings;
  }

  /**
   * Declares the cluster's Flux objects: one Kustomization per layer folder and the sources they
   * read (each once; the fleet's GitRepository whenever the fleet names a repository). Two
   * different sources of one kind and name are an error of the cluster.
   */
  private declareSync(cluster: Cluster): void {
    cluster.node.tryRemoveChild('flux');
    const sync = new Chart(cluster, 'flux', { disableResourceNameHashes: true });
    const context: FleetSourceContext = { fleetName: this.name, repository: this.repository, repositoryPath: this.repositoryPath };
    const declared = new Map<string, { source: LayerSource; layer: string }>();
    const conflicts: string[] = [];
    const use = (source: LayerSource, layer: string): void => {
      const ref = source.sourceRef(context);
      const key = `${ref.kind}/${ref.namespace ?? ''}/${ref.name}`;
      const first = declared.get(key);
      if (!first) {
        declared.set(key, { source, layer });
        source.declare(sync, context);
      } else if (!first.source.sameAs(source)) {
        conflicts.push(`layers ${show(first.layer)} and ${show(layer)} declare different sources named ${ref.kind} ${show(ref.name)}: give one of them another name, or the same props`);
      }
    };
    if (this.repository) use(LayerSource.fleetRepository(), '(the fleet)');
    for (const layer of cluster.layers) {
      const source = layer.source ?? this.layerSource;
      const dependsOn = syncDependsOn(layer, cluster.layers);
      const folders = layer.folders();
      if (folders.length > 0) use(source, layer.path);
      // A second folder of one name is the cluster's error (Cluster.kustomizationNameProblems).
      for (const folder of folders) {
        if (sync.node.tryFindChild(folder.fluxName)) continue;
        declareLayerSync(sync, layer, folder, {
          path: source.pathOf(context, `${cluster.name}/${folder.path}`),
          sourceRef: source.sourceRef(context),
          decryptionSecret: cluster.decryption?.secretName,
          dependsOn,
        });
      }
    }
    if (conflicts.length > 0) addCheck(sync, () => conflicts);
  }

  private resolveModel(clusters: readonly Cluster[], findings: Finding[], progress: Progress): FleetModel {
    // Waivers and acknowledgements become annotations before anything is resolved (checks below
    // resolve objects, and a resolution is kept), so the objects carry them.
    const waivers = new Map(clusters.map((c) => [c, applyWaivers(c)]));
    applyWhenBuilt([this, ...clusters.flatMap((c) => c.node.findAll())]);
    for (const scope of [this, ...clusters]) {
      const nodes = scope === this ? [this as IConstruct] : scope.node.findAll();
      for (const node of nodes) {
        for (const message of node.node.validate()) findings.push({ path: node.node.path, message });
      }
    }
    for (const cluster of clusters) findings.push(...checkCapabilities(cluster));
    const resolve = (objects: readonly ApiObject[]): ResolvedObject[] =>
      objects.flatMap((obj) => {
        try {
          const { manifest, drops } = resolutionOf(obj);
          for (const m of drops) findings.push({ path: obj.node.path, message: `${obj.kind} ${obj.name}: ${m}` });
          for (const m of unresolvedStageValues(obj)) findings.push({ path: obj.node.path, message: m });
          return [{ path: obj.node.path, manifest: manifest as Manifest }];
        } catch (e) {
          findings.push({ path: obj.node.path, message: describeError(e) });
          return [];
        }
      });
    const resolved: ResolvedCluster[] = clusters.map((cluster, i) => {
      progress.step(`${cluster.name}: resolving (${i + 1}/${clusters.length})`);
      const sync = cluster.node.findChild('flux').node.findAll().filter(ApiObject.isApiObject);
      return {
        name: cluster.name,
        stage: cluster.stage.name,
        fluxLockdownOff: cluster.fluxLockdown?.reason.trim(),
        ...externalNamespacesField(cluster),
        kubernetesVersion: cluster.kubernetesVersion,
        waivers: waivers.get(cluster),
        folders: cluster.layers.flatMap((layer) =>
          layer.folders().map((folder) => ({
            dir: `${cluster.name}/${folder.path}`,
            namespace: folder.namespace,
            objects: resolve(folder.scope.node.findAll().filter(ApiObject.isApiObject)),
          })),
        ),
        layers: resolve(sync.filter((o) => o.kind === 'Kustomization')),
        sources: resolve(sync.filter((o) => o.kind !== 'Kustomization')),
      };
    });
    return { name: this.name, clusters: resolved, findings };
  }
}

/** The clusters a synth renders: by name, by shard, or (neither) all of them. */
interface Selection {
  readonly names?: readonly string[];
  readonly shard?: Shard;
}

/**
 * The selection of `clusters` and `shard`; an empty list of names is every cluster.
 * @throws StrataError for a shard that is not 1 ≤ index ≤ count, or when both are given: two ways of choosing clusters, whose intersection is rarely meant
 */
function selectionOf(clusters: readonly string[] | undefined, shard: Shard | undefined): Selection {
  const names = clusters?.length ? clusters : undefined;
  // A Shard given in code is checked as `--shard` is: 1 ≤ index ≤ count, whole numbers.
  if (shard !== undefined) parseShard(`${shard.index}/${shard.count}`);
  if (names && shard) {
    throw new StrataError(`choose clusters by name (--cluster, STRATA_CLUSTERS: ${names.join(',')}) or by shard (--shard, STRATA_SHARD: ${shard.index}/${shard.count}), not both`);
  }
  return { names, shard };
}

/**
 * The selection of a synth: the options, else $STRATA_CLUSTERS and $STRATA_SHARD.
 * @throws StrataError for a malformed $STRATA_SHARD, or clusters chosen both by name and by shard
 */
function selectionFromEnvironment(options: SynthOptions): Selection {
  const clusters = options.clusters ?? process.env.STRATA_CLUSTERS?.split(',').filter(Boolean);
  const variable = process.env.STRATA_SHARD;
  let shard = options.shard;
  if (shard === undefined && variable !== undefined && variable !== '') {
    try {
      shard = parseShard(variable);
    } catch (e) {
      throw e instanceof StrataError ? new StrataError(`STRATA_SHARD: ${e.message}`) : e;
    }
  }
  return selectionOf(clusters, shard);
}

/** The cluster's external namespaces, as a field of its model only when it has some. */
function externalNamespacesField(cluster: Cluster): { externalNamespaces?: ExternalNamespaceRecord[] } {
  const external = externalNamespacesOf(cluster).map(({ name, labels }) => (labels === undefined ? { name } : { name, labels: { ...labels } }));
  return external.length > 0 ? { externalNamespaces: external } : {};
}

/** `items`, adding the time spent making each item to `spent.ms`. */
function* timedIterable<T>(items: Iterable<T>, spent: { ms: number }): Generator<T> {
  const it = items[Symbol.iterator]();
  for (;;) {
    const t = performance.now();
    const next = it.next();
    spent.ms += performance.now() - t;
    if (next.done) return;
    yield next.value;
  }
}


