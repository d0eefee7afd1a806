import { cpSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { Waivers, validateDist } from '../lib/index.js';
import { listFiles } from '../lib/synth/writer.js';
import { fleetOf, patch, webWorkload } from './support/policy.js';

/** `npm run validate -- <dir>`, as CI runs it. */
function cli(dir: string): { status: number | null; output: string } {
  const r = spawnSync(process.execPath, ['scripts/run.mjs', 'lib/validate/cli.ts', dir], { encoding: 'utf8' });
  return { status: r.status, output: r.stdout + r.stderr };
}

/** `npm run validate -- <args>`, its exit code, stdout and stderr apart. */
function run(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['scripts/run.mjs', 'lib/validate/cli.ts', ...args], { encoding: 'utf8' });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'strata-validate-'));
}

/** A synthesized dist/ of a development cluster `c` with a web workload, and one waiver. */
function synthesized(stage: 'development' | 'production' = 'development'): string {
  const outdir = join(tempDir(), 'dist');
  const fleet = fleetOf(stage, (apps) => {
    const w = webWorkload(apps);
    patch.set(w.deployment, '/spec/template/spec/hostNetwork', true);
    Waivers.waive(w.deployment, 'pod-security-restricted', 'node-local DNS cache');
  }, undefined, outdir);
  fleet.synth();
  return outdir;
}

function edit(dir: string, file: string, change: (text: string) => string): void {
  writeFileSync(join(dir, file), change(readFileSync(join(dir, file), 'utf8')));
}

