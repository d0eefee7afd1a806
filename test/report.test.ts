// What a failing synth prints: findings merged across clusters, the user's line of each
// construct, colours only when asked for, and a progress line only on a slow TTY.
import { ApiObject } from 'cdk8s';
import { jest } from '@jest/globals';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createColors } from 'picocolors';
import { Stage, SynthError, Waivers, WebService, formatReport, type Finding, type Fleet } from '../lib/index.js';
import { Progress, colorEnabled } from '../lib/synth/terminal.js';
import { BASE, shopFleet } from './support/fleets.js';

const ANSI = /\x1b\[/;

/** The findings of a failing render (fails the test when it renders). */
function findingsOf(fleet: Fleet): readonly Finding[] {
  try {
    fleet.render();
  } catch (e) {
    if (e instanceof SynthError) return e.errors;
    throw e;
  }
  throw new Error('expected the synth to fail');
}

/** `test/report.test.ts:<line>:<column>` of `code` on the line of this file ending with `// mark: <marker>`. */
function marked(marker: string, code: string): string {
  const lines = readFileSync('test/report.test.ts', 'utf8').split('\n');
  const line = lines.findIndex((l) => l.endsWith(`// mark: ${marker}`));
  return `test/report.test.ts:${line + 1}:${lines[line].indexOf(code) + 1}`;
}

const THREE = { 'dev-eu': { stage: Stage.DEVELOPMENT }, 'prod-eu': { stage: Stage.PRODUCTION }, 'prod-us': { stage: Stage.PRODUCTION } };

describe('findings merged across clusters', () => {
  const finding = (cluster: string, extra: Partial<Finding> = {}): Finding => ({ path: `${cluster}/apps/shop/web/deployment`, message: 'replicas (-1) is negative', ...extra });

  test('the same message at the same path on several clusters is one mistake, under the clusters it occurs on', () => {
    const report = formatReport([finding('dev-eu'), finding('prod-eu'), finding('prod-us'), finding('prod-us', { message: 'image "web" has no tag' })], 'nothing written');
    expect(report).toBe([
      'strata: 2 errors, nothing written',
      'on dev-eu, prod-eu, prod-us',
      '  <cluster>/apps/shop/web/deployment',
      '    ✗ replicas (-1) is negative',
      'prod-us',
      '  prod-us/apps/shop/web/deployment',
      '    ✗ image "web" has no tag',
    ].join('\n'));
  });

  test('the cluster in the object\'s file is left out too; a different message, rule, severity or line is another mistake', () => {
    const withFile = (cluster: string) => finding(cluster, { object: `Deployment shop/web, ${cluster}/apps/shop/deployment-web.yaml`, rule: 'replicas' });
    expect(formatReport([withFile('dev-eu'), withFile('prod-eu')]).split('\n').slice(1, 3)).toEqual(['on dev-eu, prod-eu', '  <cluster>/apps/shop/web/deployment (Deployment shop/web, apps/shop/deployment-web.yaml)']);
    for (const other of [{ message: 'replicas (-2) is negative' }, { rule: 'other' }, { severity: 'warning' as const }, { source: 'main.ts:3:1' }]) {
      expect(formatReport([finding('dev-eu'), finding('prod-eu', other)])).not.toContain('on dev-eu, prod-eu');
    }
  });

  test('a message that names its own cluster is still one mistake: merged, it says cluster <cluster>', () => {
    const on = (cluster: string, name: string) => ({ path: `${cluster}/apps/web/web`, message: `namespace "web" needs keda, but cluster ${name} does not install it` });
    const report = formatReport([on('site-1', 'site-1'), on('site-2', '"site-2"'), on('site-3', 'site-3')]);
    expect(report.split('\n')).toEqual([
      'strata: 1 error',
      'on site-1, site-2, site-3',
      '  <cluster>/apps/web/web',
      '    ✗ namespace "web" needs keda, but cluster <cluster> does not install it',
    ]);
    // Only the finding's own cluster is a placeholder: another cluster named in it, or a longer name, stays.
    const other = formatReport([
      { path: 'site-1/apps/web/web', message: 'peer on cluster site-10' },
      { path: 'site-10/apps/web/web', message: 'peer on cluster site-10' },
    ]);
    expect(other).not.toContain('<cluster>/');
    expect(other).toContain('✗ peer on cluster site-10');
    // Alone on one cluster, a message keeps the cluster's name.
    expect(formatReport([on('site-1', 'site-1')])).toContain('but cluster site-1 does not install it');
  });

  test('fleet-wide findings (no cluster) stay apart', () => {
    expect(formatReport([{ path: '', message: 'a' }, { path: '', message: 'b' }])).toBe('strata: 2 errors\n(fleet)\n  (fleet)\n    ✗ a\n    ✗ b');
  });

  test('a mistake in a fleet.apps definition is reported once for every cluster, at the line that made it', () => {
    const fleet = shopFleet((apps) => {
      new WebService(apps, 'web', { ...BASE, port: 70000 }); // mark: web
    }, { clusters: THREE });
    const where = marked('web', 'new WebService');
    const findings = findingsOf(fleet);
    expect(findings.map((f) => [f.path, f.source])).toEqual(['dev-eu', 'prod-eu', 'prod-us'].map((c) => [`${c}/apps/shop/web`, where]));
    expect(formatReport(findings).split('\n').slice(0, 4)).toEqual([
      'strata: 1 error',
      'on dev-eu, prod-eu, prod-us',
      `  <cluster>/apps/shop/web at ${where}`,
      '    ✗ port "http": 70000 is out of range 1-65535',
    ]);
  });

  test('a StrataError thrown by a definition names the line that threw it', () => {
    const fleet = shopFleet(() => undefined, { clusters: THREE });
    fleet.apps('shop', () => {
      fleet.cluster('prod-mars'); // mark: unknown
    });
    const where = marked('unknown', 'cluster(');
    expect(findingsOf(fleet).map((f) => [f.path, f.message, f.source])).toEqual(
      ['dev-eu', 'prod-eu', 'prod-us'].map((c) => [c, 'unknown cluster "prod-mars" (clusters: dev-eu, prod-eu, prod-us)', where]),
    );
  });

  test('Fleet.synth prints its warnings at the line of their construct, merged across clusters', () => {
    const fleet = shopFleet((apps) => {
      const web = new WebService(apps, 'web', { ...BASE, port: 8080 }); // mark: warning
      Waivers.waive(web, 'resources', 'limits are set by the platform');
    }, { clusters: { 'dev-eu': THREE['dev-eu'], 'dev-us': THREE['dev-eu'] } });
    Object.assign(fleet, { outdir: join(mkdtempSync(join(tmpdir(), 'strata-report-')), 'dist') });
    const warned: string[] = [];
    const warn = jest.spyOn(console, 'warn').mockImplementation((m: string) => void warned.push(m));
    const error = jest.spyOn(console, 'error').mockImplementation((m: string) => void warned.push(m));
    const log = jest.spyOn(console, 'log').mockImplementation(() => undefined);
    try {
      const result = fleet.synth();
      expect(result?.warnings.map((w) => w.source)).toEqual([marked('warning', 'new WebService'), marked('warning', 'new WebService')]);
    } finally {
      warn.mockRestore();
      error.mockRestore();
      log.mockRestore();
    }
    const lines = warned.join('\n').split('\n');
    expect(lines.slice(0, 3)).toEqual(['strata: 1 warning, written', 'on dev-eu, dev-us', `  <cluster>/apps/shop/web at ${marked('warning', 'new WebService')}`]);
    expect(lines[3]).toMatch(/^ {4}⚠ \[resources\] waiver of resources \("limits are set by the platform"\) waives nothing/);
    expect(lines).toHaveLength(5);
  });

  test('an object written by hand inside the cluster is not placed at the addCluster line', () => {
    const fleet = shopFleet((apps) => {
      new ApiObject(apps, 'Bad_Name', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'Bad_Name' } });
    }, { clusters: { 'dev-eu': THREE['dev-eu'] } });
    const [bad] = findingsOf(fleet).filter((f) => f.path.endsWith('Bad_Name'));
    expect(bad.message).toContain('not a DNS-1123 subdomain');
    expect(bad.source).toBeUndefined();
  });
});

