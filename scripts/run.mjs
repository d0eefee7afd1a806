#!/usr/bin/env node
// `node scripts/run.mjs <entry.ts> [args...]` (or `--prepare` to prebuild the schema and library bundles): runs a TypeScript entry point fast. esbuild bundles
// it (types stripped, no type-checking: `npm run typecheck` does that) into one ESM file under
// node_modules/.cache/strata, reused while no input changed. Dependencies stay external, except the
// schema models module (lib/validate/models.ts): it pulls in hundreds of small modules that load
// far faster as one file, and the CRD validators compiled ahead of time (5 MB), so it is bundled
// on its own, once per installed dependency set and version of those validators.
// The library (lib/index.ts) is a bundle of its own too, so editing the fleet definition (main.ts)
// re-bundles only that file. In a project that installed the package (`strata run main.ts`), only
// the project's own code is bundled: strata is a package like any other, already built.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, dirname, join, resolve, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

// `cdk8s synth` deletes its output folder and only then runs the app (cdk8s-cli 2.207's synth
// command: `fs.rmSync(outdir)`, then the app with CDK8S_OUTDIR and CDK8S_RECORD_CONSTRUCT_METADATA
// set). cdk8s.yaml's `output` is a scratch folder for that reason (never dist/, where `flux
// bootstrap` commits clusters/<cluster>/flux-system/), and an app it runs refuses: strata writes
// dist/ itself. `npm run synth` (scripts/synth.mjs) never passes the variable on.
if (process.env.CDK8S_RECORD_CONSTRUCT_METADATA !== undefined) {
  console.error(
    'strata: `cdk8s synth` deletes its output folder before it runs the app, and on dist/ that deletes what `flux bootstrap` ' +
    'committed in clusters/<cluster>/flux-system/: run `npm run synth`, which writes dist/ in place and keeps those files ' +
    '(if you gave `cdk8s synth` --output, it has deleted that folder already: `git checkout -- <folder>` restores it)',
  );
  process.exit(2);
}

const root = process.cwd();
// The package's home (this repository, or a copy of it) runs the library from its source, the
// schema models and the library as bundles of their own; a project that installed the package
// imports it, built, like any other package, and gets only its own code bundled.
const packageName = (dir) => {
  try {
    return JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')).name;
  } catch {
    return undefined;
  }
};
const HOME = packageName(root) === packageName(fileURLToPath(new URL('..', import.meta.url)));
const cacheDir = join(root, 'node_modules', '.cache', 'strata');
const VENDOR_ENTRY = join(root, 'lib', 'validate', 'models.ts');
const VENDOR_OWN = ['crd-validators.ts', 'formats.ts'].map((f) => join(root, 'lib', 'validate', f));
const SELF = fileURLToPath(import.meta.url);
const LIB_DIR = join(root, 'lib') + sep;
const LIB_ENTRY = join(root, 'lib', 'index.ts');

const hash = (...parts) => createHash('sha1').update(parts.join('\0')).digest('hex').slice(0, 12);
const stamp = (file) => {
  const s = statSync(file);
  return `${s.size}:${s.mtimeMs}`;
};

/**
 * A bundle's text with every character outside ASCII made `?`. esbuild escapes them in strings,
 * regular expressions and names (its default `charset: 'ascii'`) but keeps comments as written, and
 * one `→` in a comment makes V8 keep the whole text two bytes per character (the library's 1.6 MB
 * as 3.3 MB, in every thread). One character for one keeps every column the source map names.
 */
const asciiOnly = (text) => text.replace(/[^\x00-\x7f]/g, '?');

