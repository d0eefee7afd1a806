#!/usr/bin/env node
// `npm run import`: regenerates imports/ from the `imports` entries of cdk8s.yaml — strata's own
// and any the project added — one `cdk8s import` per entry (`name:=source`), so two CRDs of one
// API group never overwrite each other; then, in strata's own repository, derives
// imports/known-fields.ts from the bindings (scripts/known-fields.mjs), so synth rejects fields
// the CRDs do not know.
//
// Where a source is read from:
//   https://…/x.yaml  downloaded; with STRATA_CRD_DIR=<dir>, the file x.yaml under <dir> (searched
//                     recursively) instead: the same pinned CRDs, offline
//   crds/x.yaml       a CRD file of the project, read as it is (relative to cdk8s.yaml); synth and
//                     `npm run validate` register its kinds too (lib/validate/project.ts)
//   k8s, helm:…, …    handed to `cdk8s import` unchanged
//
// Nothing changes until everything succeeded: sources are read first, the bindings generated in a
// work folder beside imports/ (.import.strata/, git-ignored) and swapped in by two renames; a run
// killed between them is undone by the next. cdk8s-cli runs with --no-save, so it never writes
// the project's cdk8s.yaml (it would add each source it was given, local paths of this machine
// included).
// Exit codes: 0 regenerated, 1 a source could not be read or generated (imports/ unchanged),
// 2 cdk8s.yaml has no usable `imports`. Each failure is one line on stderr (cdk8s-cli's own
// output above it when it failed).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, dirname, isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { parse, stringify } from 'yaml';

const OUT = 'imports';
const WORK = '.import.strata';
const DOWNLOAD_TIMEOUT_MS = 60_000;
// Derives strata's own known-field tree: only in the package's home, where strata's bindings are
// generated; a project that installed the package gets bindings for its own code only.
const KNOWN_FIELDS = fileURLToPath(new URL('./known-fields.mjs', import.meta.url));

/** A failure that ends the run: `message` is its one line, `code` the exit code. */
class ImportError extends Error {
  constructor(message, code = 1) {
    super(message);
    this.code = code;
  }
}

const isUrl = (source) => /^https?:\/\//i.test(source);
/** A local path of one machine (`/home/…`, `C:\…`, `file:…`): never portable, never in cdk8s.yaml. */
const isMachinePath = (source) => isAbsolute(source) || /^[a-z]:[\\/]/i.test(source) || /^file:/i.test(source);

/**
 * The entries of cdk8s.yaml's `imports`: `{ name, source, spec }`, `name` undefined where the entry
 * has none (cdk8s-cli then names the module after the CRD's group).
 * @throws ImportError (exit 2) for a missing list, a duplicate name or a path of this machine
 */
function importEntries(config) {
  if (!Array.isArray(config?.imports) || config.imports.length === 0) {
    throw new ImportError('npm run import: cdk8s.yaml has no `imports` list: name each CRD as `- <name>:=<pinned URL or crds/<file>.yaml>`', 2);
  }
  const entries = config.imports.map((spec) => {
    const text = String(spec);
    const at = text.indexOf(':=');
    return at < 0 ? { name: undefined, source: text, spec: text } : { name: text.slice(0, at), source: text.slice(at + 2), spec: text };
  });
  const problems = [];
  const seen = new Map();
  for (const e of entries) {
    const key = e.name ?? e.source;
    if (seen.has(key)) problems.push(`${JSON.stringify(key)} is imported twice (${seen.get(key)} and ${e.spec})`);
    seen.set(key, e.spec);
    if (isMachinePath(e.source)) problems.push(`${e.spec} names a file of this machine: commit the CRD (e.g. under crds/) and name it by its path in the repository; for local copies of the URL sources set STRATA_CRD_DIR`);
  }
  if (problems.length > 0) throw new ImportError(`npm run import: cdk8s.yaml imports: ${problems.join('; ')}`, 2);
  return entries;
}