describe('npm run validate', () => {
  afterEach(() => {
    process.exitCode = 0;
  });

  test.each([
    [['--bogus'], "strata validate: Unknown option '--bogus'."],
    [['--root'], "strata validate: Option '--root <value>' argument missing"],
    [['dist', 'other'], 'strata validate: one folder to validate, not 2: dist other'],
  ])('usage error %j: one line and the usage, exit 2, no stack', (args, message) => {
    const r = run(...args);
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
    const lines = r.stderr.trimEnd().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[0].startsWith(message)).toBe(true);
    expect(lines[1]).toBe('usage: npm run validate [-- [<dir>] [--root <project dir>]]');
  });

  test('--help lists the flags and the exit codes on stdout, exit 0', () => {
    const r = run('--help');
    expect([r.status, r.stderr]).toEqual([0, '']);
    expect(r.stdout).toMatch(/^usage: npm run validate /);
    for (const flag of ['<dir>', '--root <project dir>', '-h, --help']) expect(r.stdout).toContain(`\n  ${flag} `);
    expect(r.stdout).toMatch(/\nexit codes:\n {2}0 {2}valid.*\n {2}1 {2}errors in the tree, or no cluster in it\n {2}2 {2}usage/);
    expect(r.stdout).toMatch(/\n {2}3 {2}the file system refused .*symbolic link/);
    expect(r.stdout).toMatch(/\n {2}4 {2}a synth is writing the tree/);
  });

  test('a symlinked folder in the tree (clusters/ -> outside) is refused in one line, exit 3, instead of read as missing', () => {
    const dir = join(tempDir(), 'dist');
    cpSync('dist', dir, { recursive: true });
    const elsewhere = join(tempDir(), 'clusters');
    renameSync(join(dir, 'clusters'), elsewhere);
    symlinkSync(elsewhere, join(dir, 'clusters'));
    const r = run(dir);
    expect([r.status, r.stdout]).toEqual([3, '']);
    expect(r.stderr).toBe(`strata: cannot validate ${dir}/: ${dir}/clusters is a symbolic link (to ${elsewhere}); Git commits the link, not what it points to, so Flux would not see the files behind it: replace it with a real folder or file and validate again\n`);
    expect(() => validateDist(dir)).toThrow(expect.objectContaining({ code: 'ESYMLINK', exitCode: 3 }));
  });

  test('a symlinked file deep in the tree, and the tree itself as a link (even dangling), are refused the same way', () => {
    const dir = join(tempDir(), 'dist');
    cpSync('dist', dir, { recursive: true });
    const file = join(dir, 'prod-eu/apps/shop/service-storefront.yaml');
    const copy = join(tempDir(), 'service.yaml');
    renameSync(file, copy);
    symlinkSync(copy, file);
    expect(run(dir)).toEqual({ status: 3, stdout: '', stderr: expect.stringContaining(`: ${file} is a symbolic link (to ${copy}); Git commits the link`) });

    const link = join(tempDir(), 'dist');
    symlinkSync(join(tempDir(), 'gone'), link);
    expect(run(link)).toEqual({ status: 3, stdout: '', stderr: expect.stringMatching(new RegExp(`^strata: cannot validate ${link}/: ${link} is a symbolic link \\(to .*gone\\)`)) });
  });

  test('a link inside flux bootstrap\'s folder is not read, so not refused', () => {
    const dir = join(tempDir(), 'dist');
    cpSync('dist', dir, { recursive: true });
    mkdirSync(join(dir, 'clusters/prod-eu/flux-system'));
    symlinkSync('../kustomization.yaml', join(dir, 'clusters/prod-eu/flux-system/linked.yaml'));
    expect(run(dir)).toEqual({ status: 0, stdout: expect.stringMatching(/: valid\n$/), stderr: '' });
  });

  test('passes on a temp copy of the committed dist/', () => {
    const dir = join(tempDir(), 'dist');
    cpSync('dist', dir, { recursive: true });
    const { status, output } = cli(dir);
    const objects = listFiles(dir).filter((f) => !f.startsWith('clusters/') && !f.endsWith('kustomization.yaml')).length + 3 * 3 + 3;
    expect(output).toBe(`strata: 3 clusters, ${objects} objects in ${dir}: valid\n`);
    expect(status).toBe(0);
  });

  test('fails with exit code 1 on a broken file, naming the construct path and the file', () => {
    const dir = join(tempDir(), 'dist');
    cpSync('dist', dir, { recursive: true });
    edit(dir, 'prod-eu/apps/shop/service-storefront.yaml', (t) => t.replace('selector:', 'selectorr:'));
    const { status, output } = cli(dir);
    expect(output).toMatch(/^strata: \d+ errors?, 3 clusters, \d+ objects in .*: invalid\n/);
    expect(output.split('\n').slice(1).join('\n')).toBe([
      'prod-eu',
      '  prod-eu/apps/shop/storefront/service',
      '    ✗ Service storefront: schema v1: /spec/selectorr is an unknown field (did you mean "selector"?)',
      '',
    ].join('\n'));
    expect(status).toBe(1);
  });

  test('policy findings name the object and its file; waivers in annotations are honoured', () => {
    const dir = synthesized();
    expect(validateDist(dir).findings).toEqual([]);
    edit(dir, 'c/apps/shop/deployment-web.yaml', (t) => t.replace('image: ghcr.io/acme/web:1.4.2', 'image: ghcr.io/acme/web:latest'));
    const result = validateDist(dir);
    expect(result.exitCode).toBe(0); // a warning in development
    expect(result.report).toContain([
      'c',
      '  c/apps/shop/web (Deployment shop/web, c/apps/shop/deployment-web.yaml)',
      '    ⚠ [image-pinned] container "app" image "ghcr.io/acme/web:latest" uses the tag latest',
    ].join('\n'));
  });

  test('the stage comes from clusters/<name>/kustomization.yaml, production when it says nothing', () => {
    const dir = synthesized();
    edit(dir, 'c/apps/shop/deployment-web.yaml', (t) => t.replace('image: ghcr.io/acme/web:1.4.2', 'image: ghcr.io/acme/web:latest'));
    expect(readFileSync(join(dir, 'clusters/c/kustomization.yaml'), 'utf8')).toMatch(/^# strata: c\n# stage: development\n/);
    expect(validateDist(dir).model.clusters[0].stage).toBe('development');
    edit(dir, 'clusters/c/kustomization.yaml', (t) => t.replace('# stage: development\n', ''));
    const result = validateDist(dir);
    expect(result.model.clusters[0].stage).toBe('production');
    expect(result.findings.map((f) => `${f.severity} ${f.rule}`)).toEqual(['error image-pinned']);
    expect(result.exitCode).toBe(1);
  });

  test('the Kubernetes version comes from clusters/<name>/kustomization.yaml, the default when it says nothing', () => {
    const dir = synthesized();
    const kustomization = readFileSync(join(dir, 'clusters/c/kustomization.yaml'), 'utf8');
    expect(kustomization).toContain('# kubernetes: 1.33\n');
    // A hand-edited native sidecar: a field of 1.29 and later.
    edit(dir, 'c/apps/shop/deployment-web.yaml', (t) => t.replace('      containers:\n', '      initContainers:\n        - name: proxy\n          image: ghcr.io/acme/proxy:1.0.0\n          restartPolicy: Always\n      containers:\n'));
    expect(validateDist(dir).findings.filter((f) => f.rule === undefined)).toEqual([]);
    edit(dir, 'clusters/c/kustomization.yaml', (t) => t.replace('# kubernetes: 1.33\n', '# kubernetes: 1.28\n'));
    expect(validateDist(dir).findings.filter((f) => f.rule === undefined).map((f) => f.message)).toEqual([
      "Deployment web: schema apps/v1: /spec/template/spec/initContainers/0/restartPolicy is a field of Kubernetes 1.29 and later, but this cluster runs 1.28: set the cluster's kubernetesVersion to 1.29 or later where it runs one, or remove the field",
    ]);
    // Without the line (a tree of an older strata) the default applies, and messages name it.
    edit(dir, 'clusters/c/kustomization.yaml', (t) => t.replace('# kubernetes: 1.28\n', ''));
    edit(dir, 'c/apps/shop/deployment-web.yaml', (t) => t.replace('      containers:\n', '      containers:\n        - name: drain\n          image: ghcr.io/acme/drain:1.0.0\n          lifecycle:\n            preStop:\n              exec:\n                command: [sleep, "5"]\n'));
    expect(validateDist(dir).findings.filter((f) => f.rule === 'prestop-sleep').map((f) => f.message)).toEqual([
      'container "drain": preStop execs sleep, which fails on images without a shell or sleep binary; this cluster runs Kubernetes 1.33, which has the native action lifecycle.preStop.sleep.seconds: 5',
    ]);
  });

  test('a removed waiver annotation brings the finding back; an annotation that waives nothing is a warning', () => {
    const dir = synthesized();
    edit(dir, 'c/apps/shop/deployment-web.yaml', (t) => t.replace(/ {4}strata\.dev\/waive\.pod-security-restricted: .*\n/, '').replace('  annotations:\n', ''));
    edit(dir, 'c/apps/shop/service-web.yaml', (t) => t.replace('metadata:\n', 'metadata:\n  annotations:\n    strata.dev/waive.image-pinned: mirrors upstream\n'));
    expect(validateDist(dir).findings.map((f) => `${f.severity} ${f.rule} ${f.path}: ${f.message}`)).toEqual([
      "error pod-security-restricted c/apps/shop/web: hostNetwork is true: pods must not share the node's namespaces",
      'warning image-pinned c/apps/shop/web-service: waiver of image-pinned ("mirrors upstream") waives nothing: the rule found no problem in the 1 object it covers',
    ]);
  });

  test('invalid YAML, a non-object, a file missing from its kustomization.yaml and a listed file that is missing are errors', () => {
    const dir = synthesized();
    writeFileSync(join(dir, 'c/apps/shop/configmap-broken.yaml'), 'apiVersion: v1\nkind: ConfigMap\nmetadata: [unclosed\n');
    writeFileSync(join(dir, 'c/apps/shop/notes.yaml'), '- just\n- a list\n');
    edit(dir, 'c/apps/shop/kustomization.yaml', (t) => `${t}  - configmap-broken.yaml\n  - gone.yaml\n`);
    const messages = validateDist(dir).findings.map((f) => `${f.path}: ${f.message}`);
    expect(messages).toEqual([
      'c/apps/shop/kustomization.yaml: lists gone.yaml, which does not exist: kustomize build fails',
      'c/apps/shop/notes.yaml: is not listed in c/apps/shop/kustomization.yaml: Flux never applies it',
      expect.stringMatching(/^c\/apps\/shop\/configmap-broken\.yaml#0: invalid YAML: /),
      'c/apps/shop/notes.yaml#0: not a Kubernetes object: apiVersion, kind and metadata.name are required',
    ]);
  });

  test('files of flux bootstrap (clusters/<name>/flux-system/) are not strata\'s and are skipped', () => {
    const dir = synthesized();
    mkdirSync(join(dir, 'clusters/c/flux-system'));
    writeFileSync(join(dir, 'clusters/c/flux-system/gotk-components.yaml'), 'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: Flux_System\n');
    expect(validateDist(dir).findings).toEqual([]);
    rmSync(join(dir, 'clusters/c/flux-system'), { recursive: true });
  });

  test('a missing folder is a usage error', () => {
    const { status, output } = cli(join(tempDir(), 'nope'));
    expect(status).toBe(2);
    expect(output).toMatch(/nope does not exist: run `npm run synth` first/);
  });

  test('a file is a usage error, not a stack trace; a folder with no cluster is not valid', () => {
    const file = join(tempDir(), 'main.ts');
    writeFileSync(file, 'export {};\n');
    const onFile = cli(file);
    expect(onFile.status).toBe(2);
    expect(onFile.output.trim()).toBe(`strata: ${file} is a file, not a folder: name the dist/ tree or the Flux repository to validate`);
    const empty = tempDir();
    writeFileSync(join(empty, 'README.md'), '# notes\n');
    const onEmpty = cli(empty);
    expect(onEmpty.status).toBe(1);
    expect(onEmpty.output.trim()).toBe(`strata: ${empty} holds no cluster: neither a dist/ tree strata wrote (clusters/<c>/kustomization.yaml) nor a Flux repository (<folder>/flux-system/gotk-sync.yaml or clusters/<c>/): name the folder to validate`);
  });
});
