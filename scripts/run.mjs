#!/usr/bin/env node
// `node scripts/run.mjs <entry.ts> [args...]`: runs a TypeScript entry point fast. esbuild bundles
// it (types stripped, no type-checking: `npm run typecheck` does that) into one ESM file under
// node_modules/.cache/strata, reused while no input changed. The ESM-only schema packages
// (kubernetes-models, @kubernetes-models/*) are bundled in, since loading their thousands of
// small modules one by one costs more than the whole synth; CommonJS packages stay external.
import { build } from 'esbuild';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const [entry, ...args] = process.argv.slice(2);
if (!entry) {
  console.error('usage: node scripts/run.mjs <entry.ts> [args...]');
  process.exit(2);
}
const root = process.cwd();
const cacheDir = join(root, 'node_modules', '.cache', 'strata');
const key = createHash('sha1').update(resolve(entry)).digest('hex').slice(0, 8);
const outfile = join(cacheDir, `${basename(entry, '.ts')}-${key}.mjs`);
const stampFile = `${outfile}.inputs.json`;

/** The bundle is fresh when every input it was built from has the size and mtime recorded then. */
function isFresh() {
  if (!existsSync(outfile) || !existsSync(stampFile)) return false;
  const inputs = JSON.parse(readFileSync(stampFile, 'utf8'));
  return Object.entries(inputs).every(([file, stamp]) => {
    try {
      const s = statSync(file);
      return `${s.size}:${s.mtimeMs}` === stamp;
    } catch {
      return false;
    }
  });
}

const bundleSchemas = /^(kubernetes-models|@kubernetes-models\/)/;

if (!isFresh()) {
  mkdirSync(cacheDir, { recursive: true });
  const result = await build({
    entryPoints: [entry],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    metafile: true,
    sourcemap: 'linked',
    logLevel: 'warning',
    // Bundled CommonJS dependencies of the schema packages call require(): give them one.
    banner: { js: "import { createRequire as __strataRequire } from 'node:module'; const require = __strataRequire(import.meta.url);" },
    plugins: [{
      name: 'externals',
      setup(b) {
        b.onResolve({ filter: /^[^./]/ }, (a) => (a.kind === 'entry-point' || bundleSchemas.test(a.path) || a.importer.includes('/node_modules/') ? undefined : { path: a.path, external: true }));
      },
    }],
  });
  const inputs = {};
  for (const file of Object.keys(result.metafile.inputs)) {
    const s = statSync(join(root, file));
    inputs[join(root, file)] = `${s.size}:${s.mtimeMs}`;
  }
  writeFileSync(stampFile, JSON.stringify(inputs));
}

process.argv = [process.argv[0], resolve(entry), ...args];
await import(pathToFileURL(outfile).href);
