import fc from 'fast-check';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, parseAllDocuments, stringify } from 'yaml';
import { toMultiDocYaml, toYaml, unbuildableKeyProblem, unbuildableProblem, unwritableProblem } from '../lib/synth/yaml.js';
import { kustomizeBuild } from './support/kubectl.js';

// Strings that a YAML parser might read as something else, mixed into the generated values.
const TRICKY = [
  'on', 'off', 'yes', 'no', 'y', 'N', 'true', 'False', 'null', '~', '', ' ', '0755', '012', '0x1F', '0o17', '0b101', '1_000',
  '1e3', '1E-3', '1.0', '.5', '.inf', '-.Inf', '.NaN', '1:20', '190:20:30.15', '2001-12-14', '2001-12-14t21:59:43.10-05:00',
  '-', '- a', '--- ', '---', '--x', '...', ':', 'a:', 'a: b', 'a :b', '#', 'a #b', '?', '? x', '!tag', '&a', '*a', '|', '>', '%x', '@x', '`x',
  '"', "'", '[a]', '{a}', 'a,b', '<<', '=', '+1', '-1', '-0', '250m', '256Mi', './dist/x', '.x', 'multi\nline', 'trail\n',
  'two\n\n', '\ttab', 'a\tb', ' lead', 'trail ', 'é', '日本', 'a\u0001b', '\r\n', 'line\n  indented\n',
  // Raw, these break go-yaml (kustomize, Flux): line breaks to YAML 1.1 (NEL, LS, PS), DEL, C1 controls, BOM, non-characters.
  'a\u0085b', 'a\u2028b', 'a\u2029b', 'del\u007f', '\u0080c1\u009f', '\ufeffbom', 'x\ufffey\uffff', 'two\nlines\u2028', 'two\nlines\u0085\n',
  '\u{1F600} emoji', 'a\nb \u{1F600}',
];

/** Strings made of the characters YAML consumers disagree on, ordinary ones and line breaks. */
const escapedString = fc
  .array(fc.constantFrom('a', ' ', '\n', ':', '"', '\\', '\u0085', '\u2028', '\u2029', '\u007f', '\u0080', '\u009f', '\ufeff', '\ufffe', '\t', '\u{1F600}'), { maxLength: 8 })
  .map((cs) => cs.join(''));

const longKey = fc.integer({ min: 995, max: 1100 }).map((n) => 'k'.repeat(n));
const trickyString = fc.oneof(
  fc.constantFrom(...TRICKY), fc.string(), fc.string({ unit: 'binary' }), fc.stringMatching(/^[a-z0-9.:\/_ -]{0,12}$/), escapedString,
  { weight: 1, arbitrary: longKey },
);
const value = fc.letrec((tie) => ({
  json: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.constant(null), fc.boolean(), fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true }), trickyString,
    fc.array(tie('json'), { maxLength: 4 }),
    fc.dictionary(trickyString, tie('json'), { maxKeys: 4 }),
  ),
})).json;

/** True when kustomize can build every key and string of `v` unchanged (as strata's checks require). */
function buildable(v: unknown): boolean {
  if (typeof v === 'string') return !unbuildableProblem(v);
  if (typeof v !== 'object' || v === null) return true;
  if (Array.isArray(v)) return v.every(buildable);
  return Object.entries(v).every(([k, x]) => !unbuildableKeyProblem(k) && buildable(x));
}

/** Builds `docs` (one file) with real kustomize and returns each document's spec by name. */
function kustomizeSpecs(docs: readonly { value: unknown }[]): Map<string, unknown> {
  const dir = mkdtempSync(join(tmpdir(), 'strata-yaml-'));
  writeFileSync(join(dir, 'samples.yaml'), toMultiDocYaml(docs));
  writeFileSync(join(dir, 'kustomization.yaml'), toYaml({ apiVersion: 'kustomize.config.k8s.io/v1beta1', kind: 'Kustomization', resources: ['samples.yaml'] }));
  const built = parseAllDocuments(kustomizeBuild(dir), { version: '1.1' }).map((d) => d.toJS() as { metadata: { name: string }; spec?: unknown });
  return new Map(built.map((d) => [d.metadata.name, d.spec]));
}

const sampleDoc = (name: string, spec: unknown) => ({ value: { apiVersion: 'example.com/v1', kind: 'Sample', metadata: { name }, spec } });

/** What JSON itself would keep: -0 becomes 0 and undefined-free objects. */
function normalize(v: unknown): unknown {
  return JSON.parse(JSON.stringify(v), (_k, x) => (Object.is(x, -0) ? 0 : x));
}

