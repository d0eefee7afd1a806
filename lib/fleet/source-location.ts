// Where in the user's code a construct was written, so a finding can say `main.ts:42:5` rather
// than only a construct path. The call stack is captured when a construct is created and read
// only for the constructs a finding is about: V8 keeps the frames and formats them only when
// `.stack` is read, so an unread capture costs ~10 µs and ~850 bytes (measured: 0.2 % of a
// 1000-workload synth). With source maps enabled (the runner, scripts/run.mjs, enables them),
// the frames name the TypeScript sources, not the bundles in node_modules/.cache/strata.
import type { IConstruct } from 'constructs';
import { dirname, isAbsolute, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

/** A captured, not yet formatted, call stack (`Error.captureStackTrace`). */
interface Capture {
  stack?: string;
  /** Whether the constructs below it were written there too (a workload's objects), or elsewhere (a cluster's workloads). */
  readonly coversChildren: boolean;
}

const captures = new WeakMap<IConstruct, Capture>();
const located = new WeakMap<Capture, string | undefined>();

/**
 * Records the user's call site of `construct` (the innermost frame outside strata). Called by the
 * constructors of the constructs users write: clusters, workloads, Helm apps, components, tenants.
 * `coversChildren: false` for a scope whose children are written elsewhere (a cluster).
 */
export function recordDefinition(construct: IConstruct, options: { readonly coversChildren?: boolean } = {}): void {
  const capture: Capture = { coversChildren: options.coversChildren ?? true };
  // Ten frames reach the user's code from any strata constructor and bound what a capture keeps
  // (about 850 bytes) whatever limit the program set.
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 10;
  Error.captureStackTrace(capture, recordDefinition);
  Error.stackTraceLimit = limit;
  captures.set(construct, capture);
}

/**
 * The call site recorded for `construct` as `file:line:column`, the file relative to the working
 * directory; undefined when none was recorded or no frame lies outside strata.
 */
export function definitionOf(construct: IConstruct, asAncestor = false): string | undefined {
  const capture = captures.get(construct);
  if (!capture || (asAncestor && !capture.coversChildren)) return undefined;
  if (!located.has(capture)) located.set(capture, userFrame(capture.stack));
  return located.get(capture);
}

/**
 * The definition site of the construct at `path` below `root`, or of its nearest ancestor whose
 * children were written with it (a finding about `prod-eu/apps/shop/web/deployment` is where `web`
 * was written; one about a hand-written object directly in the cluster has none).
 */
export function definitionAt(root: IConstruct, path: string): string | undefined {
  const ids = path ? path.split('/') : [];
  let node: IConstruct | undefined = root;
  let found = definitionOf(root, ids.length > 0);
  for (const [i, id] of ids.entries()) {
    node = node.node.tryFindChild(id);
    if (!node) break;
    found = definitionOf(node, i < ids.length - 1) ?? found;
  }
  return found;
}

/** Folder of strata's own modules: the parent of this module's folder (lib/ in this repository). */
let libraryRoot: string | undefined;
function strataRoot(): string {
  if (libraryRoot === undefined) {
    const own = frames(new Error().stack)[0];
    libraryRoot = own ? dirname(dirname(own.file)) + sep : '\0';
  }
  return libraryRoot;
}

interface Frame {
  readonly file: string;
  readonly line: string;
  readonly column: string;
}

/** The `file:line:column` frames of a V8 stack, files as paths. */
function frames(stack: string | undefined): Frame[] {
  const out: Frame[] = [];
  for (const text of (stack ?? '').split('\n').slice(1)) {
    const m = /^\s*at (?:.*? \()?(.+?):(\d+):(\d+)\)?$/.exec(text);
    if (!m) continue;
    let file = m[1];
    if (file.startsWith('file://')) {
      try {
        file = fileURLToPath(file);
      } catch {
        continue;
      }
    }
    out.push({ file, line: m[2], column: m[3] });
  }
  return out;
}

/**
 * The innermost frame of `stack` in the user's code, as `file:line:column`: the first one that is
 * neither strata's, nor a package's (node_modules, the runner's bundle cache included), nor Node's.
 */
export function userFrame(stack: string | undefined): string | undefined {
  const lib = strataRoot();
  const frame = frames(stack).find((f) => isAbsolute(f.file) && !f.file.startsWith(lib) && !f.file.split(/[\\/]/).includes('node_modules'));
  if (!frame) return undefined;
  const rel = relative(process.cwd(), frame.file);
  const file = rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel.split(sep).join('/') : frame.file;
  return `${file}:${frame.line}:${frame.column}`;
}

/** Gives `to` the call site recorded for `from`: a cluster rebuilt after a synth keeps its addCluster line. */
export function copyDefinition(to: IConstruct, from: IConstruct): void {
  const capture = captures.get(from);
  if (capture) captures.set(to, capture);
}
