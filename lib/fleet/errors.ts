import type { IConstruct } from 'constructs';

/** How bad a finding is: errors fail the synth, warnings are printed and pass. */
export type Severity = 'error' | 'warning';

/** One problem found while building or checking a fleet, tied to the construct it came from. */
export interface Finding {
  /** Construct path, e.g. `prod-eu/apps/shop/storefront`. */
  readonly path: string;
  readonly message: string;
  /** @default 'error' */
  readonly severity?: Severity;
  /** Id of the policy rule that found it (what a waiver names). @default none: not waivable */
  readonly rule?: string;
  /** How to fix it. @default none */
  readonly hint?: string;
  /** The object it is about, e.g. `Deployment shop/web`, with its file when known. @default none */
  readonly object?: string;
}

/** True for an error, false for a warning (a finding without a severity is an error). */
export function isError(finding: Finding): boolean {
  return (finding.severity ?? 'error') === 'error';
}

/** An error thrown by strata code for bad input; the fleet records it against the construct in scope. */
export class StrataError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StrataError';
  }
}

/**
 * Thrown by `render()` when a synth found errors: all of them, collected, nothing written. Its
 * message is the whole report, warnings included.
 */
export class SynthError extends Error {
  constructor(
    readonly errors: readonly Finding[],
    readonly warnings: readonly Finding[] = [],
  ) {
    super(formatReport([...errors, ...warnings], 'nothing written'));
    this.name = 'SynthError';
  }
}

/** A finding as one line: `<construct path>: <message>`. */
export function formatFinding(f: Finding): string {
  return f.path ? `${f.path}: ${f.message}` : f.message;
}

/** The report of a failed synth. */
export function formatFindings(findings: readonly Finding[]): string {
  return formatReport(findings, 'nothing written');
}

const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;

/** The cluster a finding belongs to: the first segment of its construct path (none for the fleet). */
function clusterOf(f: Finding): string {
  return f.path.split('/')[0];
}

/**
 * Findings grouped by cluster, then by object (construct path), errors first within each object:
 *
 *     strata: 1 error, 1 warning, nothing written
 *     prod-eu
 *       prod-eu/apps/shop/web/deployment (Deployment shop/web)
 *         ✗ [pod-security-restricted] container "web": allowPrivilegeEscalation is not false
 *             fix: set securityContext.allowPrivilegeEscalation: false
 */
export function formatReport(findings: readonly Finding[], outcome?: string): string {
  const errors = findings.filter(isError).length;
  const counts = [errors > 0 ? plural(errors, 'error') : '', findings.length > errors ? plural(findings.length - errors, 'warning') : ''].filter(Boolean);
  const lines = [`strata: ${[...counts, ...(outcome ? [outcome] : [])].join(', ')}`];
  const clusters = new Map<string, Map<string, Finding[]>>();
  for (const f of findings) {
    const byObject = clusters.get(clusterOf(f)) ?? new Map<string, Finding[]>();
    clusters.set(clusterOf(f), byObject);
    byObject.set(f.path, [...(byObject.get(f.path) ?? []), f]);
  }
  for (const [cluster, byObject] of clusters) {
    lines.push(cluster || '(fleet)');
    for (const [path, group] of byObject) {
      const object = group.find((f) => f.object)?.object;
      lines.push(`  ${path || '(fleet)'}${object ? ` (${object})` : ''}`);
      for (const f of [...group.filter(isError), ...group.filter((g) => !isError(g))]) {
        lines.push(`    ${isError(f) ? '✗' : '⚠'} ${f.rule ? `[${f.rule}] ` : ''}${f.message}`);
        if (f.hint) lines.push(`        fix: ${f.hint}`);
      }
    }
  }
  return lines.join('\n');
}

/**
 * Registers a check that runs once the whole fleet is built, so it can see constructs declared
 * after this one. Each returned string becomes an error naming `scope`'s path.
 */
export function addCheck(scope: IConstruct, check: () => string[]): void {
  scope.node.addValidation({ validate: check });
}

/**
 * Renders a value for an error message: strings quoted (with line breaks and controls escaped),
 * everything else like JSON, except that
 * what JSON cannot say is said as JavaScript would (`NaN`, `Infinity`, `-0`, `undefined`, `12n`),
 * an object without a prototype is shown like any other, and a cycle is `[circular]`.
 */
export function show(value: unknown): string {
  if (typeof value !== 'string') return showValue(value, new Set());
  // Line breaks and controls escaped, so a value cannot add lines to the report or hide in it.
  return UNPRINTABLE.test(value) ? JSON.stringify(value).replace(UNPRINTABLE_ALL, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`) : `"${value}"`;
}

const UNPRINTABLE = /[\x00-\x1f\x7f-\x9f\u2028\u2029]/;
const UNPRINTABLE_ALL = /[\x7f-\x9f\u2028\u2029]/g;

function showValue(value: unknown, seen: Set<object>): string {
  switch (typeof value) {
    case 'string': return JSON.stringify(value);
    case 'number': return Object.is(value, -0) ? '-0' : String(value);
    case 'bigint': return `${value}n`;
    case 'undefined': return 'undefined';
    case 'boolean': return String(value);
    case 'symbol': return value.toString();
    case 'function': return `[function ${value.name || 'anonymous'}]`;
  }
  if (value === null) return 'null';
  const obj = value as object;
  if (seen.has(obj)) return '[circular]';
  seen.add(obj);
  try {
    const toJSON = (obj as { toJSON?: unknown }).toJSON;
    if (typeof toJSON === 'function') return showValue(toJSON.call(obj), seen);
    if (Array.isArray(obj)) return `[${obj.map((item) => showValue(item, seen)).join(',')}]`;
    const entries = Object.keys(obj).filter((k) => (obj as Record<string, unknown>)[k] !== undefined);
    return `{${entries.map((k) => `${JSON.stringify(k)}:${showValue((obj as Record<string, unknown>)[k], seen)}`).join(',')}}`;
  } finally {
    seen.delete(obj);
  }
}

/**
 * The message of an error thrown while building a fleet: strata's own as they are, and the
 * constructs library's about ids said in strata's terms (what is wrong, what is valid).
 */
export function describeError(e: unknown): string {
  if (e instanceof StrataError) return e.message;
  if (!(e instanceof Error)) return String(e);
  const taken = /^There is already a Construct with name '(.*)' in (.*)$/s.exec(e.message);
  if (taken && taken[1] in Object.prototype) {
    return `construct id ${show(taken[1])} in ${taken[2]} is reserved: the constructs library takes ids named like members of Object.prototype (constructor, toString, __proto__, ...) for existing children; choose another`;
  }
  if (e.message === 'Only root constructs may have an empty ID') return 'a construct id is empty: every construct inside the fleet needs a non-empty id';
  return `${e.name}: ${e.message}`;
}