describe('toYaml', () => {
  test('a list item cdk8s left undefined (a null in Helm values) is written null, as JSON writes it', () => {
    expect(toYaml({ values: { list: [undefined, 'a', null] } } as never)).toBe('values:\n  list:\n    - null\n    - a\n    - null\n');
  });

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

  test('a sample of the same values reads back unchanged through real kustomize (go-yaml)', () => {
    const sample = fc.sample(value, { numRuns: 200, seed: 20261130 }).filter(buildable);
    const docs = [
      ...sample.map((spec, i) => sampleDoc(`s${i}`, spec)),
      ...TRICKY.filter((s) => buildable({ [s]: s })).map((s, i) => sampleDoc(`t${i}`, { [s]: s, [s + 'k'.repeat(900)]: [s] })),
    ];
    expect(sample.length).toBeGreaterThan(120);
    expect(docs.length - sample.length).toBeGreaterThan(70);
    const specs = kustomizeSpecs(docs);
    expect(specs.size).toBe(docs.length);
    for (const d of docs) expect([d.value.metadata.name, specs.get(d.value.metadata.name)]).toEqual([d.value.metadata.name, normalize(d.value.spec)]);
  });

  test('refuses exactly the keys kustomize cannot build: the merge key, longer than 1024 characters as JSON', () => {
    const longest = 'k'.repeat(1022);
    expect(unbuildableKeyProblem(longest)).toBeUndefined();
    expect(unbuildableKeyProblem(`${longest}k`)).toMatch(/^is 1023 characters long: kustomize re-reads every object as JSON, .* \(quotes and escapes included; this one is 1025\)/);
    expect(kustomizeSpecs([sampleDoc('a', { [longest]: 1 })]).get('a')).toEqual({ [longest]: 1 });
    expect(() => kustomizeSpecs([sampleDoc('a', { [`${longest}k`]: 1 })])).toThrow(/did not find expected/);
    expect(unbuildableKeyProblem('<<')).toBe('is "<<", which go-yaml reads as a merge key, so kustomize drops it');
    expect(kustomizeSpecs([sampleDoc('a', { '<<': 'x', b: 1 })]).get('a')).toEqual({ b: 1 });
    // Escapes count as Go writes them: `<` is `\u003c`, `"` is `\"`.
    const escaped = `${'<'.repeat(170)}"`;
    expect(unbuildableKeyProblem(escaped)).toBeUndefined();
    expect(unbuildableKeyProblem(`<${escaped}`)).toMatch(/is 172 characters long: .*this one is 1030\)/);
    expect(kustomizeSpecs([sampleDoc('a', { [escaped]: 1 })]).get('a')).toEqual({ [escaped]: 1 });
    expect(() => kustomizeSpecs([sampleDoc('a', { [`<${escaped}`]: 1 })])).toThrow(/did not find expected/);
  });

  test('refuses exactly the characters kustomize refuses or changes, however they are escaped', () => {
    const refused = ['\u007f', '\u0080', '\u0085', '\u009f', '\u2028', '\u2029', '\ufffe', '\uffff'];
    for (const c of refused) expect(unbuildableProblem(`a${c}b`)).toMatch(/^holds U\+[0-9A-F]{4}, a (line break to go-yaml|character go-yaml refuses)/);
    expect(unbuildableProblem('a\u2028b')).toBe('holds U+2028, a line break to go-yaml, which kustomize writes raw, so Flux would apply a different string');
    expect(unbuildableProblem('a\u007fb')).toBe('holds U+007F, a character go-yaml refuses, which kustomize writes raw, so kustomize would fail on the folder');
    for (const [i, c] of refused.entries()) {
      let built: unknown;
      try {
        built = kustomizeSpecs([sampleDoc('a', { v: `a${c}b` })]).get('a');
      } catch {
        continue; // refused by kustomize
      }
      expect([i, built]).not.toEqual([i, { v: `a${c}b` }]); // changed by kustomize
    }
    // Escaped, these survive: controls JSON escapes, the BOM, private use, astral characters.
    const kept = ['a\u0001b', '\ufeffa', 'a\ue000', 'a\u00a0b', '\u{1F600}', 'a\tb\r\n'];
    for (const s of kept) expect(unbuildableProblem(s)).toBeUndefined();
    expect(kustomizeSpecs([sampleDoc('a', Object.fromEntries(kept.map((s) => [s, s])))]).get('a')).toEqual(Object.fromEntries(kept.map((s) => [s, s])));
  });

  test('escapes the characters go-yaml reads as line breaks or refuses, in values, keys and comments', () => {
    const text = toYaml({ 'k\u2028': 'a\u0085b\u2029\u007f\u009f\ufeff' }, 'strata: a\u2028b\u0085c');
    expect(text).toBe('# strata: a\\u2028b\\u0085c\n"k\\u2028": "a\\u0085b\\u2029\\u007f\\u009f\\ufeff"\n');
    expect(text).not.toMatch(/[\u0085\u2028\u2029\u007f-\u009f\ufeff]/);
  });

  test('writes a key longer than an implicit key may be as an explicit key', () => {
    const key = 'k'.repeat(1100);
    const text = toYaml({ a: [{ [key]: { b: 1 } }], [key]: 'v' });
    expect(text).toBe(['a:', `  - ? ${key}`, '    :', '      b: 1', `? ${key}`, ': v', ''].join('\n'));
    expect(parse(text, { version: '1.1' })).toEqual({ a: [{ [key]: { b: 1 } }], [key]: 'v' });
  });

  test('refuses a string with a lone surrogate, which no YAML parser reads back', () => {
    expect(unwritableProblem('a\ud800b')).toMatch(/lone UTF-16 surrogate/);
    expect(unwritableProblem('\udc00')).toMatch(/lone UTF-16 surrogate/);
    expect(unwritableProblem('\u{1F600}')).toBeUndefined();
    expect(() => toYaml({ k: 'a\ud800' })).toThrow('cannot write "a\\ud800" to YAML: it holds a lone UTF-16 surrogate');
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
