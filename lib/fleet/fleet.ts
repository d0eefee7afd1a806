import { App, Chart } from 'cdk8s';
import { performance } from 'node:perf_hooks';
import { declareLayerSync, syncDependsOn } from '../gitops/layer-sync.js';
import { LayerSource, type FleetSourceContext } from '../gitops/layer-source.js';
import type { RepositoryProps } from '../gitops/source.js';
import type { LayerProps } from '../platform/layer.js';
import { Platform } from '../platform/platform.js';
import { settleApps, settlePlatform } from '../platform/settle.js';
import type { FleetModel, ResolvedCluster } from '../synth/model.js';
import { trackChanges } from '../plan/synth-summary.js';
import { layout, layoutFiles } from '../synth/layout.js';
import {
  DEFAULT_CHECKS, PHASE, addTotals, checkCluster, clusterTotals, describeUnchecked, mergeFindings, noTotals, phasedFindings, summarize,
  type ModelCheck, type PhaseTimings, type PhasedFindings, type Rendered, type SynthTotals,
} from '../synth/pipeline.js';
import { NO_PROGRESS, Progress, colorsFor } from '../synth/terminal.js';
import { JOBS_START_MS, JOBS_WORTH_MS, JobPool, SMALL_CLUSTER_OBJECTS, fleetKey, endJob, inJobThread, jobOf, jobsFor, postCluster, takeCluster, type JobData, type Jobs } from '../synth/jobs.js';
import { collectGarbage, heapGrowthFor, withHeapGrowth } from '../synth/heap.js';
import { inShard, parseShard, type Shard } from '../synth/shard.js';
import { EXIT, OutputError, isBootstrapped, writeTree } from '../synth/writer.js';
import { suggest } from '../validate/fields.js';
import { loadProjectSchemas } from '../validate/project.js';
import { Cluster, clusterPropsProblems, type Apps, type ClusterProps, type Decryption, type DefaultLayers } from './cluster.js';
import { StrataError, SynthError, addCheck, describeError, validationsOf, formatReport, isError, show, type Finding } from './errors.js';
import { dnsLabelError, repositoryPathError } from './names.js';
import { PlainKeysResolver } from './plain-keys.js';
import { StageResolver } from './stage.js';
import { checkedProps, propsArgumentProblem, propsProblems, withoutMismatches } from './props.js';
import { resolveCluster } from './resolve-cluster.js';
import { copyDefinition, definitionAt, userFrame } from './source-location.js';

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
   * Only these clusters: the rest of dist/ is left as it is. A name the fleet does not have is a
   * usage error (exit code 2), as is an empty name in $STRATA_CLUSTERS.
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
  /**
   * Extra checks over the resolved objects, run after the built-in ones, on one cluster at a time
   * (the model a check gets holds one cluster: a synth streams them). @default none
   */
  readonly checks?: readonly ModelCheck[];
  /**
   * How many threads render clusters at once (`--jobs N`), the main thread included; the output,
   * the report and the exit code are those of one thread. Job threads run the program again, so
   * they need strata's runner (`npm run synth`, `strata run`): without it a synth uses one.
   * Threads you did not ask for start only once a synth has run for 400 ms, when the clusters left
   * would take 5 s more on one thread, and only while its clusters average at most 1 000 objects
   * (larger ones gain nothing on 2 cores). At most twice the cores render, however many are asked
   * for (a note says so). Only a fleet's first synth uses threads. See docs/performance.md.
   * @default one per core ($STRATA_JOBS when set)
   */
  readonly jobs?: number;
}

/**
 * What `synth()` wrote. The objects themselves are not kept: a synth streams the fleet one cluster
 * at a time (`render()` returns them, in memory).
 */
