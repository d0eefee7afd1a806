// The cdk8s toolchain around strata: cdk8s.yaml, `npm run import` (scripts/import.mjs) and what
// `npx cdk8s synth` may touch. Every run is the real script or the real cdk8s-cli in a temp
// project; CRDs are fixtures written here, and "offline" is a download that fails without ever
// leaving this machine (a closed local port, or a fetch that fails as it does with no network).
import { spawn } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parse } from 'yaml';
import { listFiles } from '../lib/synth/writer.js';

const REPO = process.cwd();
const IMPORT = join(REPO, 'scripts/import.mjs');
const SYNTH = join(REPO, 'scripts/synth.mjs');
const CDK8S = join(REPO, 'node_modules/cdk8s-cli/bin/cdk8s');

interface Run {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs node with `args` in `cwd`, asynchronously: a test's local HTTP server must answer meanwhile. */
function node(args: string[], cwd: string, env: NodeJS.ProcessEnv = {}): Promise<Run> {
  const base: NodeJS.ProcessEnv = { ...process.env };
  for (const key of ['CDK8S_OUTDIR', 'STRATA_CRD_DIR', 'NODE_OPTIONS', 'CDK8S_RECORD_CONSTRUCT_METADATA']) delete base[key];
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, args, { cwd, env: { ...base, ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', fail);
    child.on('close', (status) => done({ status, stdout, stderr }));
  });
}

/** A temp project holding `files` (path → content), and the repository's installed packages, as a project has. */
function project(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'strata-toolchain-'));
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), content);
  }
  symlinkSync(join(REPO, 'node_modules'), join(dir, 'node_modules'));
  return dir;
}

/** The project's own files (node_modules left out). */
function files(dir: string): string[] {
  return listFiles(dir).filter((f) => f !== 'node_modules');
}

function tree(dir: string): Record<string, string> {
  return Object.fromEntries(files(dir).map((f) => [f, readFileSync(join(dir, f), 'utf8')]));
}

/** A namespaced CRD `<plural>.example.com` of kind `kind`, its spec's properties `properties` (YAML flow map). */
function crd(kind: string, plural: string, properties = '{ size: { type: integer } }'): string {
  return [
    'apiVersion: apiextensions.k8s.io/v1',
    'kind: CustomResourceDefinition',
    `metadata: { name: ${plural}.example.com }`,
    'spec:',
    '  group: example.com',
    `  names: { kind: ${kind}, listKind: ${kind}List, plural: ${plural}, singular: ${kind.toLowerCase()} }`,
    '  scope: Namespaced',
    '  versions:',
    '    - name: v1',
    '      served: true',
    '      storage: true',
    '      schema:',
    '        openAPIV3Schema:',
    '          type: object',
    `          properties: { spec: { type: object, properties: ${properties} } }`,
    '',
  ].join('\n');
}

const cdk8sYaml = (imports: string[]) => `language: typescript\nimports:\n${imports.map((i) => `  - ${i}\n`).join('')}`;

