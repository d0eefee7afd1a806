// Reading dist/ files (lib/validate/dist-yaml.ts): js-yaml where it reads a file as the `yaml`
// library does, `yaml` otherwise. Every file strata writes must read the same both ways, comments
// (construct paths) included, and take the fast way.
import { describe, expect, test } from '@jest/globals';
import fc from 'fast-check';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { leadingComment, parseDocuments, readDocuments } from '../lib/validate/dist-yaml.js';
import { toMultiDocYaml, toYaml } from '../lib/synth/yaml.js';

/** The reading every caller had before: `yaml`'s documents, values and leading comments. */
function reference(text: string): { value: unknown; comment?: string; error?: string }[] {
  return parseAllDocuments(text).map((doc) => {
    const comment = leadingComment(doc);
    const base = comment === undefined ? {} : { comment };
    if (doc.errors.length > 0) return { value: null, ...base, error: doc.errors[0].message };
    try {
      return { value: doc.toJS() as unknown, ...base };
    } catch (e) {
      return { value: null, ...base, error: (e as Error).message };
    }
  });
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

describe('reading dist/ YAML', () => {
  test('every file of the example dist/ reads as `yaml` reads it, through js-yaml', () => {
    const files = filesUnder('dist').filter((f) => f.endsWith('.yaml'));
    expect(files.length).toBeGreaterThan(100);
    for (const file of files) {
      const text = readFileSync(file, 'utf8');
      const { documents, reader } = readDocuments(text);
      expect({ file, reader }).toEqual({ file, reader: 'js-yaml' });
      expect(documents).toEqual(reference(text));
    }
    expect(parseDocuments(readFileSync('dist/dev-eu/apps/shop/deployment-orders.yaml', 'utf8'))[0].comment).toBe(' strata: dev-eu/apps/shop/orders/deployment');
  });

  // Strings a YAML 1.1 reader or a timestamp-aware schema would take for something else: the
  // writer quotes what must be quoted, and both libraries must read back the same.
  const tricky = fc.constantFrom('2024-01-01', '2024-01-01T10:00:00Z', 'yes', 'no', 'on', 'off', 'y', 'n', '~', 'null', 'Null', 'true', 'True', 'FALSE',
    '1_000', '0x1F', '0o17', '017', '.inf', '-.Inf', '.nan', '1e3', '+12', '-0', '0.5', '12:30:00', '<<', '=', '!tag', '&a', '*a', '%x', '@x', '`x',
    '#x', 'a #b', 'a: b', '- x', '? x', '[x]', '{x}', '"q"', "'q'", ' lead', 'trail ', '', 'multi\nline', 'tab\there', 'line\n', '\n', '---', '...', 'café', '😀');
  const scalar = fc.oneof(tricky, fc.string(), fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true }), fc.boolean(), fc.constant(null));
  const key = fc.oneof(tricky, fc.string({ minLength: 1, maxLength: 12 }));
  const { value } = fc.letrec((tie) => ({
    value: fc.oneof({ depthSize: 'small' }, scalar, fc.array(tie('value'), { maxLength: 3 }), fc.dictionary(key, tie('value'), { maxKeys: 4 })),
  }));
  const manifest = fc.record({ apiVersion: fc.constant('v1'), kind: fc.constant('ConfigMap'), metadata: fc.record({ name: fc.constant('x') }), data: fc.dictionary(key, value, { maxKeys: 5 }) });

  test('whatever strata writes reads the same with both libraries (values and construct-path comments)', () => {
    fc.assert(fc.property(fc.array(fc.tuple(manifest, fc.option(fc.constantFrom('strata: a/b/c', 'strata: x\nsecond line'), { nil: undefined })), { minLength: 1, maxLength: 3 }), (docs) => {
      let text: string;
      try {
        text = toMultiDocYaml(docs.map(([v, comment]) => ({ value: v, comment })));
      } catch {
        return; // a value the writer refuses (reported at synth time): nothing to read back
      }
      expect(parseDocuments(text)).toEqual(reference(text));
    }), { numRuns: 400 });
  });

  test('what js-yaml would read otherwise, or not at all, is read by `yaml`: the same values and the same errors', () => {
    const cases = [
      'a: 1\na: 2\n', // a duplicate key: an error either way, yaml's message
      '--- a: 1\n', // content on the marker line
      'a: 1\n...\n', // an end marker
      '%YAML 1.2\n---\na: 1\n', // a directive
      '# only a comment\n', // no document
      'a: 1\n---\n', // a trailing marker
      '{"__proto__": {"x": 1}, "b": 2}\n',
      'key: [unclosed\n',
    ];
    for (const text of cases) expect(parseDocuments(text)).toEqual(reference(text));
    expect(readDocuments('a: 1\na: 2\n')).toMatchObject({ reader: 'yaml', documents: [{ value: null, error: expect.stringMatching(/unique/i) }] });
    expect(readDocuments('# strata: p\na: 1\n---\n# strata: q\nb: 2\n')).toEqual({ reader: 'js-yaml', documents: [{ value: { a: 1 }, comment: ' strata: p' }, { value: { b: 2 }, comment: ' strata: q' }] });
    expect(readDocuments(toYaml({ when: '2024-01-01' }))).toEqual({ reader: 'js-yaml', documents: [{ value: { when: '2024-01-01' } }] });
    // Hand-written YAML 1.2: a plain date is a string and `<<` an ordinary key, as `yaml` reads them (no timestamps, no merge keys).
    const handWritten = 'when: 2024-01-01\nbase:\n  <<: {a: 1}\n  b: 2\n';
    // Plain scalars js-yaml's core schema would read as numbers where `yaml` keeps strings, and an explicit tag: read by `yaml`.
    for (const scalar of ['1_000', '1__0', '1_0.5', '0b101', '-0x1F', '-0o17', '!!float 1', '!!str 12']) {
      const text = `k: ${scalar}\n`;
      expect({ scalar, ...readDocuments(text) }).toEqual({ scalar, reader: 'yaml', documents: reference(text) });
    }
    expect(reference('k: 1_000\nh: -0x1F\n')).toEqual([{ value: { k: '1_000', h: '-0x1F' } }]);
    // Anchors and aliases: `yaml` refuses more than 100 alias expansions, so a few hundred bytes
    // cannot stand for billions of values (js-yaml would share them, and every check would walk them all).
    const levels = Array.from({ length: 9 }, (_, i) => `l${i + 1}: &l${i + 1} [${Array(10).fill(`*l${i}`).join(', ')}]`);
    const bomb = ['data:', '  l0: &l0 [x]', ...levels.map((l) => `  ${l}`)].join('\n') + '\n';
    expect(bomb.length).toBeLessThan(800);
    const read = readDocuments(bomb);
    expect(read.reader).toBe('yaml');
    expect(read.documents).toEqual([{ value: null, error: expect.stringMatching(/alias/i) }]);
    expect(readDocuments('a: &x 1\nb: *x\n')).toEqual({ reader: 'yaml', documents: reference('a: &x 1\nb: *x\n') });
    // A wildcard host and a query string are no alias or anchor: read by js-yaml.
    expect(readDocuments('host: "*.acme.dev"\nurl: https://x.dev/?a=1&b=2\n').reader).toBe('js-yaml');
    expect(readDocuments(handWritten)).toEqual({ reader: 'js-yaml', documents: reference(handWritten) });
    expect(reference(handWritten)).toEqual([{ value: { when: '2024-01-01', base: { '<<': { a: 1 }, b: 2 } } }]);
  });
});
