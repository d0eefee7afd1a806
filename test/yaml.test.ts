import fc from 'fast-check';
import { parse, stringify } from 'yaml';
import { toMultiDocYaml, toYaml } from '../lib/synth/yaml.js';

// Strings that a YAML parser might read as something else, mixed into the generated values.
const TRICKY = [
  'on', 'off', 'yes', 'no', 'y', 'N', 'true', 'False', 'null', '~', '', ' ', '0755', '012', '0x1F', '0o17', '0b101', '1_000',
  '1e3', '1E-3', '1.0', '.5', '.inf', '-.Inf', '.NaN', '1:20', '190:20:30.15', '2001-12-14', '2001-12-14t21:59:43.10-05:00',
  '-', '- a', '--- ', '---', '--x', '...', ':', 'a:', 'a: b', 'a :b', '#', 'a #b', '?', '? x', '!tag', '&a', '*a', '|', '>', '%x', '@x', '`x',
  '"', "'", '[a]', '{a}', 'a,b', '<<', '=', '+1', '-1', '-0', '250m', '256Mi', './dist/x', '.x', 'multi\nline', 'trail\n',
  'two\n\n', '\ttab', 'a\tb', ' lead', 'trail ', 'é', '日本', 'a\u0001b', '\r\n', 'line\n  indented\n',
];

const trickyString = fc.oneof(fc.constantFrom(...TRICKY), fc.string(), fc.string({ unit: 'binary' }), fc.stringMatching(/^[a-z0-9.:\/_ -]{0,12}$/));
const value = fc.letrec((tie) => ({
  json: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.constant(null), fc.boolean(), fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true }), trickyString,
    fc.array(tie('json'), { maxLength: 4 }),
    fc.dictionary(trickyString, tie('json'), { maxKeys: 4 }),
  ),
})).json;

/** What JSON itself would keep: -0 becomes 0 and undefined-free objects. */
function normalize(v: unknown): unknown {
  return JSON.parse(JSON.stringify(v), (_k, x) => (Object.is(x, -0) ? 0 : x));
}

describe('toYaml', () => {
  test('reads back as the same value with a YAML 1.1 parser (Kubernetes) and a YAML 1.2 parser', () => {
    fc.assert(
      fc.property(value, (v) => {
        const text = toYaml(v);
        expect(parse(text, { version: '1.1', uniqueKeys: true })).toEqual(normalize(v));
        expect(parse(text, { version: '1.2', uniqueKeys: true })).toEqual(normalize(v));
      }),
      { numRuns: Number(process.env.YAML_RUNS ?? 3000), seed: process.env.YAML_SEED ? Number(process.env.YAML_SEED) : 20261125 },
    );
  });

  test('every tricky string round-trips as a value and as a key', () => {
    for (const s of TRICKY) {
      expect(parse(toYaml({ k: s }), { version: '1.1' })).toEqual({ k: s });
      expect(parse(toYaml({ [s]: 1 }), { version: '1.1' })).toEqual({ [s]: 1 });
    }
  });

  test('writes the block style a reviewer expects: sorted keys, indented sequences, literal blocks', () => {
    const doc = { spec: { b: [{ name: 'x', value: '1' }, 'plain'], a: 'two\nlines\n', c: {}, d: [] }, apiVersion: 'v1' };
    expect(toYaml(doc, 'strata: a/b')).toBe(
      ['# strata: a/b', 'apiVersion: v1', 'spec:', '  a: |', '    two', '    lines', '  b:', '    - name: x', '      value: "1"', '    - plain', '  c: {}', '  d: []', ''].join('\n'),
    );
    expect(toMultiDocYaml([{ value: { a: 1 } }, { value: { b: 2 } }])).toBe('a: 1\n---\nb: 2\n');
  });

  test('matches the yaml library byte for byte on ordinary manifests', () => {
    const manifest = {
      apiVersion: 'apps/v1', kind: 'Deployment',
      metadata: { name: 'web', namespace: 'shop', labels: { 'app.kubernetes.io/name': 'web' } },
      spec: { replicas: 2, template: { spec: { containers: [{ name: 'app', image: 'ghcr.io/acme/web:1.4.2', resources: { requests: { cpu: '250m', memory: '256Mi' } }, args: ['--port', '8080'] }] } } },
    };
    expect(toYaml(manifest)).toBe(stringify(manifest, { version: '1.1', sortMapEntries: true, lineWidth: 0 }));
  });
});
