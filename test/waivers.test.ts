import { jest } from '@jest/globals';
import { Construct } from 'constructs';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Testing, Waivers } from '../lib/index.js';
import { RULES } from '../lib/validate/rules/catalog.js';
import { fleetOf, patch, reported, webWorkload } from './support/policy.js';

const HOST_NETWORK = '/spec/template/spec/hostNetwork';
const RULE = 'pod-security-restricted';

describe('Waivers.waive', () => {
  test('waives one rule for every object under a construct, rendered as an annotation on each', () => {
    const fleet = fleetOf('production', (apps) => {
      const exporter = new Construct(apps, 'exporter');
      const w = webWorkload(exporter);
      patch.set(w.deployment, HOST_NETWORK, true);
      Waivers.waive(exporter, RULE, 'scrapes node metrics on the host network');
    });
    expect(reported(fleet)).toEqual([]);
    const { objects } = Testing.synth(fleet, { cluster: 'c', layer: 'apps' });
    expect(objects.map((o) => [o.kind, o.metadata.annotations?.[`strata.dev/waive.${RULE}`]])).toEqual([
      ['Deployment', 'scrapes node metrics on the host network'],
      ['Service', 'scrapes node metrics on the host network'],
      ['PodDisruptionBudget', 'scrapes node metrics on the host network'],
      ['HorizontalPodAutoscaler', 'scrapes node metrics on the host network'],
    ]);
  });

  test('waives only that rule and only those objects', () => {
    const fleet = fleetOf('production', (apps) => {
      const a = webWorkload(apps, 'a');
      const b = webWorkload(apps, 'b');
      for (const w of [a, b]) {
        patch.set(w.deployment, HOST_NETWORK, true);
        patch.set(w.deployment, '/spec/template/spec/containers/0/image', 'web:latest');
      }
      Waivers.waive(a.deployment, RULE, 'host network for the CNI probe');
    });
    expect(reported(fleet)).toEqual([
      'error [pod-security-restricted] c/apps/shop/b: hostNetwork is true: pods must not share the node\'s namespaces',
      'error [image-pinned] c/apps/shop/a: container "app" image "web:latest" uses the tag latest',
      'error [image-pinned] c/apps/shop/b: container "app" image "web:latest" uses the tag latest',
    ]);
  });

  test('an empty reason is an error at the construct, and waives nothing', () => {
    const fleet = fleetOf('production', (apps) => {
      const w = webWorkload(apps);
      patch.set(w.deployment, HOST_NETWORK, true);
      Waivers.waive(w.deployment, RULE, '  ');
    });
    expect(reported(fleet)).toEqual([
      `error [] c/apps/shop/web: waiver of ${RULE} has an empty reason: say why the rule does not apply here`,
      `error [${RULE}] c/apps/shop/web: hostNetwork is true: pods must not share the node's namespaces`,
    ]);
  });

  test('a waiver of an unknown rule is an error listing the rules', () => {
    const fleet = fleetOf('production', (apps) => Waivers.waive(webWorkload(apps).deployment, 'pod-security', 'typo'));
    expect(reported(fleet)).toEqual([`error [] c/apps/shop/web: waiver of unknown rule "pod-security" (rules: ${RULES.map((r) => r.id).join(', ')})`]);
  });

  test('a waiver that waives nothing is a warning, and the synth passes', () => {
    const fleet = fleetOf('production', (apps) => Waivers.waive(webWorkload(apps).deployment, RULE, 'just in case'));
    expect(reported(fleet)).toEqual([`warning [${RULE}] c/apps/shop/web: waiver of ${RULE} ("just in case") waives nothing: the rule found no problem in the 1 object it covers`]);
    expect(fleet.render().warnings).toHaveLength(1);
  });

  test('a waiver of a rule that is off in this stage but fired is not unused', () => {
    // The same definition runs on a development and a production cluster: the PDB rule is off in development.
    const fleet = fleetOf('development', (apps) => {
      const w = webWorkload(apps);
      apps.node.tryRemoveChild(w.pdb.node.id);
      Waivers.waive(w.deployment, 'pod-disruption-budget', 'the queue consumer tolerates losing every replica');
    });
    expect(reported(fleet)).toEqual([]);
  });

  test('the innermost waiver of a rule gives the reason', () => {
    const fleet = fleetOf('production', (apps) => {
      const w = webWorkload(apps);
      patch.set(w.deployment, HOST_NETWORK, true);
      Waivers.waive(apps, RULE, 'outer');
      Waivers.waive(w.deployment, RULE, 'inner');
    });
    const { objects } = Testing.synth(fleet, { cluster: 'c', layer: 'apps' });
    expect(objects.map((o) => o.metadata.annotations?.[`strata.dev/waive.${RULE}`])).toEqual(['inner', 'outer', 'outer', 'outer']);
    expect(reported(fleet)).toEqual([]);
  });
});

describe('waiver annotations written by hand', () => {
  test('count as waivers; an unknown rule or an empty reason is an error', () => {
    const fleet = fleetOf('production', (apps) => {
      const w = webWorkload(apps);
      patch.set(w.deployment, HOST_NETWORK, true);
      w.deployment.metadata.addAnnotation(`strata.dev/waive.${RULE}`, 'node agent');
      w.service.metadata.addAnnotation('strata.dev/waive.no-such-rule', 'x');
      w.pdb.metadata.addAnnotation('strata.dev/waive.image-pinned', '');
    });
    expect(reported(fleet)).toEqual([
      `error [] c/apps/shop/web-service: annotation strata.dev/waive.no-such-rule waives an unknown rule "no-such-rule" (rules: ${RULES.map((r) => r.id).join(', ')})`,
      'error [] c/apps/shop/web-pdb: annotation strata.dev/waive.image-pinned has an empty reason: say why the rule does not apply',
    ]);
  });
});

describe('synth with warnings', () => {
  test('prints them, writes dist/ and exits 0', () => {
    const outdir = join(mkdtempSync(join(tmpdir(), 'strata-warn-')), 'dist');
    const fleet = fleetOf('development', (apps) => patch.set(webWorkload(apps).deployment, '/spec/template/spec/containers/0/image', 'web:latest'), undefined, outdir);
    const printed: string[] = [];
    const spy = jest.spyOn(console, 'warn').mockImplementation((m: string) => void printed.push(m));
    try {
      process.exitCode = 0;
      fleet.synth();
    } finally {
      spy.mockRestore();
    }
    expect(process.exitCode).toBe(0);
    expect(existsSync(join(outdir, 'c/apps/shop/deployment-web.yaml'))).toBe(true);
    expect(printed.join('\n')).toBe([
      'strata: 1 warning, written',
      'c',
      '  c/apps/shop/web (Deployment shop/web)',
      '    ⚠ [image-pinned] container "app" image "web:latest" uses the tag latest',
      '        fix: pin the image to a release tag (e.g. ghcr.io/acme/web:1.4.2) or a digest (@sha256:...)',
    ].join('\n'));
  });
});
