// Reading the YAML files of a dist/ tree: `npm run validate`, `npm run plan` and the line a synth
// ends with read every file of a fleet (tens of thousands at a thousand clusters). The `yaml`
// library keeps a document model with every node's source range and comments, ~240 µs per file of
// the bench fleet; js-yaml builds the plain values directly, ~25 µs (docs/performance.md). So a
// file is read with js-yaml (YAML 1.2's core schema, as `yaml` reads it) and the comment before
// each document is taken from the text, which is how strata writes its construct paths. A file
// js-yaml refuses or would read otherwise (`READ_OTHERWISE`), or whose documents the text scan
// cannot pair with what js-yaml read, is read by `yaml` as before, so a broken file gets the same
// error, named the same way.
import { CORE_SCHEMA, loadAll } from 'js-yaml';
import { parseAllDocuments } from 'yaml';

/** One document of a YAML file. */
export interface ParsedDocument {
  /** The document's value, as JSON would hold it; null for an empty document. */
  readonly value: unknown;
  /** The comment lines before the document's first node, without their `#`, joined by newlines. */
  readonly comment?: string;
  /** Why the document is not valid YAML (the parser's first message); `value` is then null. */
  readonly error?: string;
}

/**
 * The comments before each document of `text`: documents are split at `---` lines (strata's
 * writer puts one between documents), and a document's comment is its comment lines before the
 * first line that is neither a comment nor blank. Undefined when the text has what this scan does
 * not follow: a `...` end marker, a directive, content on a `---` line, or a document with no
 * content (which the two libraries count differently).
 */
function documentComments(text: string): (string | undefined)[] | undefined {
  const comments: (string | undefined)[] = [];
  let lines: string[] = [];
  let content = false;
  let marked = false;
  for (const line of text.split('\n')) {
    if (line.startsWith('---')) {
      if (line.trimEnd() !== '---') return undefined;
      if (content) comments.push(lines.length > 0 ? lines.join('\n') : undefined);
      else if (marked || lines.length > 0) return undefined;
      lines = [];
      content = false;
      marked = true;
      continue;
    }
    if (line.startsWith('...') || line.startsWith('%')) return undefined;
    if (content) continue;
    const trimmed = line.trimStart();
    if (trimmed.startsWith('#')) lines.push(trimmed.slice(1).replace(/\r$/, ''));
    else if (trimmed !== '') content = true;
  }
  if (content) comments.push(lines.length > 0 ? lines.join('\n') : undefined);
  else if (marked || lines.length > 0) return undefined;
  return comments;
}

/**
 * What js-yaml's core schema reads otherwise than `yaml`'s, found anywhere in the text (inside a
 * quoted string too: that only costs the slower reading): numbers with `_` (`1_000`), binary
 * (`0b101`) and signed hexadecimal or octal (`-0x1F`) numbers, which `yaml` keeps as strings; an
 * explicit `!!` tag; a `__proto__` key, which js-yaml defines as an own key and `yaml` as a
 * prototype; an anchor or alias (`&a`, `*a`), which js-yaml shares without limit where `yaml`
 * refuses more than 100 (a few hundred bytes of nested aliases expand to billions of values).
 */
const READ_OTHERWISE = /[0-9]_|_[0-9]|\b0b[01]|[-+]0[xo]|!!|__proto__|(?:^|[\s[{,])[&*][^\s,\]}"']/m;

/** Every document of `text` as `yaml` reads it: the way for a file js-yaml cannot read. */
function parseWithYaml(text: string): ParsedDocument[] {
  return parseAllDocuments(text).map((doc) => {
    const comment = leadingComment(doc) ?? undefined;
    const base = comment === undefined ? {} : { comment };
    if (doc.errors.length > 0) return { value: null, ...base, error: doc.errors[0].message };
    try {
      return { value: doc.toJS() as unknown, ...base };
    } catch (e) {
      // `yaml` refuses to expand more than 100 aliases ("Excessive alias count ..."), among others.
      return { value: null, ...base, error: e instanceof Error ? e.message : String(e) };
    }
  });
}

/** The comment above a document's first key: `yaml` keeps it on the document, its map or its first key. */
export function leadingComment(doc: { commentBefore?: string | null; contents: unknown }): string | undefined {
  type Node = { commentBefore?: string | null; items?: { key?: Node }[] } | null | undefined;
  const contents = doc.contents as Node;
  return doc.commentBefore ?? contents?.commentBefore ?? contents?.items?.[0]?.key?.commentBefore ?? undefined;
}

/**
 * The documents of a YAML file, each with the comment before it (where strata writes the
 * construct path) and its error, if any. Read with js-yaml where it reads the file as `yaml` does,
 * else with `yaml`. Never throws.
 */
export function parseDocuments(text: string): ParsedDocument[] {
  return readDocuments(text).documents;
}

/** `parseDocuments`, and which library read the file. */
export function readDocuments(text: string): { documents: ParsedDocument[]; reader: 'js-yaml' | 'yaml' } {
  const slow = () => ({ documents: parseWithYaml(text), reader: 'yaml' as const });
  if (READ_OTHERWISE.test(text)) return slow();
  const comments = documentComments(text);
  if (!comments) return slow();
  let values: unknown[];
  try {
    values = loadAll(text, undefined, { schema: CORE_SCHEMA });
  } catch {
    return slow();
  }
  if (values.length !== comments.length) return slow();
  const documents = values.map((value, i) => {
    const comment = comments[i];
    return { value, ...(comment === undefined ? {} : { comment }) };
  });
  return { documents, reader: 'js-yaml' };
}
