// Field-level differences between two versions of an object, computed by microdiff (objects are
// compared by value, so key order and YAML style never count). Secret values are never carried:
// a changed Secret key reads "(changed)".
import diff from 'microdiff';
import type { Manifest } from '../synth/model.js';

/** One changed field. */
export interface FieldChange {
  /** Readable path, list items named by their `name` when they have one: `spec.template.spec.containers[web].image`. */
  readonly path: string;
  readonly type: 'added' | 'removed' | 'changed';
  /** Old value; absent when added or when hidden (Secret data). */
  readonly before?: unknown;
  /** New value; absent when removed or when hidden. */
  readonly after?: unknown;
  /** True when the values are Secret data and not shown. */
  readonly hidden?: boolean;
}

const SECRET_FIELDS = new Set(['data', 'stringData']);

/** `path` as text, naming list items by `name` where the list item in `root` has one. */
export function formatPath(path: readonly (string | number)[], root: unknown): string {
  let out = '';
  let node: unknown = root;
  for (const key of path) {
    const next = node !== null && typeof node === 'object' ? (node as Record<string | number, unknown>)[key] : undefined;
    if (typeof key === 'number') {
      // Containers, ports and env are named by `name`; claim templates by `metadata.name`.
      const item = next !== null && typeof next === 'object' ? (next as { name?: unknown; metadata?: { name?: unknown } }) : undefined;
      const name = item?.name ?? item?.metadata?.name;
      out += typeof name === 'string' ? `[${name}]` : `[${key}]`;
    } else {
      out += /^[A-Za-z_$][\w$]*$/.test(key) ? `${out ? '.' : ''}${key}` : `[${JSON.stringify(key)}]`;
    }
    node = next;
  }
  return out;
}

/** The fields that differ between two versions of one object, in document order. */
export function fieldChanges(before: Manifest, after: Manifest): FieldChange[] {
  const secret = before.kind === 'Secret' || after.kind === 'Secret';
  return diff(before, after).map((d): FieldChange => {
    const path = formatPath(d.path, d.type === 'REMOVE' ? before : after);
    const hidden = secret && SECRET_FIELDS.has(String(d.path[0]));
    const type = d.type === 'CREATE' ? 'added' : d.type === 'REMOVE' ? 'removed' : 'changed';
    if (hidden) return { path, type, hidden: true };
    return {
      path,
      type,
      ...(d.type !== 'CREATE' ? { before: d.oldValue } : {}),
      ...(d.type !== 'REMOVE' ? { after: d.value } : {}),
    };
  });
}

/** A value for a report: strings as they are, everything else as compact JSON. */
export function formatValue(value: unknown): string {
  if (value === undefined) return '(none)';
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/** `path: old → new` (or `+ path: new`, `- path: old`), Secret values as "(changed)". */
export function describeField(f: FieldChange): string {
  if (f.hidden) return `${f.path}: (${f.type})`;
  if (f.type === 'added') return `${f.path}: + ${formatValue(f.after)}`;
  if (f.type === 'removed') return `${f.path}: - ${formatValue(f.before)}`;
  return `${f.path}: ${formatValue(f.before)} → ${formatValue(f.after)}`;
}
