// `npm run plan` end to end, as a new user meets it: the example fleet and its synthesized dist/
// committed to a fresh git repository, then the fleet definition changed.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { copyFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { listFiles } from '../lib/synth/writer.js';

const ROOT = resolve('.');
let project: string;

function plan(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const env = { ...process.env };
  delete env.CDK8S_OUTDIR;
  delete env.STRATA_QUIET;
  const r = spawnSync(process.execPath, ['scripts/run.mjs', 'lib/plan/cli.ts', ...args], { cwd: project, encoding: 'utf8', env: { ...env, NO_COLOR: '1' } });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

function snapshot(dir: string): Record<string, string> {
  return Object.fromEntries(listFiles(dir).map((f) => [f, readFileSync(join(dir, f), 'utf8')]));
}

const git = (...args: string[]) => execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.com', '-c', 'commit.gpgsign=false', ...args], { cwd: project, encoding: 'utf8' });

beforeAll(() => {
  project = mkdtempSync(join(tmpdir(), 'strata-plan-project-'));
  for (const dir of ['lib', 'scripts', 'imports', 'node_modules']) symlinkSync(join(ROOT, dir), join(project, dir));
  for (const file of ['main.ts', 'cdk8s.yaml', 'package.json', 'package-lock.json', 'tsconfig.json']) copyFileSync(join(ROOT, file), join(project, file));
  cpSync(join(ROOT, 'dist'), join(project, 'dist'), { recursive: true });
  writeFileSync(join(project, '.gitignore'), 'node_modules\n');
  git('init', '-q', '-b', 'main');
  git('add', '-A');
  git('commit', '-q', '-m', 'fleet');
});

describe('npm run plan', () => {
  test('the example fleet against its own committed dist/ plans nothing and exits 0', () => {
    const r = plan();
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(/^strata plan: no changes against dist\/ at HEAD \([0-9a-f]{7}\) \(\d+ objects compared\)\n$/);
    expect(r.status).toBe(0);
  });

  test('a grown claim template is destructive (exit 1), an image tag is not; dist/ is never touched', () => {
    const main = readFileSync(join(ROOT, 'main.ts'), 'utf8');
    writeFileSync(join(project, 'main.ts'), main.replace("size: '20Gi'", "size: '50Gi'").replace('storefront:1.4.2', 'storefront:1.5.0'));
    const before = snapshot(join(project, 'dist'));
    const r = plan();
    expect(r.status).toBe(1);
    expect(r.stdout).toContain('~ StatefulSet shop/orders-db  Kustomization apps-shop · dev-eu, prod-eu');
    expect(r.stdout).toContain('✗ spec.volumeClaimTemplates: the API server rejects the apply ("field is immutable")');
    expect(r.stdout).toContain('~ Deployment shop/storefront  Kustomization apps-shop · dev-eu, prod-eu, prod-us\n      spec.template.metadata.labels["app.kubernetes.io/version"]: 1.4.2 → 1.5.0');
    expect(r.stdout).toContain('3 destructive changes not acknowledged');
    expect(snapshot(join(project, 'dist'))).toEqual(before);

    const allowed = plan('--allow-destructive');
    expect(allowed.status).toBe(0);
    expect(allowed.stdout).toContain('\n3 destructive changes allowed by --allow-destructive');
    expect(allowed.stdout).not.toContain('not acknowledged');
    const json = plan('--allow-destructive', '--format', 'json');
    expect(json.status).toBe(0);
    expect(JSON.parse(json.stdout)).toMatchObject({ blocking: 0, unacknowledged: 3, allowDestructive: true, totals: { changed: 6, destructive: 3 } });
  });

  test('a grown claim template acknowledged in code with Plan.allowDestructive is shown acknowledged and does not block', () => {
    const main = readFileSync(join(ROOT, 'main.ts'), 'utf8')
      .replace('perStage,\n}', 'perStage, Plan,\n}')
      .replace("size: '20Gi'", "size: '50Gi'")
      .replace("new StatefulService(apps, 'orders-db'", "const db = new StatefulService(apps, 'orders-db'")
      .replace("  new CronTask(apps, 'nightly-report'", "  Plan.allowDestructive(db, 'claims resized by hand');\n  new CronTask(apps, 'nightly-report'");
    expect(main).toContain("Plan.allowDestructive(db, 'claims resized by hand')");
    writeFileSync(join(project, 'main.ts'), main);
    const r = plan();
    expect(r.stderr).toBe('');
    expect(r.stdout).toContain('~ StatefulSet shop/orders-db  Kustomization apps-shop · dev-eu, prod-eu');
    expect(r.stdout).toContain('acknowledged: claims resized by hand');
    expect(r.stdout).not.toContain('not acknowledged');
    expect(r.status).toBe(0);
  });

  test('an interrupted synth is recovered first: its leftover beside dist/ is removed and said', () => {
    writeFileSync(join(project, 'main.ts'), readFileSync(join(ROOT, 'main.ts'), 'utf8'));
    mkdirSync(join(project, 'dist.tmp-999999', 'shop'), { recursive: true });
    writeFileSync(join(project, 'dist.tmp-999999', 'shop', 'half-written.yaml'), 'kind: Deploy');
    const r = plan();
    expect(r.stderr).toContain('strata: removed 1 leftover(s) of an interrupted synth: dist.tmp-999999');
    expect(existsSync(join(project, 'dist.tmp-999999'))).toBe(false);
    expect(r.status).toBe(0);
  });

  test('a base file that does not read is named, and the plan fails: what it holds (a deletion, say) would go unseen', () => {
    writeFileSync(join(project, 'main.ts'), readFileSync(join(ROOT, 'main.ts'), 'utf8'));
    cpSync(join(project, 'dist'), join(project, 'base-broken'), { recursive: true });
    const file = join(project, 'base-broken', 'prod-eu', 'apps', 'shop', 'statefulset-orders-db.yaml');
    writeFileSync(file, `${readFileSync(file, 'utf8')}\tbroken: by hand\n`);
    const r = plan('--base', 'base-broken');
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^strata plan: cannot read prod-eu\/apps\/shop\/statefulset-orders-db\.yaml: invalid YAML: .+ \(in base-broken\/?\): the objects it holds are not compared; fix or regenerate the file \(`npm run validate` lists every problem\)$/m);
    // The same tree, whole: nothing to say.
    const whole = plan('--base', 'dist');
    expect(whole.stderr).toBe('');
    expect(whole.status).toBe(0);
  });

  test('a failed synth is reported as such (exit 1)', () => {
    writeFileSync(join(project, 'main.ts'), readFileSync(join(ROOT, 'main.ts'), 'utf8').replace("name: 'acme',", "name: 'Acme!',"));
    const r = plan();
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('fleet name');
    expect(r.stderr).toContain('strata plan: the synth failed, so there is nothing to compare');
  });

  test.each([['SIGINT', 130], ['SIGTERM', 143]] as const)('stopped by %s while it synthesizes: the synth ends, the temporary tree is removed, exit %d', async (signal, code) => {
    // A fleet whose synth takes a while, so the signal comes while it runs.
    writeFileSync(join(project, 'main.ts'), `const until = Date.now() + 20000;\nwhile (Date.now() < until);\n${readFileSync(join(ROOT, 'main.ts'), 'utf8')}`);
    const tmp = mkdtempSync(join(tmpdir(), 'strata-plan-signal-'));
    const env: NodeJS.ProcessEnv = { ...process.env, TMPDIR: tmp, NO_COLOR: '1' };
    delete env.CDK8S_OUTDIR;
    // Its own process group, as a terminal's Ctrl-C signals the plan and the synth it runs together.
    const child = spawn(process.execPath, ['scripts/run.mjs', 'lib/plan/cli.ts'], { cwd: project, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += String(d)));
    const exited = new Promise<number | null>((done) => child.on('exit', (status) => done(status)));
    const started = Date.now();
    while (!readdirSync(tmp).some((f) => f.startsWith('strata-plan-')) && Date.now() - started < 15000) await new Promise((r) => setTimeout(r, 50));
    expect(readdirSync(tmp).filter((f) => f.startsWith('strata-plan-'))).toHaveLength(1);
    await new Promise((r) => setTimeout(r, 1500)); // the synth's program is running
    process.kill(-child.pid!, signal);
    expect(await exited).toBe(code);
    expect(stderr).toContain(`strata plan: interrupted (${signal}); nothing written`);
    expect(stderr).not.toMatch(/\n\s+at /);
    expect(readdirSync(tmp)).toEqual([]);
  }, 40000);

  test.each([
    [['--format', 'xml'], 'strata plan: --format xml: use one of terminal, markdown, json'],
    [['--bogus'], "strata plan: Unknown option '--bogus'"],
    [['--base', 'no-such-ref'], 'strata plan: --base no-such-ref: neither a folder nor a git commit'],
  ])('usage error %j: one line and the usage, exit 2', (args, message) => {
    const r = plan(...args);
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr.split('\n')[0]).toContain(message);
    expect(r.stderr).toContain('usage: npm run plan');
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });
});