export interface Synthesized {
  /** The clusters written, in the order they were added. */
  readonly clusters: readonly string[];
  /** How many clusters, layers and objects were written, and which objects were marked unchecked. */
  readonly totals: SynthTotals;
  /** Warnings the checks found (printed). */
  readonly warnings: readonly Finding[];
  /** Milliseconds per phase; `layout` is the time spent making files, `write` the rest of writing them. */
  readonly timings: PhaseTimings;
  /** How many files were written. */
  readonly files: number;
  /** How many threads rendered clusters (1 without job threads; see `SynthOptions.jobs`). */
  readonly threads: number;
}

/** Platform definitions run before app definitions on every cluster, whatever order they were given in. */
interface Definition {
  readonly phase: 'platform' | 'apps';
  readonly run: (cluster: Cluster) => void;
}

/**
 * `props` of `new Fleet(...)`, when they are an object.
 * @throws StrataError when they are not (`npm run synth` does not type-check: a JavaScript caller may pass nothing)
 */
function fleetProps(props: FleetProps): FleetProps {
  // Fields of another structure (`repository: 'ssh://...'`) are reported by the fleet and left out here.
  if (typeof props === 'object' && props !== null && !Array.isArray(props)) return withoutMismatches('FleetProps', props);
  throw new StrataError(`new Fleet(...): props must be an object, e.g. { name: 'acme', domain: 'acme.dev' }, not ${show(props)}`);
}

/**
 * The whole fleet: a cdk8s App holding every cluster. Definitions given to `platform()` and
 * `apps()` run once per cluster, at synth time, so clusters may be added before or after them.
 */
export class Fleet extends App {
  /** Fleet name, a DNS label; names the GitRepository strata declares. */
  readonly name: string;
  /** The repository dist/ is committed to (see `FleetProps.repository`). @default none: layers reconcile from the `flux-system` GitRepository */
  readonly repository?: RepositoryProps;
  /** Folder of the synthesized output inside the repository, as Flux paths see it, without `./` or a trailing `/`. @default 'dist' */
  readonly repositoryPath: string;
  /** Base domain; each cluster's domain defaults to `<cluster>.<domain>`. @default none */
  readonly domain?: string;
  /** SOPS decryption for every cluster (a cluster may override it). @default no decryption */
  readonly decryption?: Decryption;
  /** The project folder whose cdk8s.yaml names the CRD files to validate custom resources with. @default the current working directory */
  readonly projectRoot: string;
  /** Options of the default layers of every cluster (see `FleetProps.layers`). */
  readonly layers?: DefaultLayers;
  /** Where layers read from unless they say (see `FleetProps.layerSource`). */
  readonly layerSource: LayerSource;
  private readonly _clusters: Cluster[] = [];
  private readonly definitions: Definition[] = [];
  private readonly applied = new Map<Cluster, number>();
  /** The props each cluster was added with, to remake it once a synth released it. */
  private readonly clusterProps = new WeakMap<Cluster, ClusterProps>();
  /** How many constructs each cluster had when only the fleet had changed it. */
  private readonly pristineSize = new WeakMap<Cluster, number>();
  /** Clusters whose constructs all came from the fleet's definitions: remade after a synth, not kept. */
  private readonly releasable = new WeakSet<Cluster>();
  private readonly fleetLayers: { path: string; props: LayerProps }[] = [];
  /** Which fleet of its name the program made (lib/synth/jobs.ts `fleetKey`): what a job thread renders for. */
  private readonly key: string;
  /** How many synths this fleet ran: job threads render only the first (they run the program up to it). */
  private synths = 0;

