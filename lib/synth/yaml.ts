// Deterministic YAML for Kubernetes manifests: block style, keys sorted, two-space indents, no
// anchors, no line folding. Every string a YAML 1.1 parser (what Kubernetes and kustomize use)
// or a YAML 1.2 parser would read as anything but that string — `on`, `yes`, `0755`, `1_000`,
// `1e3`, `2001-01-01`, `null` — is double-quoted.
//
// Why not the `yaml` library's stringify: it produces the same documents ~5× slower, and YAML
// serialization would be half of a synth (docs/performance.md); js-yaml is fast but leaves `1_000`
// unquoted, which YAML 1.1 reads as a number. test/yaml.test.ts round-trips generated values
// through the `yaml` library's parser in both 1.1 and 1.2 mode.

/** Values a manifest is made of (what `JSON.parse` can return). */
type Json = null | boolean | number | string | readonly Json[] | { readonly [key: string]: Json };

const PLAIN_CHARS = /^[A-Za-z0-9_./@:+=%~ -]+$/;
// Inside a plain scalar, `: ` starts a mapping value and ` #` a comment; edge spaces would be lost.
const PLAIN_BREAKERS = /: | #|^ | $/;
// '.' may start a relative path (`./dist`), never `.inf` or `.5`.
const BAD_FIRST_CHAR = /^([:?@%~=+!&*]|\.([^/]|$)|-[^A-Za-z-]|-$|---)/;
const YAML11_WORDS = /^(y|Y|yes|Yes|YES|n|N|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF|null|Null|NULL)$/;
// Integers, floats and YAML 1.1's base-60 numbers, read broadly (some parsers take `e0` or `_` as numbers).
const NUMBER_LIKE = /^([0-9][0-9_]*([.:][0-9_]*)*([eE][-+]?[0-9]+)?|[0-9_]*(\.[0-9_]*)?([eE][-+]?[0-9]+)?)$/;
const RADIX_LIKE = /^0[xXoObB]/;
const DATE_LIKE = /^[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}/;

/** True when `s` can be written without quotes and still reads back as the same string. */
function isPlainSafe(s: string): boolean {
  return (
    PLAIN_CHARS.test(s) &&
    !PLAIN_BREAKERS.test(s) &&
    !BAD_FIRST_CHAR.test(s) &&
    !s.endsWith(':') &&
    !YAML11_WORDS.test(s) &&
    !NUMBER_LIKE.test(s) &&
    !RADIX_LIKE.test(s) &&
    !DATE_LIKE.test(s)
  );
}

/** A literal block (`|`, `|-`) reads best for multi-line text; other strings fall back to JSON quoting. */
function literalBlock(s: string, indent: string): string | undefined {
  if (!s.includes('\n') || s.endsWith('\n\n') || /^[ \t\n]/.test(s) || /[^\n\x20-\x7e\u00a0-\ud7ff\ue000-\ufffd]/.test(s)) return undefined;
  const chomp = s.endsWith('\n') ? '' : '-';
  const body = (chomp ? s : s.slice(0, -1)).split('\n').map((line) => (line ? indent + line : '')).join('\n');
  return `|${chomp}\n${body}`;
}

function scalar(value: null | boolean | number | string): string {
  if (value === null) return 'null';
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (typeof value === 'number') return number(value);
  return isPlainSafe(value) ? value : JSON.stringify(value);
}

function number(n: number): string {
  if (!Number.isFinite(n)) throw new Error(`cannot write ${n} to YAML`);
  const s = String(n);
  // YAML 1.1 floats need a '.': 1e+21 would read back as a string.
  return /e/.test(s) && !s.includes('.') ? s.replace('e', '.0e') : s;
}

function sortedKeys(obj: { readonly [key: string]: Json }): string[] {
  return Object.keys(obj).filter((k) => obj[k] !== undefined).sort();
}

function isEmptyCollection(v: Json): boolean {
  if (typeof v !== 'object' || v === null) return false;
  if (Array.isArray(v)) return v.length === 0;
  for (const k in v) if (Object.prototype.hasOwnProperty.call(v, k) && (v as { [k: string]: Json })[k] !== undefined) return false;
  return true;
}

/**
 * Short strings written so far, as written: a fleet repeats the same keys (`metadata`,
 * `app.kubernetes.io/name`, ...) and many values (`RuntimeDefault`, label values, image names)
 * in every object, and checking a string for plain-safety takes eight regular expressions.
 * Bounded, since names and values are open-ended.
 */
const written = new Map<string, string>();
const CACHE_LIMIT = 20_000;
const CACHED_LENGTH = 100;

function stringScalar(s: string): string {
  if (s.length > CACHED_LENGTH) return scalar(s);
  let text = written.get(s);
  if (text === undefined) {
    text = scalar(s);
    if (written.size >= CACHE_LIMIT) written.clear();
    written.set(s, text);
  }
  return text;
}

function isMapping(v: Json): v is { readonly [key: string]: Json } {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** One `key:` or `-` entry: a scalar on the same line, or a nested block indented by `inner`. */
function emitEntry(head: string, value: Json, inner: string, out: string[]): void {
  if (typeof value !== 'object' || value === null) {
    const text = typeof value === 'string' ? literalBlock(value, inner) ?? stringScalar(value) : scalar(value);
    out.push(`${head} ${text}`);
  } else if (isEmptyCollection(value)) {
    out.push(`${head} ${Array.isArray(value) ? '[]' : '{}'}`);
  } else if (Array.isArray(value)) {
    out.push(head);
    emitSequence(value, inner, out);
  } else if (head.endsWith('-')) {
    // A mapping in a sequence starts on the dash line: `- key: value`, its other keys aligned under it.
    const lines: string[] = [];
    emitMapping(value as { readonly [key: string]: Json }, inner, lines);
    out.push(`${head} ${lines[0].slice(inner.length)}`, ...lines.slice(1));
  } else {
    out.push(head);
    emitMapping(value as { readonly [key: string]: Json }, inner, out);
  }
}

function emitMapping(obj: { readonly [key: string]: Json }, indent: string, out: string[]): void {
  for (const key of sortedKeys(obj)) emitEntry(`${indent}${stringScalar(key)}:`, obj[key], `${indent}  `, out);
}

function emitSequence(items: readonly Json[], indent: string, out: string[]): void {
  for (const item of items) emitEntry(`${indent}-`, item, `${indent}  `, out);
}

/** One YAML document, preceded by `# comment` lines when given. */
export function toYaml(value: unknown, comment?: string): string {
  const head = comment ? comment.split('\n').map((line) => `# ${line}\n`).join('') : '';
  const json = value as Json;
  const out: string[] = [];
  if (isEmptyCollection(json) || typeof json !== 'object' || json === null) {
    out.push(Array.isArray(json) ? '[]' : isMapping(json) ? '{}' : scalar(json as null | boolean | number | string));
  } else if (Array.isArray(json)) {
    emitSequence(json, '', out);
  } else {
    emitMapping(json as { readonly [key: string]: Json }, '', out);
  }
  return `${head}${out.join('\n')}\n`;
}

/** Several documents in one file, separated by `---`. */
export function toMultiDocYaml(docs: readonly { value: unknown; comment?: string }[]): string {
  return docs.map((d) => toYaml(d.value, d.comment)).join('---\n');
}
