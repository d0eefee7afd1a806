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

/** Renders a value for an error message: strings quoted, everything else as JSON. */
export function show(value: unknown): string {
  return typeof value === 'string' ? `"${value}"` : JSON.stringify(value);
}
