// A package-lock.json for a new project, cut from this repository's: the packages the project's
// dependencies need, at the versions and paths this repository installed. `npm ci --offline` then
// installs it from the npm cache alone: it needs no registry metadata, which `npm ci` never caches.

/** One `packages` entry of a lockfile (v3). */
interface LockEntry {
  readonly version?: string;
  readonly dependencies?: Record<string, string>;
  readonly optionalDependencies?: Record<string, string>;
  readonly peerDependencies?: Record<string, string>;
  readonly peerDependenciesMeta?: Record<string, { optional?: boolean }>;
  readonly [key: string]: unknown;
}

export interface Lockfile {
  readonly lockfileVersion: number;
  readonly packages: Record<string, LockEntry>;
}

/** The folder a lockfile path's package is installed in: `node_modules/a/node_modules/b` → `node_modules/a`. */
function parentOf(path: string): string {
  const at = path.lastIndexOf('/node_modules/');
  return at < 0 ? '' : path.slice(0, at);
}

/** What an entry's package needs installed: its dependencies, optional ones and required peers. */
function needs(entry: LockEntry): string[] {
  const peers = Object.keys(entry.peerDependencies ?? {}).filter((name) => !entry.peerDependenciesMeta?.[name]?.optional);
  return [...Object.keys(entry.dependencies ?? {}), ...Object.keys(entry.optionalDependencies ?? {}), ...peers];
}

/**
 * The entries of `lock` that `roots` (package names, required from the project folder) need,
 * each found the way Node finds it: in the nearest `node_modules` up from the requiring package.
 * @throws Error when a required package is not in `lock`
 */
export function lockedClosure(lock: Lockfile, roots: readonly string[], from = ''): Record<string, LockEntry> {
  const kept: Record<string, LockEntry> = {};
  const visit = (requirer: string, name: string, optional: boolean): void => {
    for (let dir = requirer; ; dir = parentOf(dir)) {
      const path = `${dir ? `${dir}/` : ''}node_modules/${name}`;
      const entry = lock.packages[path];
      if (entry) {
        if (kept[path]) return;
        kept[path] = entry;
        const optionals = new Set(Object.keys(entry.optionalDependencies ?? {}));
        for (const dep of needs(entry)) visit(path, dep, optionals.has(dep));
        return;
      }
      if (!dir) break;
    }
    // A platform package of another os or cpu is not installed here, so not locked either.
    if (!optional) throw new Error(`${name} (needed by ${requirer || 'the project'}) is not in the lockfile`);
  };
  for (const name of roots) visit(from, name, false);
  return kept;
}
