// Cycles of a directed graph, for the checks that must find every loop (Flux dependsOn) and the
// tests that forbid import circles. A graph maps each node to the nodes it points at.

/** Strongly connected components (Tarjan), each in the order of the graph's keys. */
export function stronglyConnected<T>(graph: ReadonlyMap<T, readonly T[]>): T[][] {
  const index = new Map<T, number>();
  const low = new Map<T, number>();
  const stack: T[] = [];
  const onStack = new Set<T>();
  const result: T[][] = [];
  const order = [...graph.keys()];
  const visit = (v: T): void => {
    index.set(v, index.size);
    low.set(v, index.get(v)!);
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) === index.get(v)) {
      const scc: T[] = [];
      let w: T;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        scc.push(w);
      } while (w !== v);
      result.push(scc.sort((a, b) => order.indexOf(a) - order.indexOf(b)));
    }
  };
  for (const v of order) if (!index.has(v)) visit(v);
  return result;
}

/** The shortest path from `start` back to itself inside `members` (breadth-first), as a closed path. */
export function shortestCycle<T>(start: T, graph: ReadonlyMap<T, readonly T[]>, members: ReadonlySet<T>): T[] {
  const previous = new Map<T, T>();
  const queue: T[] = [start];
  while (queue.length > 0) {
    const v = queue.shift()!;
    for (const w of graph.get(v) ?? []) {
      if (!members.has(w)) continue;
      if (w === start) {
        const path = [v];
        while (path[0] !== start) path.unshift(previous.get(path[0])!);
        return [...path, start];
      }
      if (!previous.has(w)) {
        previous.set(w, v);
        queue.push(w);
      }
    }
  }
  return [start, start];
}

/**
 * One closed path per cycle of the graph: per strongly connected component of more than one node
 * (or a node pointing at itself), the shortest loop through its first node in key order.
 */
export function cyclesOf<T>(graph: ReadonlyMap<T, readonly T[]>): T[][] {
  return stronglyConnected(graph).flatMap((scc) => {
    const [first] = scc;
    if (scc.length === 1 && !(graph.get(first) ?? []).includes(first)) return [];
    return [shortestCycle(first, graph, new Set(scc))];
  });
}
