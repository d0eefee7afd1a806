#!/usr/bin/env node
// `node scripts/crd-schemas.mjs [--check]`: writes lib/validate/crd-schemas.ts, the schemas strata
// validates the custom resources of its own components with (Flux, KEDA, Karpenter, cert-manager,
// Gateway API, External Secrets, prometheus-operator), so no schema package is needed at synth time.
//
// Sources, all pinned:
// - every URL entry of cdk8s.yaml's `imports` (the CRDs `npm run import` generates imports/ from):
//   each served version's `openAPIV3Schema`, as the CRD states it, `description`s left out.
//   Downloaded, or with STRATA_CRD_DIR=<dir> read from the local copy of the same file name.
// - TYPED_KINDS: kinds whose CRD no pinned source of this repository carries (External Secrets and
//   prometheus-operator, whose CRDs ship only in Helm charts and release assets): the types of the
//   pinned @kubernetes-models packages (their .d.ts files, generated from the same CRDs), read with
//   the TypeScript compiler and written in the same openAPIV3Schema dialect. Types carry the
//   fields, their value types, enums and required fields; not the CRD's patterns and bounds.
//   The packages are installed into a temporary folder (npm), or read from STRATA_MODELS_DIR
//   (a folder whose node_modules holds them).
// Nothing here runs at synth or test time: the output is committed; `--check` exits 1 when the
// committed file differs from a fresh derivation.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { parse, parseAllDocuments } from 'yaml';

const { values: args } = parseArgs({ options: { check: { type: 'boolean' } } });
const OUT = join('lib', 'validate', 'crd-schemas.ts');
const require = createRequire(import.meta.url);

/** Kinds without a pinned CRD in cdk8s.yaml: package → the model files of its kinds. */
const TYPED_KINDS = {
  '@kubernetes-models/external-secrets@2.0.0': ['external-secrets.io/v1/ClusterSecretStore', 'external-secrets.io/v1/ExternalSecret', 'external-secrets.io/v1/SecretStore'],
  '@kubernetes-models/prometheus-operator@6.0.0': ['monitoring.coreos.com/v1/PodMonitor', 'monitoring.coreos.com/v1/ServiceMonitor'],
};
/** Cluster-scoped kinds among TYPED_KINDS (the .d.ts does not say; the CRDs do). */
const TYPED_CLUSTER_SCOPED = new Set(['ClusterSecretStore']);

const isRecord = (v) => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The schema without `description`s (documentation, a third of the bytes). */
function strip(schema) {
  if (Array.isArray(schema)) return schema.map(strip);
  if (!isRecord(schema)) return schema;
  const out = {};
  for (const [k, v] of Object.entries(schema)) {
    if (k === 'description' && typeof v === 'string') continue;
    out[k] = k === 'properties' ? Object.fromEntries(Object.entries(v).map(([p, s]) => [p, strip(s)])) : strip(v);
  }
  return out;
}

function filesBelow(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesBelow(path) : [path];
  });
}

async function readSource(url) {
  const copies = process.env.STRATA_CRD_DIR;
  if (copies) {
    const found = filesBelow(resolve(copies)).filter((f) => basename(f) === basename(new URL(url).pathname));
    if (found.length !== 1) throw new Error(`${basename(url)} is ${found.length === 0 ? 'not' : 'more than once'} under STRATA_CRD_DIR=${copies}`);
    return readFileSync(found[0], 'utf8');
  }
  const response = await fetch(url, { signal: AbortSignal.timeout(60_000) });
  if (!response.ok) throw new Error(`cannot download ${url}: HTTP ${response.status} (offline? set STRATA_CRD_DIR)`);
  return response.text();
}