/** Writes esbuild's output files under temporary names, then renames them: concurrent runs never see half a file. */
function commit(outputFiles) {
  for (const f of outputFiles) {
    const tmp = `${f.path}.${process.pid}.tmp`;
    writeFileSync(tmp, f.path.endsWith('.mjs') ? asciiOnly(f.text) : f.contents);
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

/**
 * The prebundled schema models, keyed by the lock file, the module's own text and the files of
 * this repository it bundles (the CRD validators compiled ahead of time and their formats).
 */
async function vendorBundle() {
  const own = VENDOR_OWN.map((f) => readFileSync(f, 'utf8'));
  const key = hash(readFileSync(join(root, 'package-lock.json'), 'utf8'), readFileSync(VENDOR_ENTRY, 'utf8'), ...own, readFileSync(SELF, 'utf8'));
  const outfile = join(cacheDir, `models-${key}.mjs`);
  if (!existsSync(outfile)) {
    // re2-wasm (regular expressions of some CRD schemas) loads its .wasm file beside its own
    // module: it stays a package, loaded from node_modules.
    // Whitespace minified: the compiled validators are megabytes of generated code, and parsing costs by the byte.
    const result = await build({ ...common, entryPoints: [VENDOR_ENTRY], outfile, banner, packages: undefined, external: ['re2-wasm'], minifyWhitespace: true });
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

/** True for a module of the library itself (lib/), which the library bundle holds. */
const isLibraryFile = (file) => file.startsWith(LIB_DIR);

/**
 * Bundles `entry`, reused while none of its inputs changed. With `library` (the prebuilt bundle of
 * lib/index.ts), an entry that imports the library only through lib/index.js gets just its own
 * code, so a changed fleet definition re-bundles in a fraction of the time; an entry that also
 * imports other lib/ modules gets the library bundled in, so every module exists once.
 */
async function appBundle(entry, vendor, library) {
  const outfile = join(cacheDir, `${basename(entry, '.ts')}-${hash(resolve(entry))}.mjs`);
  const stampFile = `${outfile}.inputs.json`;
  const deps = JSON.stringify({ vendor, library });
  if (existsSync(outfile) && existsSync(stampFile)) {
    const inputs = JSON.parse(readFileSync(stampFile, 'utf8'));
    const fresh = inputs.deps === deps && Object.entries(inputs.files).every(([file, s]) => existsSync(file) && stamp(file) === s);
    if (fresh) return outfile;
  }
  const bundle = (split) => build({
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
        if (vendor) b.onResolve({ filter: /models\.js$/ }, (a) => {
          const target = resolve(dirname(a.importer), a.path.replace(/\.js$/, '.ts'));
          return target === VENDOR_ENTRY ? { path: vendor, external: true } : undefined;
        });
        if (split) {
          b.onResolve({ filter: /index\.js$/ }, (a) => {
            const target = resolve(dirname(a.importer), a.path.replace(/\.js$/, '.ts'));
            return target === LIB_ENTRY && !isLibraryFile(a.importer) ? { path: library, external: true } : undefined;
          });
        }
        // Packages stay external (what `packages: 'external'` does), CommonJS ones loaded with require().
        b.onResolve({ filter: /^[^./]/ }, (a) => (a.namespace !== 'require' && isCommonJs(a.path) ? { path: a.path, namespace: 'require' } : { path: a.path, external: true }));
        b.onLoad({ filter: /.*/, namespace: 'require' }, (a) => ({ contents: `module.exports = require(${JSON.stringify(a.path)});`, loader: 'js' }));
      },
    }],
  });
  let result = await bundle(Boolean(library) && !isLibraryFile(resolve(entry)));
  const bundled = (r) => Object.keys(r.metafile.inputs).filter((f) => !f.startsWith('require:')).map((f) => join(root, f));
  if (library && bundled(result).some(isLibraryFile)) result = await bundle(false);
  commit(result.outputFiles);
  // This script's own stamp too: how it bundles is an input of every bundle.
  const files = { [SELF]: stamp(SELF) };
  for (const file of bundled(result)) files[file] = stamp(file);
  writeFileSync(stampFile, JSON.stringify({ deps, files }));
  return outfile;
}

const [entry, ...args] = process.argv.slice(2);
if (entry === '--prepare') {
  // `npm install` runs this (package.json `prepare`), so the first synth after a clone is as fast as the next.
  if (!HOME) process.exit(0);
  mkdirSync(cacheDir, { recursive: true });
  await appBundle(LIB_ENTRY, await vendorBundle());
  process.exit(0);
}
const USAGE = 'usage: node scripts/run.mjs <entry.ts> [args...]   (installed: strata run <entry.ts> [args...])';
if (entry === '--help' || entry === '-h') {
  console.log(`${USAGE}\nBundles the TypeScript program <entry.ts> with esbuild (types stripped, no type-checking) and runs it with [args...].\nexit codes: the program's own; 1 when it does not build; 2 usage (no such file)`);
  process.exit(0);
}
if (!entry || entry.startsWith('-')) {
  console.error(entry ? `strata run: unknown option ${entry}\n${USAGE}` : USAGE);
  process.exit(2);
}
// esbuild's own words for a missing entry ("cannot be marked as external") come with its stack.
const found = statSync(entry, { throwIfNoEntry: false });
if (!found?.isFile()) {
  console.error(`strata run: ${entry}: ${found ? 'not a file' : 'no such file'} (in ${process.cwd()}): give the path of the program, e.g. main.ts`);
  process.exit(2);
}
mkdirSync(cacheDir, { recursive: true });
let outfile;
try {
  const vendor = HOME ? await vendorBundle() : undefined;
  const library = !HOME || resolve(entry) === LIB_ENTRY ? undefined : await appBundle(LIB_ENTRY, vendor);
  outfile = await appBundle(entry, vendor, library);
} catch (e) {
  // A build failure (a syntax error, an import that does not resolve): esbuild has printed each
  // error with its file and line above; its stack would only bury them.
  if (!Array.isArray(e?.errors)) throw e;
  console.error(`strata run: ${entry} does not build (${e.errors.length === 1 ? '1 error' : `${e.errors.length} errors`} above); nothing run`);
  process.exit(1);
}
process.argv = [process.argv[0], resolve(entry), ...args];
// strata's dependencies first, so Node keeps none of their maps (scripts/unmapped.cjs).
const UNMAPPED = new URL('./unmapped.cjs', import.meta.url);
createRequire(import.meta.url)(fileURLToPath(UNMAPPED))();
// Stacks name the TypeScript sources (main.ts:42:5), not the bundles in the cache: the bundles
// carry linked source maps. Node maps a stack only when it is read, so an unread one costs nothing.
process.setSourceMapsEnabled(true);
// A synth's job threads (lib/synth/jobs.ts) run the same bundle again: they find it here (with
// this process's id: a program this one starts inherits the variable and must not use it), and
// the module that loads strata's dependencies before source maps are on.
process.env.STRATA_ENTRY = `${process.pid} ${pathToFileURL(outfile).href} ${UNMAPPED.href}`;
try {
  await import(pathToFileURL(outfile).href);
} catch (e) {
  // A StrataError the program did not catch (e.g. `fleet.cluster('unknown')` in main.ts) is a
  // mistake in the fleet's code, not a crash: one line naming the user's line, exit code 1; a
  // SynthError (a `fleet.render()` of the program) is its report. Anything else is a bug: its stack.
  if (e?.name === 'SynthError') {
    console.error(e.message);
    process.exit(1);
  }
  if (e?.name !== 'StrataError') throw e;
  console.error(`strata: ${e.message}${e.source ? ` (${e.source})` : ''}; nothing written`);
  process.exit(1);
}
