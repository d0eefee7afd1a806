// Deterministic YAML for Kubernetes manifests: block style, keys sorted, two-space indents, no
// anchors, no line folding. Every string a YAML 1.1 parser (what Kubernetes and kustomize use)
// or a YAML 1.2 parser would read as anything but that string — `on`, `yes`, `0755`, `1_000`,
// `1e3`, `2001-01-01`, `null` — is double-quoted.
//
// Why not the `yaml` library's stringify: it produces the same documents ~5× slower, and YAML
// serialization would be half of a synth (docs/performance.md); js-yaml is fast but leaves `1_000`
// unquoted, which YAML 1.1 reads as a number. test/yaml.test.ts round-trips generated values
// through the `yaml` library's parser in both 1.1 and 1.2 mode, and a sample through real kustomize.
//
// What go-yaml (kustomize, Flux) reads: only YAML's printable characters may appear raw anywhere in
// a file, comments included, and NEL, LS and PS (U+0085, U+2028, U+2029) are line breaks to a
// YAML 1.1 parser. Every other character is written as a `\u` escape inside double quotes. A lone
// UTF-16 surrogate has no escape go-yaml accepts, so such a string is refused
// (`unwritableProblem`, which the synth's checks report first with the object's path).

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

/** Characters JSON.stringify leaves raw that a YAML file must not hold raw (see the top of this file). */
const NOT_RAW = /[\x7f-\x9f\u2028\u2029\ufeff\ufffe\uffff]/;
const NOT_RAW_ALL = new RegExp(NOT_RAW.source, 'g');
/** What YAML lets a file hold raw, minus the line breaks of YAML 1.1 (a literal block or comment holds `\n` only). */
const NOT_PRINTABLE = /[^\n\x20-\x7e\u00a0-\u2027\u202a-\ud7ff\ue000-\ufefe\uff00-\ufffd\u{10000}-\u{10ffff}]/u;
const NOT_PRINTABLE_ALL = new RegExp(NOT_PRINTABLE.source, 'gu');
// Lone surrogates: a high one not followed by a low one, or a low one not preceded by a high one.
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
/** Longest key text written as an implicit `key:` (YAML and go-yaml stop looking for the `:` after 1024 characters). */
const IMPLICIT_KEY_LIMIT = 1000;

/**
 * Why `s` cannot be written to a YAML file any consumer reads back unchanged, or undefined when it
 * can. The synth's checks call it on every rendered string, so the emitter's refusal is never the
 * first report.
 */
export function unwritableProblem(s: string): string | undefined {
  return LONE_SURROGATE.test(s) ? 'holds a lone UTF-16 surrogate (half of a character), which no YAML parser reads back' : undefined;
}

/** Longest mapping key kustomize builds: it re-reads objects as JSON, whose implicit keys end at 1024 characters. */
export const KUSTOMIZE_KEY_LIMIT = 1024;

