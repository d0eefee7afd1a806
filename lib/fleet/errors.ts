import { Construct, type IConstruct } from 'constructs';
import { createColors } from 'picocolors';
import type { Colors } from '../synth/terminal.js';
import { userFrame } from './source-location.js';

/** How bad a finding is: errors fail the synth, warnings are printed and pass. */
export type Severity = 'error' | 'warning';

/** One problem found while building or checking a fleet, tied to the construct it came from. */
export interface Finding {
  /** Construct path, e.g. `prod-eu/apps/shop/storefront`. */
  readonly path: string;
  /** What is wrong, naming the offending value and what would be valid, e.g. `autoscaling.min (5) is greater than autoscaling.max (3)`. */
  readonly message: string;
  /** @default 'error' */
  readonly severity?: Severity;
  /** Id of the policy rule that found it (what a waiver names). @default none: not waivable */
  readonly rule?: string;
  /** How to fix it. @default none */
  readonly hint?: string;
  /** The object it is about, e.g. `Deployment shop/web`, with its file when known. @default none */
  readonly object?: string;
  /** Where the construct was written in the user's code, e.g. `main.ts:42:5`. @default none */
  readonly source?: string;
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

  /** The line of the user's code that led to it, e.g. `main.ts:12:7` (the innermost frame outside strata). */
  get source(): string | undefined {
    return userFrame(this.stack);
  }
}

/**
 * Thrown by `render()` when a synth found errors: all of them, collected, nothing written. Its
 * message is the whole report, warnings included.
 */
