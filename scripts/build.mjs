#!/usr/bin/env node
// `npm run build`: builds the package into build/ (git-ignored; `npm pack` runs it first):
//   build/*.js       the library (lib/index.ts) and the commands `strata validate` and `strata plan`
//                    (lib/validate/cli.ts, lib/plan/cli.ts), ES modules bundled by esbuild with
//                    the code they share split into chunks, so each loads only what it needs
//   build/types/     declarations of lib/ and of the bindings in imports/ it uses, by tsc
// The package's own dependencies stay external imports, so a project's own CRD bindings and strata
// share one cdk8s and one constructs; the schema models (kubernetes-models, @kubernetes-models/*)
// are bundled in: thousands of small modules that load far faster as one file (scripts/run.mjs does
// the same), and with them every package they need that is not a dependency of ours (npm may
// install those nested below kubernetes-models, where a bundle in build/ would not find them).
// esbuild for the JavaScript: a bundle starts in a fraction of the time Node takes to load the
// 200 modules tsc would emit one by one; tsc only for the declarations, which esbuild cannot write.
import { spawnSync } from 'node:child_process';
import { readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { builtinModules, createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = fileURLToPath(new URL('..', import.meta.url));
const OUT = 'build';
const BUNDLED = /^(kubernetes-models|@kubernetes-models\/)/;
const manifest = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
// re2-wasm (regular expressions of some schemas) loads its .wasm file beside its own module; npm
// installs it at the top of node_modules (a dependency of kubernetes-models' validator).
const EXTERNAL = new Set([...Object.keys(manifest.dependencies ?? {}), ...Object.keys(manifest.peerDependencies ?? {}), 're2-wasm', ...builtinModules]);
/** `@scope/name/sub/path` → `@scope/name`, `name/sub` → `name`. */
const packageOf = (specifier) => specifier.split('/').slice(0, specifier.startsWith('@') ? 2 : 1).join('/');
const external = (specifier) => specifier.startsWith('node:') || (!BUNDLED.test(specifier) && EXTERNAL.has(packageOf(specifier)));

rmSync(new URL(`../${OUT}`, import.meta.url), { recursive: true, force: true });
await build({
  absWorkingDir: root,
  entryPoints: { index: 'lib/index.ts', 'validate-cli': 'lib/validate/cli.ts', 'plan-cli': 'lib/plan/cli.ts' },
  outdir: OUT,
  bundle: true,
  splitting: true,
  chunkNames: 'chunks/[name]-[hash]',
  platform: 'node',
  format: 'esm',
  target: 'node20',
  logLevel: 'warning',
  // The bundled schema models hold CommonJS code that calls require(): give it one.
  banner: { js: "import { createRequire as __strataRequire } from 'node:module'; const require = __strataRequire(import.meta.url);" },
  plugins: [{
    name: 'externals',
    setup(b) {
      b.onResolve({ filter: /^[^./]/ }, (a) => (external(a.path) ? { path: a.path, external: true } : undefined));
    },
  }],
});
// Comments esbuild keeps as written may hold characters outside ASCII (its strings and names it
// escapes): one makes V8 keep the whole module text two bytes per character. See scripts/run.mjs.
for (const file of readdirSync(join(root, OUT), { recursive: true }).filter((f) => f.endsWith('.js')).map((f) => join(root, OUT, f))) {
  const text = readFileSync(file, 'utf8');
  if (/[^\x00-\x7f]/.test(text)) writeFileSync(file, text.replace(/[^\x00-\x7f]/g, '?'));
}
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
const types = spawnSync(process.execPath, [tsc, '-p', 'tsconfig.build.json'], { cwd: root, stdio: 'inherit' });
if (types.status !== 0) {
  console.error('npm run build: tsc could not write the declarations (above)');
  process.exit(1);
}
