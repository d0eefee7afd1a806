#!/usr/bin/env node
// Regenerates imports/ from the CRD sources listed in cdk8s.yaml, one `cdk8s import` per CRD
// (`name:=source`), so two CRDs of one API group never overwrite each other.
// STRATA_CRD_DIR=<dir> reads each source by file name from <dir> (searched recursively) instead of
// downloading it: the same bindings, generated offline from pinned local copies. An entry that is
// a file in the repository (a project's own CRD, e.g. under crds/) is read from there; synth and
// `npm run validate` register its kinds too (lib/validate/project.ts).
// Then derives imports/known-fields.ts from the bindings (scripts/known-fields.mjs), so synth
// rejects fields the CRDs do not know.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { parse } from 'yaml';

const config = parse(readFileSync('cdk8s.yaml', 'utf8'));
const localDir = process.env.STRATA_CRD_DIR ? resolve(process.env.STRATA_CRD_DIR) : undefined;

function filesBelow(dir) {
  return readdirSync(dir).flatMap((entry) => {
    const path = join(dir, entry);
    return statSync(path).isDirectory() ? filesBelow(path) : [path];
  });
}
const local = localDir ? new Map(filesBelow(localDir).map((f) => [basename(f), f])) : undefined;

function sourceOf(spec) {
  const [name, url] = spec.split(':=');
  // A CRD committed in the repository (`widgets:=crds/widgets.example.com.yaml`) is read as it is.
  if (!local || !/^[a-z][a-z0-9+.-]*:\/\//i.test(url ?? spec)) return spec;
  const file = local.get(basename(url));
  if (!file) throw new Error(`${basename(url)} (for ${name}) not found under ${localDir}`);
  return `${name}:=${file}`;
}

const cli = resolve('node_modules/.bin/cdk8s');
if (!existsSync(cli)) throw new Error('cdk8s-cli is not installed: run `npm ci` first');
rmSync('imports', { recursive: true, force: true });
for (const spec of config.imports) {
  const source = sourceOf(spec);
  console.log(`import ${source}`);
  execFileSync(cli, ['import', source, '--language', 'typescript', '--output', 'imports', '--check-upgrade=false'], { stdio: 'inherit' });
}
execFileSync(process.execPath, ['scripts/known-fields.mjs'], { stdio: 'inherit' });
