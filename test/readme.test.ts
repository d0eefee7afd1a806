import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { listFiles } from '../lib/synth/writer.js';
import { Testing } from '../lib/index.js';
import { fleet } from '../main.js';

// The README's snippets are what a new user copies first: they must run as written.
const README = readFileSync('README.md', 'utf8');

/** The body of the first ```ts block under the heading `## <heading>`. */
function snippet(heading: string): string {
  const section = README.split(`\n## ${heading}\n`)[1].split('\n## ')[0];
  return /```ts\n([\s\S]*?)```/.exec(section)![1];
}

describe('README', () => {
  test('"What you write" synthesizes as written (with the imports of the names it uses)', () => {
    const code = snippet('What you write');
    const names = ['Autoscaling', 'Components', 'Fleet', 'Provider', 'Stage', 'WebService', 'perStage'].filter((n) => new RegExp(`\\b${n}\\b`).test(code));
    const dir = mkdtempSync(join(tmpdir(), 'strata-readme-'));
    const entry = join(dir, 'main.ts');
    writeFileSync(entry, `import { ${names.join(', ')} } from ${JSON.stringify(resolve('lib/index.js'))};\n${code}`);
    const out = join(dir, 'dist');
    const env: NodeJS.ProcessEnv = { ...process.env, CDK8S_OUTDIR: out };
    delete env.STRATA_QUIET;
    const r = spawnSync(process.execPath, ['scripts/run.mjs', entry], { encoding: 'utf8', env });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(listFiles(out)).toContain('prod-eu/apps/shop/deployment-storefront.yaml');
  });

  test('the snapshot snippet imports what exists from test/, where jest finds tests, and renders what it says', () => {
    const code = snippet('Snapshot tests for your fleet');
    const imports = [...code.matchAll(/from '([^']+)'/g)].map((m) => m[1]);
    expect(imports.length).toBeGreaterThan(0);
    for (const spec of imports) expect([spec, existsSync(resolve('test', spec.replace(/\.js$/, '.ts')))]).toEqual([spec, true]);
    const jestConfig = readFileSync('jest.config.js', 'utf8');
    expect(jestConfig).toContain("'<rootDir>/test/**/*.test.ts'");
    const { files } = Testing.synth(fleet, { cluster: 'prod-eu' });
    expect(Object.keys(files).every((f) => f.startsWith('prod-eu/') || f.startsWith('clusters/prod-eu/'))).toBe(true);
    expect(Object.keys(Testing.synth(fleet, { cluster: 'prod-eu', layer: 'apps/shop' }).files).every((f) => dirname(f) === 'prod-eu/apps/shop')).toBe(true);
  });
});