function filesBelow(dir) {
  return readdirSync(dir).flatMap((entry) => {
    const path = join(dir, entry);
    return statSync(path).isDirectory() ? filesBelow(path) : [path];
  });
}

/** File name → path of every file under STRATA_CRD_DIR; a name found twice is ambiguous. */
function localCopies(dir) {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new ImportError(`npm run import: STRATA_CRD_DIR=${dir} is not a folder`);
  const copies = new Map();
  for (const file of filesBelow(dir)) {
    const name = basename(file);
    copies.set(name, copies.has(name) ? null : file);
  }
  return copies;
}

/** Downloads `url` into `file`. A failure to connect at all gets the offline hint. */
async function download(url, file) {
  let response;
  try {
    response = await fetch(url, { signal: AbortSignal.timeout(DOWNLOAD_TIMEOUT_MS) });
  } catch (e) {
    const reason = e.cause?.code ?? e.cause?.message ?? e.name ?? e.message;
    throw new ImportError(`npm run import: cannot download ${url} (${reason}): offline? set STRATA_CRD_DIR=<folder with copies of the CRD files> to import from local copies; imports/ is unchanged`);
  }
  if (!response.ok) throw new ImportError(`npm run import: ${url} answered HTTP ${response.status}: check the pinned URL in cdk8s.yaml; imports/ is unchanged`);
  writeFileSync(file, Buffer.from(await response.arrayBuffer()));
}

/** A source that is a file or folder of the project (`crds/x.yaml`, `helm:./chart`), made absolute. */
function projectPath(source) {
  const [, prefix = '', path] = /^(helm:)?(.*)$/.exec(source);
  return existsSync(path) ? `${prefix}${resolve(path)}` : undefined;
}

/**
 * The spec to hand `cdk8s import` for each entry, its source made local: URLs downloaded into
 * `dir` (all at once) or found under STRATA_CRD_DIR, project files made absolute.
 */
async function localSpecs(entries, dir) {
  const copyDir = process.env.STRATA_CRD_DIR ? resolve(process.env.STRATA_CRD_DIR) : undefined;
  const copies = copyDir ? localCopies(copyDir) : undefined;
  mkdirSync(dir, { recursive: true });
  // Every download ends (settles) before the first failure is reported: none writes afterwards.
  const settled = await Promise.allSettled(entries.map(async (e, i) => {
    let source = e.source;
    if (isUrl(e.source)) {
      const file = basename(new URL(e.source).pathname);
      if (copies) {
        source = copies.get(file);
        if (source === undefined) throw new ImportError(`npm run import: ${file} (for ${e.spec}) is not under STRATA_CRD_DIR=${copyDir}`);
        if (source === null) throw new ImportError(`npm run import: ${file} (for ${e.spec}) is under STRATA_CRD_DIR=${copyDir} more than once`);
      } else {
        source = join(dir, `${i}-${file}`);
        await download(e.source, source);
      }
    } else {
      source = projectPath(e.source) ?? e.source;
      if (source === e.source && /\.(ya?ml|json)$/i.test(e.source)) throw new ImportError(`npm run import: ${e.source} (for ${e.spec}) does not exist`);
    }
    // cdk8s-cli generates nothing, and says nothing, for a file without a CRD (a typo'd path to a manifest).
    if (/\.(ya?ml|json)$/i.test(source) && !/^\s*"?kind"?\s*:\s*"?CustomResourceDefinition\b/m.test(readFileSync(source, 'utf8'))) {
      throw new ImportError(`npm run import: ${e.spec} holds no CustomResourceDefinition, so it would generate nothing`);
    }
    return e.name === undefined ? source : `${e.name}:=${source}`;
  }));
  const failed = settled.find((r) => r.status === 'rejected');
  if (failed) throw failed.reason;
  return settled.map((r) => r.value);
}

/**
 * Runs `cdk8s import` once for every spec into `outdir` (one process: its start-up costs seconds).
 * cdk8s-cli takes a list of specs only from the `imports` of the cdk8s.yaml in its working folder,
 * so it runs in `work` with one holding the local specs, and never saves to either file.
 */