  /** @throws StrataError when `props` is not an object */
  constructor(given: FleetProps) {
    super({ outdir: fleetProps(given).outdir ?? process.env.CDK8S_OUTDIR ?? 'dist', resolvers: [new StageResolver((obj) => Cluster.of(obj).stage), new PlainKeysResolver()] });
    const found = propsProblems('FleetProps', given, 'new Fleet(...)');
    const props = fleetProps(given);
    this.name = props.name;
    this.repository = props.repository;
    this.repositoryPath = (props.repositoryPath ?? 'dist').replace(/^\.\//, '').replace(/\/+$/, '');
    this.domain = props.domain;
    this.decryption = props.decryption;
    this.projectRoot = props.projectRoot ?? process.cwd();
    this.layers = props.layers;
    this.layerSource = props.layerSource ?? LayerSource.fleetRepository();
    this.key = fleetKey(props.name);
    const problems = [...found, ...[dnsLabelError('fleet name', props.name), repositoryPathError(this.repositoryPath)].filter((p): p is string => p !== undefined)];
    addCheck(this, () => problems);
  }

  /** Every cluster added with `addCluster`, in the order they were added. */
  get clusters(): readonly Cluster[] {

    return this._clusters;
  }

  /**
   * Adds a cluster. Names are DNS-1123 labels and unique; a duplicate is an error.
   * @throws StrataError when `props` is not an object or lacks a stage, region or provider (with its unknown keys, e.g. `provder`)
   */
  addCluster(name: string, props: ClusterProps): Cluster {
    const unusable = clusterPropsProblems(props);
    if (unusable.length > 0) {
      // Its other problems too (`provder`), but not the required fields' again.
      const typos = typeof props === 'object' && props !== null ? propsProblems('ClusterProps', props).filter((p) => !/^(stage|region|provider) must be /.test(p)) : [];
      throw new StrataError(`fleet.addCluster(${show(name)}, ...): ${[...unusable, ...typos].join('; ')}`);
    }
    const existing = this._clusters.find((c) => c.name === name);
    if (existing) {
      addCheck(existing, () => [`cluster ${show(name)} is declared twice`]);
      this.releasable.delete(existing);
      this.pristineSize.delete(existing);
      return existing;
    }
    const cluster = this.createCluster(name, props);
    this._clusters.push(cluster);
    return cluster;
  }

  /** A new cluster with the fleet's layers, as `addCluster` makes it (and `release` remakes it). */
  private createCluster(name: string, props: ClusterProps): Cluster {
    // Fields of another structure (`fluxLockdown: false`) are reported, and left out of the cluster.
    const { props: readable, problems } = checkedProps('ClusterProps', props);
    const cluster = new Cluster(this, name, { ...readable, decryption: readable.decryption ?? this.decryption, fleetDomain: this.domain, fleetLayers: this.layers });
    addCheck(cluster, () => [...problems]);
    for (const { path, props: layerProps } of this.fleetLayers) cluster.addLayer(path, layerProps);
    this.clusterProps.set(cluster, props);
    this.pristineSize.set(cluster, cluster.node.findAll().length);
    return cluster;
  }

  /**
   * A cluster by name; unknown names are an error listing the known ones.
   * @throws StrataError when the fleet has no cluster `name` (the message lists the clusters it has)
   */
  cluster(name: string): Cluster {
    const found = this._clusters.find((c) => c.name === name);
    if (!found) throw new StrataError(unknownClusters([name], this._clusters.map((c) => c.name)));
    return found;
  }

  /**
   * Adds a layer to every cluster, present and future.
   * @throws StrataError when `props` is not an object
   */
  addLayer(path: string, props: LayerProps = {}): void {
    const unreadable = propsArgumentProblem(props, `fleet.addLayer(${JSON.stringify(path)}, ...)`);
    if (unreadable) throw new StrataError(unreadable);
    const problems = propsProblems('LayerProps', props, `fleet.addLayer(${JSON.stringify(path)}, ...)`);
    if (problems.length > 0) addCheck(this, () => problems);
    if (props.source !== undefined && !(props.source instanceof LayerSource)) {
      const source = show(props.source);
      addCheck(this, () => [`fleet.addLayer(${JSON.stringify(path)}, ...).source must be LayerSource.ociRepository(...), LayerSource.externalArtifact(...) or LayerSource.fleetRepository(), not ${source}`]);
      props = { ...props, source: undefined };
    }
    this.fleetLayers.push({ path, props });
    for (const cluster of this._clusters) {
      const pristine = cluster.node.findAll().length === this.pristineSize.get(cluster);
      cluster.addLayer(path, props);
      if (pristine) this.pristineSize.set(cluster, cluster.node.findAll().length);
    }
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
   * Builds, validates and lays out the fleet in memory; never touches the disk. Every cluster's
   * objects are kept (in `Rendered.model`): for a large fleet, `synth()` streams instead.
   * @throws SynthError with every error found
   * @throws StrataError for an invalid `shard`, `clusters` the fleet does not have, or `clusters` and `shard` together
   */
  render(options: SynthOptions & { bootstrapped?: (cluster: string) => boolean } = {}): Rendered {
    const checks = options.checks ?? DEFAULT_CHECKS;
    const timings: PhaseTimings = { build: 0, resolve: 0, validate: 0, layout: 0 };
    const clusters = this.select(selectionOf(options.clusters, options.shard)).map((at) => this._clusters[at]);
    const own = this.fleetFindings(checks);
    const rendered = clusters.map((cluster, i) => this.renderCluster(cluster, { checks, progress: NO_PROGRESS, position: [i, clusters.length], timings }));
    const { errors, warnings } = splitFindings(mergeFindings(own, rendered.map((r) => r.findings)));
    if (errors.length > 0) throw new SynthError(errors, warnings);
    const model: FleetModel = { name: this.name, clusters: rendered.map((r) => r.resolved), findings: [] };
    const t = performance.now();
    const files = layout(model, { bootstrapped: options.bootstrapped });
    timings.layout = performance.now() - t;
    return { files, model, warnings, timings };
  }

  /** The fleet's own findings (the project's CRD files, its props), by phase; located. */
  private fleetFindings(checks: readonly ModelCheck[]): PhasedFindings {
    const findings = phasedFindings(checks);
    findings[PHASE.project].push(...loadProjectSchemas(this.projectRoot).findings);
    for (const message of validationsOf(this)) findings[PHASE.constructs].push({ path: this.node.path, message });
    return findings.map((list) => list.map((f) => this.locate(f)));
  }

  /**
   * Builds one cluster, resolves and checks it. Its findings are located in the user's code here,
   * while its constructs exist (a synth releases them once the cluster is written).
   */
  private renderCluster(cluster: Cluster, context: RenderContext): RenderedCluster {
    const { checks, progress, position: [i, n], timings } = context;
    const findings = phasedFindings(checks);
    let t = performance.now();
    progress.step(`${cluster.name}: building (${i + 1}/${n})`);
    findings[PHASE.build].push(...this.build(cluster));
    timings.build += performance.now() - t;
    t = performance.now();
    progress.step(`${cluster.name}: resolving (${i + 1}/${n})`);
    const resolved = resolveCluster(cluster, findings);
    timings.resolve += performance.now() - t;
    t = performance.now();
    progress.step(`${cluster.name}: checking (${i + 1}/${n})`);
    checkCluster(resolved, this.name, checks, findings);
    const located = findings.map((list) => list.map((f) => this.locate(f)));
    timings.validate += performance.now() - t;
    return { resolved, findings: located };
  }

  /**
   * Renders one cluster for a synth writing `outdir`: its findings, its totals, and its files, laid
   * out as they are read (the time spent goes to `timings.layout`); none when the cluster has an error.
   */
  private renderForWriting(cluster: Cluster, context: RenderContext, outdir: string): { findings: PhasedFindings; totals: SynthTotals; files: Iterable<[string, string]> } {
    const { resolved, findings } = this.renderCluster(cluster, context);
    const layout = layoutFiles(oneCluster(this.name, resolved), { bootstrapped: (c) => isBootstrapped(outdir, c) });
    const files = hasError(findings) ? [] : timedIterable(layout, (ms) => (context.timings.layout += ms));
    return { findings, totals: clusterTotals(resolved), files };
  }

  /** `f` with the user's line that declared its construct (`Finding.source`), when known. */
  private locate(f: Finding): Finding {
    const source = f.source ?? definitionAt(this, f.path);
    return source ? { ...f, source } : f;
  }

  /**
   * Synthesizes dist/, streaming: each cluster is built, resolved, checked and written into a new
   * tree, then released before the next (peak memory is one cluster's, not the fleet's; see
   * docs/performance.md), and the tree is swapped in once every cluster passed. On errors, prints
   * them all, sets a failing exit code and leaves the previous dist/ untouched. A file-system failure
   * (read-only, full, busy, name too long) or another synth writing dist/ prints one line and
   * sets exit code 3 (4 for the other synth); see docs/output.md. Findings name the line of the
   * user's code that created their construct and are merged across clusters (docs/cli.md); on a
   * TTY, a synth slower than a second shows its progress on stderr, and reports are coloured.
   * With job threads (`SynthOptions.jobs`), each runs the program again, and its `synth()` renders
   * clusters for the main thread, then ends the thread.
   * @returns what was written, or undefined when the synth failed (and in a job thread, which it ends)
   * @throws StrataError in a job thread, when the program there does not declare a cluster the main
   *   thread does (the thread stops; the main thread renders the cluster and says so)
   */
  override synth(options: SynthOptions = {}): Synthesized | undefined {
    if (inJobThread()) {
      // The program runs again in a job thread: render the clusters the main thread hands out.
      const job = jobOf(this.key);
      if (!job) return undefined;
      this.renderJob(job, options.checks ?? DEFAULT_CHECKS);
      endJob(job);
      // Ends this thread only: what the program does after synth() is the main thread's to do.
      process.exit();
    }
    let selection: Selection;
    let jobs: Jobs;
    let positions: number[];
    let growth: number;
    try {
      selection = selectionFromEnvironment(options);
      jobs = jobsFor(options.jobs);
      // A job thread runs the program up to its first synth: what the program adds after it, a later
      // synth's threads would never see.
      if (this.synths++ > 0) jobs = { count: 1, chosen: false };
      positions = this.select(selection);
      growth = heapGrowthFor(positions.length);
    } catch (e) {
      if (!(e instanceof StrataError)) throw e;
      // A usage mistake (a malformed STRATA_SHARD, STRATA_CLUSTERS, STRATA_JOBS or STRATA_HEAP_GROWTH, a cluster the fleet
      // does not have, or both ways of choosing clusters): one line, exit 2.
      console.error(`strata: ${e.message}; nothing written`);
      process.exitCode = EXIT.usage;
      return undefined;
    }
    const focus = selection.names !== undefined || selection.shard !== undefined;
    const progress = new Progress(process.stderr);
    const restoreHeap = withHeapGrowth(growth);
    try {
      const names = positions.map((at) => this._clusters[at].name);
      const run: StreamState = { timings: { build: 0, resolve: 0, validate: 0, layout: 0 }, totals: noTotals(), warnings: [], jobs, notes: [], threads: 1 };
      const t = performance.now();
      let rendering = 0;
      const files = timedIterable(this.stream(positions, names, options.checks ?? DEFAULT_CHECKS, progress, run), (ms) => (rendering += ms));
      const changes = trackChanges(this.outdir, files, focus ? names : undefined);
      const written = writeTree(this.outdir, changes.files, names, { focus, onlyOwnTree: true });
      const { timings } = run;
      const elapsed = performance.now() - t;
      timings.write = elapsed - rendering;
      progress.done();
      if (jobs.asked !== undefined) run.notes.unshift(`strata: ${jobs.asked} jobs asked for: rendered on at most ${jobs.count} threads, twice this machine's cores (more add memory, not speed)`);
      for (const note of run.notes) console.error(note);
      const result: Synthesized = { clusters: names, totals: run.totals, warnings: run.warnings, timings, files: written, threads: run.threads };
      if (run.warnings.length > 0) console.warn(formatReport(run.warnings, 'written', { colors: colorsFor(process.stderr) }));
      const shardLine = selection.shard && `strata: shard ${selection.shard.index}/${selection.shard.count}: ${positions.length} of ${this._clusters.length} clusters`;
      if (!process.env.STRATA_QUIET) console.log([summarize(run.totals, written, elapsed, this.outdir), shardLine, ...describeUnchecked(run.totals.unchecked), changes.summary()].filter(Boolean).join('\n'));
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
      return this.failed(e);
    } finally {
      restoreHeap();
    }
  }

  /** Prints a failed synth's report, sets exit code 1. */
  private failed(e: SynthError): undefined {
    console.error(formatReport([...e.errors, ...e.warnings], 'nothing written', { colors: colorsFor(process.stderr) }));
    process.exitCode = 1;
    return undefined;
  }

  /**
   * The files of dist/, cluster by cluster: each is built, resolved, checked and laid out, its
   * files handed to the writer, and its constructs released before the next is built. Job threads
   * (lib/synth/jobs.ts) take clusters from the same counter; their files are written here as they
   * arrive. After the first error nothing more is laid out, but every cluster is still checked, so
   * the report is complete; then throws SynthError with every error (the writer swaps nothing in).
   * @throws SynthError with every error of the fleet, once every cluster was checked
   */
  private *stream(positions: readonly number[], names: readonly string[], checks: readonly ModelCheck[], progress: Progress, run: StreamState): Generator<[string, string]> {
    const own = this.fleetFindings(checks);
    const perCluster: PhasedFindings[] = [];
    // Most clusters of a large fleet have nothing to report: they share one empty record, so what a
    // synth keeps per cluster until its report is a slot, not a dozen arrays.
    const nothing = phasedFindings(checks);
    let failed = hasError(own);
    const pool = new JobPool(this.key, names, this.outdir);
    const started = performance.now();
    let done = 0;
    /** Records a rendered cluster; its files, unless the synth has failed. */
    const accept = (index: number, findings: PhasedFindings, totals: SynthTotals): boolean => {
      perCluster[index] = findings.some((phase) => phase.length > 0) ? findings : nothing;
      addTotals(run.totals, totals);
      failed ||= hasError(findings);
      progress.step(`${names[index]}: writing (${++done}/${names.length})`);
      return !failed;
    };
    const local = function* (this: Fleet, index: number): Generator<[string, string]> {
      const cluster = this._clusters[positions[index]];
      const { findings, totals, files } = this.renderForWriting(cluster, { checks, progress, position: [index, names.length], timings: run.timings }, this.outdir);
      if (accept(index, findings, totals)) yield* files;
      this.release(cluster);
    }.bind(this);
    const received = function* (): Generator<[string, string]> {
      for (const job of pool.receive()) {
        addTimings(run.timings, job.timings);
        if (accept(job.index, job.findings, job.totals)) yield* job.files;
      }
    };
    try {
      for (let taken = 0; ; taken++) {
        // Threads start at once when asked for, else once the synth has run long enough to tell that
        // the clusters left are worth their start-up, and only for small clusters (lib/synth/jobs.ts).
        const left = names.length - taken - 1;
        const elapsed = performance.now() - started;
        const small = run.totals.objects <= SMALL_CLUSTER_OBJECTS * run.totals.clusters;
        const due = run.jobs.chosen || (elapsed >= JOBS_START_MS && small && (elapsed / Math.max(taken, 1)) * left >= JOBS_WORTH_MS);
        if (run.jobs.count > 1 && pool.started === 0 && left > 0 && due) pool.start(Math.min(run.jobs.count - 1, left));
        const i = takeCluster(pool.shared);
        if (i >= names.length) break;
        yield* local(i);
        yield* received();
      }
      while (pool.running) {
        pool.wait();
        yield* received();
      }
      // A thread that stopped (its program failed there) may have taken a cluster it never posted.
      for (const i of names.keys()) if (perCluster[i] === undefined) yield* local(i);
    } finally {
      pool.stop();
    }
    run.threads = 1 + pool.rendering;
    const stopped = pool.failures.length;
    if (stopped > 0) run.notes.push(`strata: ${stopped === 1 ? '1 job thread' : `${stopped} job threads`} stopped (${pool.failures[0]}); the main thread rendered the clusters ${stopped === 1 ? 'it' : 'they'} had taken`);
    const { errors, warnings } = splitFindings(mergeFindings(own, perCluster));
    if (errors.length > 0) throw new SynthError(errors, warnings);
    run.warnings = warnings;
  }

  /**
   * In a job thread: renders the clusters it takes from the shared counter and posts each, with its
   * files, to the main thread. The project's CRD schemas are registered here too (the main thread
   * reports their problems).
   */
  private renderJob(job: JobData, checks: readonly ModelCheck[]): void {
    loadProjectSchemas(this.projectRoot);
    // The main thread set the heap growth (flags are the process's); this thread's heap applies it
    // from its next full collection on (lib/synth/heap.ts).
    if (heapGrowthFor(job.clusters.length) > 0) collectGarbage();
    // Positions, not clusters: `release` puts a fresh cluster in a rendered one's place, and a map
    // of the clusters themselves would keep every rendered one alive until the thread ends.
    const positions = new Map(this._clusters.map((c, at) => [c.name, at]));
    for (let i = takeCluster(job.shared); i < job.clusters.length; i = takeCluster(job.shared)) {
      const at = positions.get(job.clusters[i]);
      const cluster = at === undefined ? undefined : this._clusters[at];
      if (!cluster) {
        throw new StrataError(`cluster ${show(job.clusters[i])} is not declared when the program runs again in a job thread: declare the same clusters on every run (from code and files, not from time or chance)`);
      }
      const timings: PhaseTimings = { build: 0, resolve: 0, validate: 0, layout: 0 };
      const { findings, totals, files } = this.renderForWriting(cluster, { checks, progress: NO_PROGRESS, position: [i, job.clusters.length], timings }, job.outdir);
      postCluster(job, { index: i, files: [...files], findings, totals, timings });
      this.release(cluster);
    }
  }

  /**
   * The positions in `_clusters` of the clusters a selection names, in fleet order. Positions, not
   * clusters: `release` puts a fresh cluster in a rendered one's place, and a list of the clusters
   * themselves would keep every rendered one alive until the synth ends.
   * @throws StrataError naming the clusters the fleet does not have (a usage mistake: exit 2)
   */
  private select({ names, shard }: Selection): number[] {
    const all = [...this._clusters.keys()];
    if (shard) return all.filter((at) => inShard(this._clusters[at].name, shard));
    if (!names) return all;
    const known = new Set(this._clusters.map((c) => c.name));
    const unknown = [...new Set(names.filter((n) => !known.has(n)))];
    if (unknown.length > 0) throw new StrataError(unknownClusters(unknown, [...known]));
    return all.filter((at) => names.includes(this._clusters[at].name));
  }

  /**
   * Frees a cluster a synth has written: the fleet gets a new, unbuilt cluster of the same name and
   * props in its place, whose definitions run again on the next render. A cluster the program
   * changed directly (`fleet.cluster(...)`, the object `addCluster` returned) is kept: its
   * changes could not be made again.
   */
  private release(cluster: Cluster): void {
    const props = this.clusterProps.get(cluster);
    const index = this._clusters.indexOf(cluster);
    if (!props || !this.releasable.has(cluster) || index < 0) return;
    this.node.tryRemoveChild(cluster.node.id);
    this.applied.delete(cluster);
    const fresh = this.createCluster(cluster.name, props);
    copyDefinition(fresh, cluster);
    this._clusters[index] = fresh;
  }

  /**
   * Runs the definitions not yet run on `cluster`, platform ones first, then (re)declares its Flux
   * objects. A cluster nothing but the fleet has changed yet can be released after a synth.
   */
  private build(cluster: Cluster): Finding[] {
    const findings: Finding[] = [];
    const applied = this.applied.get(cluster) ?? 0;
    if (applied === 0 && cluster.node.findAll().length === this.pristineSize.get(cluster)) this.releasable.add(cluster);
    const pending = this.definitions.slice(applied);
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
 * @throws StrataError for a malformed $STRATA_SHARD, an empty name in $STRATA_CLUSTERS, or clusters chosen both by name and by shard
 */
function selectionFromEnvironment(options: SynthOptions): Selection {
  const clusters = options.clusters ?? clustersVariable(process.env.STRATA_CLUSTERS);
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

/**
 * The cluster names of $STRATA_CLUSTERS (comma-separated); undefined when it is unset or empty.
 * @throws StrataError when a name is empty (`a,,b`, a trailing comma): nothing is dropped silently
 */
function clustersVariable(variable: string | undefined): string[] | undefined {
  if (variable === undefined || variable === '') return undefined;
  const names = variable.split(',');
  if (names.includes('')) throw new StrataError(`STRATA_CLUSTERS: ${JSON.stringify(variable)} has an empty cluster name: use names separated by single commas, e.g. dev-eu,prod-eu`);
  return names;
}

/** How many clusters a message about an unknown one lists before it says how many more there are. */
const LISTED_CLUSTERS = 12;

/**
 * `unknown cluster "prod-mars" (did you mean "prod-eu"?)` for the names a fleet does not have: the
 * closest cluster within two edits, else the clusters (the first LISTED_CLUSTERS, and how many more).
 */
function unknownClusters(unknown: readonly string[], known: readonly string[]): string {
  const listed = known.length > LISTED_CLUSTERS ? `${known.slice(0, LISTED_CLUSTERS).join(', ')} and ${known.length - LISTED_CLUSTERS} more` : known.join(', ');
  const about = unknown.map((n) => {
    const hint = suggest(n, known);
    return `${show(n)}${hint.startsWith(' (did you mean') ? hint : ''}`;
  });
  const all = known.length === 0 ? 'the fleet has no cluster' : `clusters: ${listed}`;
  return `unknown cluster${unknown.length > 1 ? 's' : ''} ${about.join(', ')} (${all})`;
}

/** `findings` split into errors and warnings, each in the order given. */
function splitFindings(findings: readonly Finding[]): { errors: Finding[]; warnings: Finding[] } {
  return { errors: findings.filter(isError), warnings: findings.filter((f) => !isError(f)) };
}

/** What rendering one cluster needs. */
interface RenderContext {
  readonly checks: readonly ModelCheck[];
  readonly progress: Progress;
  /** Its position among the clusters rendered, and how many there are (for progress). */
  readonly position: readonly [number, number];
  /** Where the time spent goes. */
  readonly timings: PhaseTimings;
}

/** One cluster, resolved, with its findings by phase. */
interface RenderedCluster {
  readonly resolved: ResolvedCluster;
  readonly findings: PhasedFindings;
}

/** What a streaming synth gathers while the writer consumes its files. */
interface StreamState {
  /** Milliseconds per phase, summed over the threads that rendered. */
  readonly timings: PhaseTimings;
  readonly totals: SynthTotals;
  readonly jobs: Jobs;
  warnings: readonly Finding[];
  /** Lines for stderr once the synth is over. */
  readonly notes: string[];
  /** Threads that rendered clusters. */
  threads: number;
}

/** A model of one resolved cluster, as the layout takes it. */
function oneCluster(fleet: string, cluster: ResolvedCluster): FleetModel {
  return { name: fleet, clusters: [cluster], findings: [] };
}

/** True when any phase holds an error. */
function hasError(findings: PhasedFindings): boolean {
  return findings.some((list) => list.some(isError));
}

/** Adds the phase times of `more` to `timings`. */
function addTimings(timings: PhaseTimings, more: PhaseTimings): void {
  timings.build += more.build;
  timings.resolve += more.resolve;
  timings.validate += more.validate;
  timings.layout += more.layout;
}

/** `items`, handing the milliseconds spent making each to `spent`. */
function* timedIterable<T>(items: Iterable<T>, spent: (ms: number) => void): Generator<T> {
  const it = items[Symbol.iterator]();
  for (;;) {
    const t = performance.now();
    const next = it.next();
    spent(performance.now() - t);
    if (next.done) return;
    yield next.value;
  }
}