export class SynthError extends Error {
  constructor(
    /** Every error the synth found, in report order. */
    readonly errors: readonly Finding[],
    /** The warnings found alongside, printed in the same report. @default [] */
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

/** One reported mistake: a finding, and every cluster it occurs on. */
interface Reported {
  finding: Finding;
  /** The clusters (first path segment) it occurs on; `['']` for a fleet-wide finding. */
  readonly clusters: string[];
  /** Its path and object with the cluster segment left out. */
  readonly rest: string;
  readonly object?: string;
}

/** `text` without a leading `<cluster>/` (and the same after `, ` in an object's file). */
function withoutCluster(text: string, cluster: string): string {
  if (!cluster) return text;
  return text.startsWith(`${cluster}/`) ? text.slice(cluster.length + 1) : text.split(`, ${cluster}/`).join(', ');
}

/**
 * Findings that differ only in their cluster (the first segment of the path, and of the object's
 * file) are one mistake, made once in fleet-wide code: merged, with the clusters they occur on.
 */
function mergeAcrossClusters(findings: readonly Finding[]): Reported[] {
  const merged = new Map<string, Reported & { general: string }>();
  for (const f of findings) {
    const cluster = f.path.split('/')[0];
    const rest = f.path === cluster ? '' : withoutCluster(f.path, cluster);
    const object = f.object === undefined ? undefined : withoutCluster(f.object, cluster);
    const general = cluster ? withoutClusterName(f.message, cluster) : f.message;
    const key = cluster ? JSON.stringify([f.severity ?? 'error', f.rule, general, f.hint, rest, object, f.source]) : `\0${merged.size}`;
    const seen = merged.get(key);
    if (seen && !seen.clusters.includes(cluster)) seen.clusters.push(cluster);
    else if (!seen) merged.set(key, { finding: f, clusters: [cluster], rest, object, general });
  }
  // Merged, a message names no one cluster: `cluster <cluster>`, as the path says `<cluster>/`.
  for (const r of merged.values()) if (r.clusters.length > 1) r.finding = { ...r.finding, message: r.general };
  return [...merged.values()];
}

/** `message` with `cluster <name>` (quoted or not) written `cluster <cluster>`. */
function withoutClusterName(message: string, cluster: string): string {
  const name = cluster.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return message.replace(new RegExp(`\\bcluster (?:"${name}"|${name})(?![\\w-])`, 'g'), 'cluster <cluster>');
}

/** Options of `formatReport`. */
export interface ReportOptions {
  /** Colours (see lib/synth/terminal.ts `colorsFor`). @default none: plain text */
  readonly colors?: Colors;
}

/**
 * Findings grouped by cluster, then by object (construct path), errors first within each object.
 * A finding that differs only in its cluster is one mistake in fleet-wide code: reported once,
 * under the clusters it occurs on (`on dev-eu, prod-eu`), its path starting `<cluster>/`. The
 * user's line that declared the construct follows its path when known (`at main.ts:42:5`):
 *
 *     strata: 2 errors, 1 warning, nothing written
 *     on dev-eu, prod-eu, prod-us
 *       <cluster>/apps/shop/web at main.ts:12:3
 *         ✗ container "web": image "web" has no tag
 *     prod-eu
 *       prod-eu/apps/shop/web/deployment (Deployment shop/web) at main.ts:12:3
 *         ✗ [pod-security-restricted] container "web": allowPrivilegeEscalation is not false
 *             fix: set securityContext.allowPrivilegeEscalation: false
 *
 * The counts are of mistakes as reported (a merged finding counts once).
 */
export function formatReport(findings: readonly Finding[], outcome?: string, options: ReportOptions = {}): string {
  const c = options.colors ?? createColors(false);
  const reported = mergeAcrossClusters(findings);
  const errors = reported.filter((r) => isError(r.finding)).length;
  const counts = [errors > 0 ? plural(errors, 'error') : '', reported.length > errors ? plural(reported.length - errors, 'warning') : ''].filter(Boolean);
  const lines = [c.bold(`strata: ${[...counts, ...(outcome ? [outcome] : [])].join(', ')}`)];
  const sections = new Map<string, Map<string, Reported[]>>();
  for (const r of reported) {
    const section = r.clusters.length > 1 ? `on ${r.clusters.join(', ')}` : r.clusters[0] || '(fleet)';
    const path = r.clusters.length > 1 ? `<cluster>${r.rest ? `/${r.rest}` : ''}` : r.finding.path || '(fleet)';
    const byObject = sections.get(section) ?? new Map<string, Reported[]>();
    sections.set(section, byObject);
    byObject.set(path, [...(byObject.get(path) ?? []), r]);
  }
  for (const [section, byObject] of sections) {
    lines.push(c.bold(section));
    for (const [path, group] of byObject) {
      const object = group.map((r) => (r.clusters.length > 1 ? r.object : r.finding.object)).find(Boolean);
      const source = group.find((r) => r.finding.source)?.finding.source;
      lines.push(`  ${path}${object ? ` (${object})` : ''}${source ? ` ${c.cyan(`at ${source}`)}` : ''}`);
      const ordered = [...group.filter((r) => isError(r.finding)), ...group.filter((r) => !isError(r.finding))];
      for (const { finding: f } of ordered) {
        lines.push(`    ${isError(f) ? c.red('✗') : c.yellow('⚠')} ${f.rule ? `[${f.rule}] ` : ''}${f.message}`);
        if (f.hint) lines.push(c.dim(`        fix: ${f.hint}`));
      }
    }
  }
  return lines.join('\n');
}

/**
 * Asserts the first argument of `what` (`Waivers.waive`, `Plan.allowRemoval`, ...) is a construct.
 * @throws StrataError when it is not (types are not checked at synth: `Waivers.waive(undefined, ...)`)
 */
export function requireConstruct(what: string, scope: unknown): asserts scope is IConstruct {
  if (!Construct.isConstruct(scope)) throw new StrataError(`${what}: the first argument must be a construct (a workload, a component, a cluster), not ${show(scope)}`);
}

/**
 * Registers a check that runs once the whole fleet is built, so it can see constructs declared
 * after this one. Each returned string becomes an error naming `scope`'s path.
 */
export function addCheck(scope: IConstruct, check: () => string[]): void {
  scope.node.addValidation({ validate: () => guarded(check) });
}

/** A construct's own validations (`node.validate()`); one that throws (a foreign construct's, say) is reported, not a crash. */
export function validationsOf(node: IConstruct): string[] {
  try {
    return node.node.validate();
  } catch (e) {
    return [`validation failed: ${describeError(e)}`];
  }
}

/**
 * A check's problems; a check that throws (on input nothing else refused, say) gives its error as
 * the problem, so the other checks still run and the report stays complete.
 */
function guarded(check: () => string[]): string[] {
  try {
    return check();
  } catch (e) {
    return [`could not be checked: ${describeError(e)}`];
  }
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