function cdk8sImport(entries, specs, work, outdir) {
  const cli = cdk8sCli();
  for (const e of entries) console.log(`import ${e.spec}`);
  writeFileSync(join(work, 'cdk8s.yaml'), stringify({ language: 'typescript', imports: specs }));
  const r = spawnSync(process.execPath, [cli, 'import', '--output', outdir, '--no-save', '--check-upgrade=false'], { cwd: work, encoding: 'utf8' });
  if (r.status !== 0) {
    process.stderr.write(r.stdout + r.stderr);
    throw new ImportError('npm run import: `cdk8s import` failed (above); imports/ is unchanged');
  }
}

/**
 * The CLI of the cdk8s-cli next to strata: this repository's pinned devDependency, or the one a
 * project that installed the package added (an optional peer dependency: only `import` needs it).
 */
function cdk8sCli() {
  try {
    return join(dirname(createRequire(import.meta.url).resolve('cdk8s-cli/package.json')), 'bin', 'cdk8s');
  } catch {
    throw new ImportError('npm run import: needs cdk8s-cli, which is not installed: `npm install --save-dev cdk8s-cli`; imports/ is unchanged');
  }
}

/** Undoes a swap a killed run left half done: imports/ moved away, the new one not yet in place. */
function recover() {
  const old = join(WORK, 'old');
  if (!existsSync(OUT) && existsSync(old)) renameSync(old, OUT);
  rmSync(WORK, { recursive: true, force: true });
}

async function main() {
  if (!existsSync('cdk8s.yaml')) throw new ImportError('npm run import: no cdk8s.yaml here: run it in the project folder', 2);
  const entries = importEntries(parse(readFileSync('cdk8s.yaml', 'utf8')));
  recover();
  try {
    const specs = await localSpecs(entries, join(WORK, 'sources'));
    const next = join(WORK, OUT);
    mkdirSync(next, { recursive: true });
    cdk8sImport(entries, specs, WORK, resolve(next));
    const fields = existsSync(KNOWN_FIELDS) ? spawnSync(process.execPath, [KNOWN_FIELDS, '--dir', next], { encoding: 'utf8' }) : { status: 0 };
    if (fields.status !== 0) {
      process.stderr.write(fields.stdout + fields.stderr);
      throw new ImportError('npm run import: deriving known-fields.ts failed (above); imports/ is unchanged');
    }
    const before = existsSync(OUT) ? readdirSync(OUT) : [];
    const after = new Set(readdirSync(next));
    if (existsSync(OUT)) renameSync(OUT, join(WORK, 'old'));
    renameSync(next, OUT);
    for (const file of before.filter((f) => !after.has(f))) console.log(`removed ${OUT}/${file}: no cdk8s.yaml entry generates it`);
    console.log(`${OUT}/: ${after.size} files from ${entries.length} cdk8s.yaml entries`);
  } finally {
    recover();
  }
}

const USAGE = 'usage: npm run import';
const HELP = `${USAGE}
Regenerates imports/ from the \`imports\` entries of cdk8s.yaml (name:=source), then imports/known-fields.ts.

options:
  -h, --help        this text

environment:
  STRATA_CRD_DIR    a folder holding local copies of the URL sources (x.yaml, searched recursively): no download

exit codes:
  0  regenerated
  1  a source could not be read or generated; imports/ unchanged
  2  usage, or no cdk8s.yaml here, or its \`imports\` are unusable`;
try {
  if (parseArgs({ options: { help: { type: 'boolean', short: 'h' } } }).values.help) {
    console.log(HELP);
    process.exit(0);
  }
} catch (e) {
  console.error(`strata import: ${e.message.replace(/\s*\n\s*/g, ' ')}\n${USAGE}`);
  process.exit(2);
}
try {
  await main();
} catch (e) {
  if (!(e instanceof ImportError)) throw e;
  console.error(e.message);
  process.exit(e.code);
}
