#!/usr/bin/env node
// `node scripts/run.mjs <entry.ts> [args...]` (or `--prepare` to prebuild the schema bundle): runs a TypeScript entry point fast. esbuild bundles
// it (types stripped, no type-checking: `npm run typecheck` does that) into one ESM file under
// node_modules/.cache/strata, reused while no input changed. Dependencies stay external, except the
// schema models module (lib/validate/models.ts): it pulls in thousands of small ES modules that
// load far faster as one file, so it is bundled on its own, once per installed dependency set.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = process.cwd();
const cacheDir = join(root, 'node_modules', '.cache', 'strata');
const VENDOR_ENTRY = join(root, 'lib', 'validate', 'models.ts');
const SELF = fileURLToPath(import.meta.url);

const hash = (...parts) => createHash('sha1').update(parts.join('\0')).digest('hex').slice(0, 12);
const stamp = (file) => {
  const s = statSync(file);
  return `${s.size}:${s.mtimeMs}`;
};

/** Writes esbuild's output files under temporary names, then renames them: concurrent runs never see half a file. */
function commit(outputFiles) {
  for (const f of outputFiles) {
    const tmp = `${f.path}.${process.pid}.tmp`;
    writeFileSync(tmp, f.contents);
    renameSync(tmp, f.path);
  }
}

const common = { bundle: true, platform: 'node', format: 'esm', target: 'node20', logLevel: 'warning', write: false };
// CommonJS code bundled into ESM calls require(): give it one.
const banner = { js: "import { createRequire as __strataRequire } from 'node:module'; const require = __strataRequire(import.meta.url);" };

/** esbuild, loaded only when something must be bundled (loading it costs a cached run ~80 ms). */
async function build(options) {
  const esbuild = await import('esbuild');
  return esbuild.build(options);
}

/** The prebundled schema models, keyed by the lock file and the module's own text. */
async function vendorBundle() {
  const key = hash(readFileSync(join(root, 'package-lock.json'), 'utf8'), readFileSync(VENDOR_ENTRY, 'utf8'));
  const outfile = join(cacheDir, `models-${key}.mjs`);
  if (!existsSync(outfile)) {
    const result = await build({ ...common, entryPoints: [VENDOR_ENTRY], outfile, banner, packages: undefined });
    commit(result.outputFiles);
  }
  return outfile;
}

const commonJs = new Map();

/**
 * True for a package with no ES module entry (cdk8s, cdk8s-plus-27 and constructs are CommonJS).
 * An `import` of one makes Node scan its source for export names (cdk8s-plus-27's bindings are
 * megabytes); a `require` does not, so the bundle requires them (30–70 ms less start-up).
 */
function isCommonJs(specifier) {
  if (specifier.startsWith('node:')) return false;
  const name = specifier.split('/').slice(0, specifier.startsWith('@') ? 2 : 1).join('/');
  if (!commonJs.has(name)) {
    let cjs = false;
    try {
      const pkg = JSON.parse(readFileSync(join(root, 'node_modules', name, 'package.json'), 'utf8'));
      cjs = pkg.type !== 'module' && pkg.module === undefined && !JSON.stringify(pkg.exports ?? {}).includes('"import"');
    } catch {
      // not an installed package (a Node built-in): leave it to esbuild
    }
    commonJs.set(name, cjs);
  }
  return commonJs.get(name);
}

async function appBundle(entry, vendor) {
  const outfile = join(cacheDir, `${basename(entry, '.ts')}-${hash(resolve(entry))}.mjs`);
  const stampFile = `${outfile}.inputs.json`;
  if (existsSync(outfile) && existsSync(stampFile)) {
    const inputs = JSON.parse(readFileSync(stampFile, 'utf8'));
    const fresh = inputs.vendor === vendor && Object.entries(inputs.files).every(([file, s]) => existsSync(file) && stamp(file) === s);
    if (fresh) return outfile;
  }
  const result = await build({
    ...common,
    entryPoints: [entry],
    outfile,
    metafile: true,
    // Maps point at the sources in the repository rather than embedding them: a cold bundle writes 2.6 MB less.
    sourcemap: 'linked',
    sourcesContent: false,
    banner,
    plugins: [{
      name: 'vendor',
      setup(b) {
        b.onResolve({ filter: /models\.js$/ }, (a) => {
          const target = resolve(dirname(a.importer), a.path.replace(/\.js$/, '.ts'));
          return target === VENDOR_ENTRY ? { path: vendor, external: true } : undefined;
        });
        // Packages stay external (what `packages: 'external'` does), CommonJS ones loaded with require().
        b.onResolve({ filter: /^[^./]/ }, (a) => (a.namespace !== 'require' && isCommonJs(a.path) ? { path: a.path, namespace: 'require' } : { path: a.path, external: true }));
        b.onLoad({ filter: /.*/, namespace: 'require' }, (a) => ({ contents: `module.exports = require(${JSON.stringify(a.path)});`, loader: 'js' }));
      },
    }],
  });
  commit(result.outputFiles);
  // This script's own stamp too: how it bundles is an input of every bundle.
  const files = { [SELF]: stamp(SELF) };
  for (const file of Object.keys(result.metafile.inputs)) if (!file.startsWith('require:')) files[join(root, file)] = stamp(join(root, file));
  writeFileSync(stampFile, JSON.stringify({ vendor, files }));
  return outfile;
}

const [entry, ...args] = process.argv.slice(2);
if (entry === '--prepare') {
  // `npm install` runs this (package.json `prepare`), so the first synth after a clone is as fast as the next.
  mkdirSync(cacheDir, { recursive: true });
  await vendorBundle();
  process.exit(0);
}
if (!entry) {
  console.error('usage: node scripts/run.mjs <entry.ts> [args...]');
  process.exit(2);
}
mkdirSync(cacheDir, { recursive: true });
const outfile = await appBundle(entry, await vendorBundle());
process.argv = [process.argv[0], resolve(entry), ...args];
await import(pathToFileURL(outfile).href);
