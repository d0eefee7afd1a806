import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { listFiles } from '../lib/synth/writer.js';

// The real `npm run synth` entry point (scripts/synth.mjs → cdk8s.yaml app → main.ts), on a copy of dist/.
function synth(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const env = { ...process.env };
  delete env.CDK8S_OUTDIR;
  delete env.STRATA_QUIET;
  const r = spawnSync(process.execPath, ['scripts/synth.mjs', ...args], { encoding: 'utf8', env });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

function read(dir: string): Record<string, string> {
  return Object.fromEntries(listFiles(dir).map((f) => [f, readFileSync(join(dir, f), 'utf8')]));
}

function copyOfDist(): string {
  const dir = join(mkdtempSync(join(tmpdir(), 'strata-cli-')), 'dist');
  cpSync('dist', dir, { recursive: true });
  return dir;
}

describe('npm run synth', () => {
  test('--cluster renders only that cluster and reports it', () => {
    const out = copyOfDist();
    const before = read(out);
    const r = synth(['--cluster', 'prod-eu', '--output', out]);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^strata: 1 cluster, \d+ layers, \d+ objects, \d+ files → .*dist\/ in \d+ ms\nstrata: no changes against the previous .*dist\/\n$/);
    expect(read(out)).toEqual(before);
  });

  test('--cluster with an unknown name fails clearly and leaves dist/ untouched', () => {
    const out = copyOfDist();
    const before = read(out);
    const r = synth(['--cluster', 'prod-mars', '--output', out]);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('✗ unknown cluster "prod-mars" (clusters: dev-eu, prod-eu, prod-us)');
    expect(read(out)).toEqual(before);
  });
});
