// The module graph of lib/, read with the TypeScript compiler's import scanner (no type-check, no
// program: it only tokenizes each file). Every static edge counts: `import`, `import type`,
// `export ... from`, and `import()`; a type-only cycle still ties two modules into one.
import { readFileSync, readdirSync, existsSync } from 'node:fs';
import { dirname, join, posix, relative, resolve } from 'node:path';
import ts from 'typescript';
import { cyclesOf } from '../../lib/validate/graph.js';

/** Module (path relative to the repository, `lib/fleet/fleet.ts`) → the lib modules it imports. */
export type ImportGraph = ReadonlyMap<string, readonly string[]>;

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return sourceFiles(path);
    return e.name.endsWith('.ts') && !e.name.endsWith('.d.ts') ? [path] : [];
  });
}

/** The relative imports of `file` that resolve to a .ts file, as repository paths; `unresolved` collects the others. */
function importsOf(root: string, file: string, unresolved: string[]): string[] {
  const { importedFiles } = ts.preProcessFile(readFileSync(file, 'utf8'), true, true);
  const out: string[] = [];
  for (const { fileName } of importedFiles) {
    if (!fileName.startsWith('.')) continue; // a package
    const target = resolve(dirname(file), fileName.replace(/\.js$/, '.ts'));
    if (!existsSync(target)) {
      unresolved.push(`${relative(root, file)} → ${fileName}`);
      continue;
    }
    out.push(relative(root, target).split('\\').join(posix.sep));
  }
  return [...new Set(out)];
}

/** The graph of every module under `<root>/lib`, edges to modules outside lib/ (imports/) left out. */
export function libImportGraph(root: string): { graph: ImportGraph; unresolved: string[] } {
  const unresolved: string[] = [];
  const graph = new Map<string, string[]>();
  for (const file of sourceFiles(join(root, 'lib')).sort()) {
    const from = relative(root, file).split('\\').join(posix.sep);
    graph.set(from, importsOf(root, file, unresolved).filter((to) => to.startsWith('lib/')));
  }
  return { graph, unresolved };
}

/**
 * The import cycles of `graph`: one per strongly connected component of more than one module
 * (or a module importing itself), each as the path `a → b → … → a` through that component,
 * starting from its first module in alphabetical order.
 */
export function importCycles(graph: ImportGraph): string[] {
  const sorted = new Map([...graph.keys()].sort().map((k) => [k, graph.get(k)!]));
  return cyclesOf(sorted).map((cycle) => cycle.join(' → ')).sort();
}

/** The edges `from → to` of `graph` where `from` is under one of `fromDirs` and `to` under one of `toDirs` (folders of lib/). */
export function edgesBetween(graph: ImportGraph, fromDirs: readonly string[], toDirs: readonly string[]): string[] {
  const inDirs = (file: string, dirs: readonly string[]) => dirs.some((d) => file.startsWith(`lib/${d}/`));
  return [...graph].flatMap(([from, tos]) => (inDirs(from, fromDirs) ? tos.filter((to) => inDirs(to, toDirs)).map((to) => `${from} → ${to}`) : []));
}