describe('colours', () => {
  test('only on a TTY; NO_COLOR turns them off, FORCE_COLOR on, TERM=dumb off', () => {
    expect(colorEnabled({ isTTY: true }, {})).toBe(true);
    expect(colorEnabled({ isTTY: false }, {})).toBe(false);
    expect(colorEnabled({}, { CI: 'true' })).toBe(false);
    expect(colorEnabled({ isTTY: true }, { NO_COLOR: '1' })).toBe(false);
    expect(colorEnabled({ isTTY: true }, { NO_COLOR: '' })).toBe(true);
    expect(colorEnabled({ isTTY: false }, { FORCE_COLOR: '1' })).toBe(true);
    expect(colorEnabled({ isTTY: true }, { FORCE_COLOR: '0' })).toBe(true);
    expect(colorEnabled({ isTTY: false }, { FORCE_COLOR: '0' })).toBe(false);
    expect(colorEnabled({ isTTY: true }, { NO_COLOR: '1', FORCE_COLOR: '1' })).toBe(false);
    expect(colorEnabled({ isTTY: true }, { TERM: 'dumb' })).toBe(false);
  });

  test('the report is the same text with or without them', () => {
    const findings: Finding[] = [{ path: 'a/x', message: 'm', hint: 'h', source: 'main.ts:1:1' }, { path: 'a/x', message: 'w', severity: 'warning' }];
    const coloured = formatReport(findings, 'written', { colors: createColors(true) });
    expect(coloured).toMatch(ANSI);
    expect(coloured.replace(/\x1b\[\d+m/g, '')).toBe(formatReport(findings, 'written'));
    expect(formatReport(findings, 'written', { colors: createColors(false) })).not.toMatch(ANSI);
  });
});

describe('progress', () => {
  function terminal(isTTY: boolean) {
    const written: string[] = [];
    let now = 0;
    const progress = new Progress({ isTTY, write: (t: string) => written.push(t) }, { now: () => now });
    return { written, progress, advance: (ms: number) => void (now += ms) };
  }

  test('on a TTY, nothing during the first second, then each step over the last, erased at the end', () => {
    const { written, progress, advance } = terminal(true);
    progress.step('dev-eu: building (1/2)');
    advance(1200);
    progress.step('prod-eu: building (2/2)');
    progress.step('writing dist/');
    progress.done();
    expect(written).toEqual(['\r\x1b[2Kstrata: prod-eu: building (2/2)', '\r\x1b[2Kstrata: writing dist/', '\r\x1b[2K']);
  });

  test('a quick synth prints nothing, not even the erase', () => {
    const { written, progress, advance } = terminal(true);
    progress.step('dev-eu: building (1/1)');
    advance(300);
    progress.done();
    expect(written).toEqual([]);
  });

  test('off a TTY (CI, a pipe) it never prints', () => {
    const { written, progress, advance } = terminal(false);
    advance(60_000);
    progress.step('dev-eu: building (1/1)');
    progress.done();
    expect(written).toEqual([]);
  });
});
