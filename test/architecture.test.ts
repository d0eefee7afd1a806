// The shape of lib/'s module graph (DESIGN.md, "Folder layout"): no import cycles at all, and
// dependencies pointing down where DESIGN.md states the direction.
import { edgesBetween, importCycles, libImportGraph, type ImportGraph } from './support/import-graph.js';

const { graph, unresolved } = libImportGraph(process.cwd());

describe('the import graph reader', () => {
  test('resolves every relative import of lib/ to a file, so no edge is silently missing', () => {
    expect(unresolved).toEqual([]);
    expect(graph.size).toBeGreaterThan(100);
  });

  test('sees value, type-only and re-export edges', () => {
    expect(graph.get('lib/fleet/fleet.ts')).toContain('lib/synth/pipeline.ts'); // import { … }
    expect(graph.get('lib/fleet/fleet.ts')).toContain('lib/synth/model.ts'); // import type { … }
    expect(graph.get('lib/index.ts')).toContain('lib/fleet/fleet.ts'); // export * from
  });

  test('finds a cycle, type-only or not, and names its path', () => {
    const g: ImportGraph = new Map([
      ['lib/a.ts', ['lib/b.ts']],
      ['lib/b.ts', ['lib/c.ts', 'lib/d.ts']],
      ['lib/c.ts', ['lib/a.ts']],
      ['lib/d.ts', []],
      ['lib/e.ts', ['lib/e.ts']],
    ]);
    expect(importCycles(g)).toEqual(['lib/a.ts → lib/b.ts → lib/c.ts → lib/a.ts', 'lib/e.ts → lib/e.ts']);
    expect(importCycles(new Map([['lib/a.ts', ['lib/b.ts']], ['lib/b.ts', []]]))).toEqual([]);
  });
});

describe('lib/ module graph', () => {
  test('has no import cycles', () => {
    expect(importCycles(graph)).toEqual([]);
  });

  test('workloads never import synth (they may use autoscaling and fleet)', () => {
    expect(edgesBetween(graph, ['workloads'], ['synth'])).toEqual([]);
  });

  test('synth, validate and plan never import workloads', () => {
    expect(edgesBetween(graph, ['synth', 'validate', 'plan'], ['workloads'])).toEqual([]);
  });

  test('the layer check sees an edge where one exists', () => {
    expect(edgesBetween(graph, ['workloads'], ['fleet'])).toContain('lib/workloads/workload.ts → lib/fleet/cluster.ts');
  });
});