/** `apiVersion/kind` → { scope, source, schema } of every served version of the pinned CRDs. */
async function crdKinds() {
  const config = parse(readFileSync('cdk8s.yaml', 'utf8'));
  const urls = (config.imports ?? []).map((e) => String(e).split(':=').at(-1)).filter((s) => /^https?:\/\//.test(s));
  const kinds = {};
  for (const url of urls) {
    for (const doc of parseAllDocuments(await readSource(url)).map((d) => d.toJS())) {
      if (doc?.kind !== 'CustomResourceDefinition') continue;
      const { group, names, scope, versions } = doc.spec;
      for (const v of versions) {
        if (v.served === false || !v.schema?.openAPIV3Schema) continue;
        kinds[`${group}/${v.name}/${names.kind}`] = { scope, source: url, schema: strip(v.schema.openAPIV3Schema) };
      }
    }
  }
  return kinds;
}

/** A folder whose node_modules holds the TYPED_KINDS packages. */
function modelsRoot() {
  if (process.env.STRATA_MODELS_DIR) return { root: resolve(process.env.STRATA_MODELS_DIR), cleanup: () => {} };
  const root = mkdtempSync(join(tmpdir(), 'strata-models-'));
  execFileSync('npm', ['install', '--prefix', root, '--no-save', '--no-package-lock', '--ignore-scripts', '--no-audit', '--no-fund', '--loglevel=error', ...Object.keys(TYPED_KINDS)], { stdio: 'inherit' });
  return { root, cleanup: () => rmSync(root, { recursive: true, force: true }) };
}

/** The openAPIV3Schema of each TYPED_KINDS kind, from its model's interface. */
function typedKinds(root) {
  const ts = require('typescript');
  const entries = Object.entries(TYPED_KINDS).flatMap(([pkg, files]) => files.map((f) => ({ pkg: pkg.slice(0, pkg.lastIndexOf('@')), pkgSpec: pkg, file: join(root, 'node_modules', pkg.slice(0, pkg.lastIndexOf('@')), `${f}.d.ts`) })));
  const program = ts.createProgram(entries.map((e) => e.file), { skipLibCheck: true, noEmit: true, types: [], module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext });
  const checker = program.getTypeChecker();
  const nonNull = (type) => (type.isUnion() ? type.types.filter((t) => !(t.flags & (ts.TypeFlags.Undefined | ts.TypeFlags.Null))) : [type]);
  const schemaOf = (type, seen) => {
    const parts = nonNull(type);
    if (parts.length > 1) {
      if (parts.every((t) => t.isStringLiteral())) return { type: 'string', enum: parts.map((t) => t.value).sort() };
      const flags = parts.map((t) => t.flags);
      if (parts.length === 2 && flags.some((f) => f & ts.TypeFlags.Number) && flags.some((f) => f & ts.TypeFlags.String)) return { 'x-kubernetes-int-or-string': true };
      if (parts.every((t) => t.flags & ts.TypeFlags.BooleanLiteral)) return { type: 'boolean' };
      throw new Error(`unsupported union ${checker.typeToString(type)}`);
    }
    const [t] = parts;
    if (t.flags & ts.TypeFlags.StringLiteral) return { type: 'string', enum: [t.value] };
    if (t.flags & ts.TypeFlags.String) return { type: 'string' };
    if (t.flags & ts.TypeFlags.Number) return { type: 'number' };
    if (t.flags & (ts.TypeFlags.Boolean | ts.TypeFlags.BooleanLiteral)) return { type: 'boolean' };
    if (t.flags & (ts.TypeFlags.Any | ts.TypeFlags.Unknown)) return { 'x-kubernetes-preserve-unknown-fields': true };
    if (checker.isArrayType(t)) return { type: 'array', items: schemaOf(checker.getTypeArguments(t)[0], seen) };
    if (!(t.flags & ts.TypeFlags.Object)) throw new Error(`unsupported type ${checker.typeToString(t)}`);
    const index = t.getStringIndexType();
    const props = t.getProperties();
    if (index) return { type: 'object', additionalProperties: schemaOf(index, seen) };
    if (props.length === 0) return { type: 'object', 'x-kubernetes-preserve-unknown-fields': true };
    if (seen.has(t)) throw new Error(`recursive type ${checker.typeToString(t)}`);
    const inner = new Set(seen).add(t);
    const properties = {};
    const required = [];
    for (const p of props) {
      properties[p.getName()] = schemaOf(checker.getTypeOfSymbol(p), inner);
      if (!(p.flags & ts.SymbolFlags.Optional)) required.push(p.getName());
    }
    return { type: 'object', properties, ...(required.length ? { required: required.sort() } : {}) };
  };
  const kinds = {};
  for (const { pkgSpec, file } of entries) {
    const source = program.getSourceFile(file);
    if (!source) throw new Error(`${file} not found`);
    const iface = [...checker.getSymbolAtLocation(source).exports.values()].find((s) => s.flags & ts.SymbolFlags.Interface);
    const type = checker.getDeclaredTypeOfSymbol(iface);
    const literal = (key) => checker.getTypeOfSymbol(type.getProperty(key)).value;
    const kind = literal('kind');
    const schema = schemaOf(type, new Set());
    // metadata is ObjectMeta, checked by the structure checks (as a CRD's root metadata is).
    schema.properties.metadata = { type: 'object' };
    kinds[`${literal('apiVersion')}/${kind}`] = { scope: TYPED_CLUSTER_SCOPED.has(kind) ? 'Cluster' : 'Namespaced', source: `${pkgSpec} (types)`, schema };
  }
  return kinds;
}

function render(kinds) {
  const sorted = Object.keys(kinds).sort();
  return [
    '// Generated by scripts/crd-schemas.mjs from the pinned CRDs of cdk8s.yaml and the pinned',
    '// @kubernetes-models types of its TYPED_KINDS; never edit by hand. Each schema is a JSON string, read by',
    '// scripts/crd-validators.ts (which compiles them) and scripts/known-fields.mjs; not loaded at synth time.',
    'export const CRD_SCHEMAS: Readonly<Record<string, { readonly scope: \'Namespaced\' | \'Cluster\'; readonly source: string; readonly schema: string }>> = {',
    ...sorted.map((k) => `  ${JSON.stringify(k)}: { scope: '${kinds[k].scope}', source: ${JSON.stringify(kinds[k].source)}, schema: ${JSON.stringify(JSON.stringify(kinds[k].schema))} },`),
    '};',
    '',
  ].join('\n');
}

const { root, cleanup } = modelsRoot();
let content;
try {
  content = render({ ...(await crdKinds()), ...typedKinds(root) });
} finally {
  cleanup();
}
if (args.check) {
  const current = existsSync(OUT) ? readFileSync(OUT, 'utf8') : '';
  if (current !== content) {
    console.error(`${OUT} is out of date: run \`node scripts/crd-schemas.mjs\``);
    process.exit(1);
  }
} else {
  writeFileSync(OUT, content);
  console.log(`${OUT}: ${content.length} bytes`);
}