/** Characters Go's encoding/json writes as a 2-character escape or a 6-character `\\u` escape. */
const GO_JSON_SHORT = /["\\\n\r\t]/g;
const GO_JSON_LONG = /[\x00-\x1f<>&\u2028\u2029]/g;

/**
 * Why kustomize cannot build an object with mapping key `key`, or undefined when it can: kustomize
 * writes every object as JSON (Go's encoding/json) and reads it back with go-yaml, which gives up on
 * a key longer than 1024 characters there and takes `"<<"` for a merge key, however the file wrote it.
 */
export function unbuildableKeyProblem(key: string): string | undefined {
  const problem = unbuildableProblem(key);
  if (key === '<<') return 'is "<<", which go-yaml reads as a merge key, so kustomize drops it';
  if (problem || key.length + 2 <= KUSTOMIZE_KEY_LIMIT / 6) return problem;
  const runes = [...key].length;
  const short = key.match(GO_JSON_SHORT)?.length ?? 0;
  const long = key.match(GO_JSON_LONG)?.length ?? 0;
  const length = 2 + runes + short + 5 * (long - (key.match(/[\n\r\t]/g)?.length ?? 0));
  return length > KUSTOMIZE_KEY_LIMIT
    ? `is ${runes} characters long: kustomize re-reads every object as JSON, where a key longer than ${KUSTOMIZE_KEY_LIMIT} characters (quotes and escapes included; this one is ${length}) cannot be read`
    : undefined;
}

/** Characters Go's encoding/json writes raw and go-yaml then refuses (DEL, C1 controls, U+FFFE/U+FFFF) or reads as a line break (NEL, LS, PS). */
const KUSTOMIZE_MANGLED = /[\x7f-\x9f\u2028\u2029\ufffe\uffff]/;

/**
 * Why kustomize cannot build a string unchanged, or undefined when it can: beyond what YAML cannot
 * hold (`unwritableProblem`), kustomize re-reads every object as JSON written by Go, which leaves
 * DEL, C1 controls, U+FFFE and U+FFFF raw (go-yaml then refuses the folder) and NEL, LS and PS
 * raw (go-yaml then reads a line break). However the file escapes them, they do not survive.
 */
export function unbuildableProblem(s: string): string | undefined {
  const unwritable = unwritableProblem(s);
  if (unwritable) return unwritable;
  const c = KUSTOMIZE_MANGLED.exec(s)?.[0];
  if (c === undefined) return undefined;
  const code = `U+${c.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}`;
  return /[\x85\u2028\u2029]/.test(c)
    ? `holds ${code}, a line break to go-yaml, which kustomize writes raw, so Flux would apply a different string`
    : `holds ${code}, a character go-yaml refuses, which kustomize writes raw, so kustomize would fail on the folder`;
}

function escapeChar(c: string): string {
  return `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;
}

/**
 * A double-quoted scalar: JSON's escapes (a subset of YAML's), plus escapes for what JSON leaves raw.
 * @throws Error for a string `unwritableProblem` refuses
 */
function quoted(s: string): string {
  const problem = unwritableProblem(s);
  if (problem) throw new Error(`cannot write ${JSON.stringify(s)} to YAML: it ${problem}`);
  const json = JSON.stringify(s);
  return NOT_RAW.test(json) ? json.replace(NOT_RAW_ALL, escapeChar) : json;
}

/** A literal block (`|`, `|-`) reads best for multi-line text; other strings fall back to double quotes. */
function literalBlock(s: string, indent: string): string | undefined {
  if (!s.includes('\n') || s.endsWith('\n\n') || /^[ \t\n]/.test(s) || NOT_PRINTABLE.test(s)) return undefined;
  const chomp = s.endsWith('\n') ? '' : '-';
  const body = (chomp ? s : s.slice(0, -1)).split('\n').map((line) => (line ? indent + line : '')).join('\n');
  return `|${chomp}\n${body}`;
}

function scalar(value: null | boolean | number | string): string {
  if (value === null) return 'null';
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (typeof value === 'number') return number(value);
  return isPlainSafe(value) ? value : quoted(value);
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

/** `key:`, or for a key too long to be implicit the explicit form `? key` then `:` on the next line. */
function keyHead(indent: string, key: string): string {
  const text = stringScalar(key);
  return text.length > IMPLICIT_KEY_LIMIT ? `${indent}? ${text}\n${indent}:` : `${indent}${text}:`;
}

function emitMapping(obj: { readonly [key: string]: Json }, indent: string, out: string[]): void {
  for (const key of sortedKeys(obj)) emitEntry(keyHead(indent, key), obj[key], `${indent}  `, out);
}

function emitSequence(items: readonly Json[], indent: string, out: string[]): void {
  // cdk8s turns a null item into undefined (a Helm values list may hold null): JSON, which the API
  // server and Helm read, writes both as null, and so does this.
  for (const item of items) emitEntry(`${indent}-`, item === undefined ? null : item, `${indent}  `, out);
}

/** `# ` lines; characters a YAML file must not hold raw (line breaks other than `\\n` among them) are escaped. */
function commentLines(comment: string): string {
  const text = NOT_PRINTABLE.test(comment) ? comment.replace(NOT_PRINTABLE_ALL, escapeChar) : comment;
  return text.split('\n').map((line) => `# ${line}\n`).join('');
}

/** One YAML document, preceded by `# comment` lines when given. */
export function toYaml(value: unknown, comment?: string): string {
  const head = comment ? commentLines(comment) : '';
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
