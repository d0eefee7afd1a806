import type { Manifest } from './model.js';
import type { Rendered } from './pipeline.js';

/** What a fleet renders to, for snapshot tests: dist/ paths → YAML, and the objects. */
export interface SynthesizedTree {
  /** dist/-relative path → file content, sorted by path. */
  readonly files: Record<string, string>;
  /** Every object written, in file order. */
  readonly objects: Manifest[];
}

/** Anything that renders like a Fleet (kept structural so synth/ never imports fleet/). */
export interface Renderable {
  /** Renders the fleet (only `clusters`, when given) in memory. */
  render(options?: { clusters?: readonly string[] }): Rendered;
}

/** What `Testing.synth` renders: the whole fleet, one cluster, or one layer of it. */
export interface TestingOptions {
  /** Only this cluster's files (its layer folders and `clusters/<name>/`). @default the whole fleet */
  readonly cluster?: string;
  /** Only this layer of `cluster`, e.g. `apps` or `infrastructure/controllers`. @default every layer */
  readonly layer?: string;
}

/** Helpers for users' tests. */
export class Testing {
  /**
   * Synthesizes a fleet in memory, never touching dist/, and returns the tree, so a snapshot test
   * is one line: `expect(Testing.synth(fleet, { cluster: 'prod-eu' })).toMatchSnapshot()`.
   * @throws SynthError when the fleet has errors
   */
  static synth(fleet: Renderable, options: TestingOptions = {}): SynthesizedTree {
    const rendered = fleet.render({ clusters: options.cluster ? [options.cluster] : undefined });
    const keep = (path: string): boolean => {
      if (!options.cluster) return true;
      if (options.layer) return path.startsWith(`${options.cluster}/${options.layer}/`);
      return path.startsWith(`${options.cluster}/`) || path.startsWith(`clusters/${options.cluster}/`);
    };
    const files: Record<string, string> = {};
    for (const [path, content] of rendered.files) if (keep(path)) files[path] = content;
    const objects = rendered.model.clusters.flatMap((c) => [
      ...c.folders.filter((f) => keep(`${f.dir}/`)).flatMap((f) => f.objects.map((o) => o.manifest)),
      ...(options.layer ? [] : [...c.layers, ...c.sources].map((o) => o.manifest)),
    ]);
    return { files, objects };
  }
}