/** An HTTP server on this machine answering every request with `status`; `url` is its address. */
async function localServer(status: number): Promise<{ url: string; server: Server }> {
  const server = createServer((_, res) => res.writeHead(status).end());
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

/** The address of a port on this machine that nothing listens on: a download from it fails at once. */
async function closedPort(): Promise<string> {
  const { url, server } = await localServer(200);
  await new Promise((ok) => server.close(ok));
  return url;
}

const HINT = 'offline? set STRATA_CRD_DIR=<folder with copies of the CRD files> to import from local copies; imports/ is unchanged';

describe("the repository's cdk8s.yaml", () => {
  const config = parse(readFileSync(join(REPO, 'cdk8s.yaml'), 'utf8')) as { output?: string; strata?: { output?: string }; imports: string[] };
  const entries = config.imports.map((spec) => {
    const at = spec.indexOf(':=');
    return { spec, name: spec.slice(0, at), source: spec.slice(at + 2) };
  });

  test('names every CRD source once, each under a name of its own', () => {
    expect(entries.filter((e) => !e.spec.includes(':='))).toEqual([]);
    const twice = (values: string[]) => values.filter((v, i) => values.indexOf(v) !== i);
    expect(twice(entries.map((e) => e.name))).toEqual([]);
    expect(twice(entries.map((e) => e.source))).toEqual([]);
    expect(entries.length).toBeGreaterThanOrEqual(21);
  });

  test('holds no path of one machine, and every URL is pinned to a release', () => {
    expect(entries.filter((e) => isAbsolute(e.source) || /^[a-z]:[\\/]|^file:/i.test(e.source))).toEqual([]);
    expect(entries.filter((e) => !/^https:\/\/.*\/v\d+\.\d+\.\d+\//.test(e.source))).toEqual([]);
  });

  test("gives `cdk8s synth` an output folder apart from strata's, which it would delete", () => {
    const strata = resolve(REPO, config.strata?.output ?? 'dist');
    const scratch = resolve(REPO, config.output ?? 'dist');
    expect(strata).toBe(resolve(REPO, 'dist'));
    expect(relative(scratch, strata).startsWith('..')).toBe(true);
    expect(relative(strata, scratch).startsWith('..')).toBe(true);
  });
});

describe('npm run import', () => {
  test('with the network unavailable: exit 1, the one-line hint, imports/ byte-identical', async () => {
    // The real cdk8s.yaml and imports/, in a copy; every fetch fails as it does with no network.
    const dir = project({ 'offline.mjs': "globalThis.fetch = async (url) => { throw new TypeError('fetch failed', { cause: Object.assign(new Error(`getaddrinfo ENOTFOUND ${new URL(url).host}`), { code: 'ENOTFOUND' }) }); };\n" });
    cpSync(join(REPO, 'cdk8s.yaml'), join(dir, 'cdk8s.yaml'));
    cpSync(join(REPO, 'imports'), join(dir, 'imports'), { recursive: true });
    const before = tree(dir);
    const r = await node([IMPORT], dir, { NODE_OPTIONS: `--import ${pathToFileURL(join(dir, 'offline.mjs')).href}` });
    const first = (parse(readFileSync(join(REPO, 'cdk8s.yaml'), 'utf8')) as { imports: string[] }).imports[0].split(':=')[1];
    expect([r.status, r.stdout, r.stderr]).toEqual([1, '', `npm run import: cannot download ${first} (ENOTFOUND): ${HINT}\n`]);
    expect(tree(dir)).toEqual(before);
  });

  test("generates every entry, URL sources from STRATA_CRD_DIR copies and the project's own CRD files alike, and leaves cdk8s.yaml as it was", async () => {
    const offline = await closedPort();
    const config = cdk8sYaml([`widget:=${offline}/v1.0.0/example.com_widgets.yaml`, 'gadget:=crds/example.com_gadgets.yaml']);
    const dir = project({
      'cdk8s.yaml': config,
      'copies/deep/example.com_widgets.yaml': crd('Widget', 'widgets'),
      'crds/example.com_gadgets.yaml': crd('Gadget', 'gadgets'),
      'imports/old-thing.ts': 'export {};\n',
    });
    const r = await node([IMPORT], dir, { STRATA_CRD_DIR: join(dir, 'copies') });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout.split('\n')).toEqual(expect.arrayContaining(['removed imports/old-thing.ts: no cdk8s.yaml entry generates it', 'imports/: 3 files from 2 cdk8s.yaml entries']));
    expect(listFiles(join(dir, 'imports'))).toEqual(['gadget-example.com.ts', 'known-fields.ts', 'widget-example.com.ts']);
    expect(readFileSync(join(dir, 'imports/widget-example.com.ts'), 'utf8')).toContain('export class Widget extends ApiObject');
    const known = JSON.parse(JSON.parse(/KNOWN_FIELDS = (".*");/.exec(readFileSync(join(dir, 'imports/known-fields.ts'), 'utf8'))![1])) as { kinds: Record<string, unknown> };
    expect(Object.keys(known.kinds)).toEqual(expect.arrayContaining(['example.com/v1/Widget', 'example.com/v1/Gadget']));
    expect(readFileSync(join(dir, 'cdk8s.yaml'), 'utf8')).toBe(config);
    expect(files(dir).filter((f) => f.includes('.strata'))).toEqual([]);

    // The same project without the local copies: the download fails, nothing changes.
    const before = tree(dir);
    const offlineRun = await node([IMPORT], dir);
    expect([offlineRun.status, offlineRun.stderr]).toEqual([1, `npm run import: cannot download ${offline}/v1.0.0/example.com_widgets.yaml (ECONNREFUSED): ${HINT}\n`]);
    expect(tree(dir)).toEqual(before);
  });

  test('a failing `cdk8s import` or known-fields derivation leaves imports/ as it was', async () => {
    const dir = project({
      'crds/example.com_gadgets.yaml': crd('Gadget', 'gadgets', '{ "a=b": { type: integer } }'),
      'crds/example.com_grids.yaml': crd('Grid', 'grids', '{ rows: { type: array, items: { type: array, items: { type: object, properties: { x: { type: integer } } } } } }'),
      'imports/gadget-example.com.ts': 'export const before = 1;\n',
    });
    const before = tree(join(dir, 'imports'));
    writeFileSync(join(dir, 'cdk8s.yaml'), cdk8sYaml(['gadget:=crds/example.com_gadgets.yaml']));
    const cli = await node([IMPORT], dir);
    expect(cli.status).toBe(1);
    expect(cli.stderr).toContain("Key 'a=b' contains non standard characters");
    expect(cli.stderr.trimEnd().split('\n').pop()).toBe('npm run import: `cdk8s import` failed (above); imports/ is unchanged');
    writeFileSync(join(dir, 'cdk8s.yaml'), cdk8sYaml(['grid:=crds/example.com_grids.yaml']));
    const fields = await node([IMPORT], dir);
    expect(fields.status).toBe(1);
    expect(fields.stderr).toContain('unrecognised conversion');
    expect(fields.stderr.trimEnd().split('\n').pop()).toBe('npm run import: deriving known-fields.ts failed (above); imports/ is unchanged');
    expect(tree(join(dir, 'imports'))).toEqual(before);
    expect(files(dir).filter((f) => f.includes('.strata'))).toEqual([]);
  });

  test('a URL that answers with an error status names the URL to check', async () => {
    const { url, server } = await localServer(404);
    try {
      const dir = project({ 'cdk8s.yaml': cdk8sYaml([`widget:=${url}/v1.0.0/example.com_widgets.yaml`]) });
      const r = await node([IMPORT], dir);
      expect([r.status, r.stderr]).toEqual([1, `npm run import: ${url}/v1.0.0/example.com_widgets.yaml answered HTTP 404: check the pinned URL in cdk8s.yaml; imports/ is unchanged\n`]);
    } finally {
      server.close();
    }
  });

  test('refuses a cdk8s.yaml with an entry twice or a path of this machine, naming each (exit 2)', async () => {
    const dir = project({
      'cdk8s.yaml': cdk8sYaml(['widget:=crds/a.yaml', 'widget:=crds/b.yaml', 'gadget:=/home/me/crds/gadgets.yaml', 'crds/c.yaml', 'crds/c.yaml']),
      'imports/x.ts': 'export {};\n',
    });
    const r = await node([IMPORT], dir);
    expect([r.status, r.stderr]).toEqual([2,
      'npm run import: cdk8s.yaml imports: "widget" is imported twice (widget:=crds/a.yaml and widget:=crds/b.yaml); ' +
      'gadget:=/home/me/crds/gadgets.yaml names a file of this machine: commit the CRD (e.g. under crds/) and name it by its path in the repository; for local copies of the URL sources set STRATA_CRD_DIR; ' +
      '"crds/c.yaml" is imported twice (crds/c.yaml and crds/c.yaml)\n',
    ]);
    expect(tree(dir)['imports/x.ts']).toBe('export {};\n');
  });

  test('names what it cannot find: no cdk8s.yaml, no imports list, a project file or a CRD in it, a copy under STRATA_CRD_DIR', async () => {
    const none = project({});
    const noConfig = await node([IMPORT], none);
    expect([noConfig.status, noConfig.stderr]).toEqual([2, 'npm run import: no cdk8s.yaml here: run it in the project folder\n']);
    const empty = project({ 'cdk8s.yaml': 'language: typescript\n' });
    const noList = await node([IMPORT], empty);
    expect([noList.status, noList.stderr]).toEqual([2, 'npm run import: cdk8s.yaml has no `imports` list: name each CRD as `- <name>:=<pinned URL or crds/<file>.yaml>`\n']);
    const missing = project({ 'cdk8s.yaml': cdk8sYaml(['gadget:=crds/gadgets.yaml']) });
    expect((await node([IMPORT], missing)).stderr).toBe('npm run import: crds/gadgets.yaml (for gadget:=crds/gadgets.yaml) does not exist\n');
    const notCrd = project({ 'cdk8s.yaml': cdk8sYaml(['gadget:=crds/gadgets.yaml']), 'crds/gadgets.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata: { name: gadgets }\n' });
    const notCrdRun = await node([IMPORT], notCrd);
    expect([notCrdRun.status, notCrdRun.stderr]).toEqual([1, 'npm run import: gadget:=crds/gadgets.yaml holds no CustomResourceDefinition, so it would generate nothing\n']);

    const url = 'https://example.com/v1.0.0/example.com_widgets.yaml';
    const copies = project({ 'cdk8s.yaml': cdk8sYaml([`widget:=${url}`]), 'a/example.com_widgets.yaml': crd('Widget', 'widgets'), 'b/example.com_widgets.yaml': crd('Widget', 'widgets') });
    const r = (dir: string) => node([IMPORT], copies, { STRATA_CRD_DIR: join(copies, dir) });
    expect((await r('nowhere')).stderr).toBe(`npm run import: STRATA_CRD_DIR=${join(copies, 'nowhere')} is not a folder\n`);
    mkdirSync(join(copies, 'empty'));
    expect((await r('empty')).stderr).toBe(`npm run import: example.com_widgets.yaml (for widget:=${url}) is not under STRATA_CRD_DIR=${join(copies, 'empty')}\n`);
    expect((await r('.')).stderr).toBe(`npm run import: example.com_widgets.yaml (for widget:=${url}) is under STRATA_CRD_DIR=${copies} more than once\n`);
  });
});

describe('npx cdk8s synth', () => {
  /** A small project: the repository's cdk8s.yaml and runner, an app, and what flux bootstrap committed. */
  function bootstrapped(config = readFileSync(join(REPO, 'cdk8s.yaml'), 'utf8')): string {
    const dir = project({
      'cdk8s.yaml': config,
      'main.ts': "import { mkdirSync, writeFileSync } from 'node:fs';\nmkdirSync(process.env.CDK8S_OUTDIR!, { recursive: true });\nwriteFileSync(`${process.env.CDK8S_OUTDIR}/app.yaml`, 'kind: ConfigMap\\n');\n",
      'dist/clusters/c1/flux-system/gotk-sync.yaml': 'kind: Kustomization\n',
      'dist/clusters/c1/flux-system/gotk-components.yaml': 'kind: Namespace\n',
    });
    cpSync(join(REPO, 'scripts/run.mjs'), join(dir, 'scripts/run.mjs'));
    return dir;
  }

  test("cannot delete dist/: cdk8s-cli deletes a scratch folder, and the app refuses with what to run instead", async () => {
    const dir = bootstrapped();
    const before = tree(join(dir, 'dist'));
    const r = await node([CDK8S, 'synth', '--check-upgrade=false'], dir);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain(
      'strata: `cdk8s synth` deletes its output folder before it runs the app, and on dist/ that deletes what `flux bootstrap` committed in ' +
      'clusters/<cluster>/flux-system/: run `npm run synth`, which writes dist/ in place and keeps those files',
    );
    expect(tree(join(dir, 'dist'))).toEqual(before);
    expect(files(dir).filter((f) => !f.startsWith('dist/'))).toEqual(['cdk8s.yaml', 'main.ts', 'scripts/run.mjs']);
  });

  test('npm run synth refuses a cdk8s.yaml whose `output` (default dist) is where strata writes', async () => {
    const dir = bootstrapped('language: typescript\napp: node scripts/run.mjs main.ts\n');
    const r = await node([SYNTH], dir);
    expect([r.status, r.stdout]).toEqual([2, '']);
    expect(r.stderr).toBe(
      'strata: cdk8s.yaml `output` (dist) overlaps dist/, where strata writes: `npx cdk8s synth` deletes that folder before it runs the app, ' +
      'and with it what `flux bootstrap` committed in clusters/<cluster>/flux-system/; set `output: .cdk8s-synth` and `strata: { output: dist }` in cdk8s.yaml\n',
    );
    const nested = bootstrapped('language: typescript\napp: node scripts/run.mjs main.ts\noutput: dist/clusters\n');
    expect((await node([SYNTH], nested)).status).toBe(2);
  });

  test("npm run synth runs the app on strata.output, without cdk8s-cli's mark even when the shell has it", async () => {
    const app = "app: node -e \"require('fs').writeFileSync(process.env.CDK8S_OUTDIR + '.txt', String(process.env.CDK8S_RECORD_CONSTRUCT_METADATA))\"";
    const dir = bootstrapped(readFileSync(join(REPO, 'cdk8s.yaml'), 'utf8').replace('app: node scripts/run.mjs main.ts', app));
    const r = await node([SYNTH], dir, { CDK8S_RECORD_CONSTRUCT_METADATA: 'true' });
    expect([r.status, r.stderr]).toEqual([0, '']);
    expect(readFileSync(join(dir, 'dist.txt'), 'utf8')).toBe('undefined');
  });
});
