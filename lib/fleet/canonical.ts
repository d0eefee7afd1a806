// Output is canonical for inputs that are sets: declaring the same tenants, claims, volumes or
// node requirements in another order must not change a byte of dist/ (and for immutable fields,
// such as a StatefulSet's volumeClaimTemplates, must not force a replacement).

/** Orders strings by UTF-16 code units, as the YAML writer orders keys: the same on every machine. */
export function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** `items` sorted by `key` (code units) with repeated keys kept once (the first), for inputs that are sets. */
export function canonicalSet<T>(items: readonly T[], key: (item: T) => string = String): T[] {
  const seen = new Set<string>();
  return items
    .map((item) => ({ item, k: key(item) }))
    .sort((a, b) => compareStrings(a.k, b.k))
    .filter(({ k }) => (seen.has(k) ? false : (seen.add(k), true)))
    .map(({ item }) => item);
}

/** The entries of a record (a map from name to value) in name order, whatever order its keys were written in. */
export function sortedEntries<T>(record: Readonly<Record<string, T>>): [string, T][] {
  return Object.entries(record).sort(([a], [b]) => compareStrings(a, b));
}
