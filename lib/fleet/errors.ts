import type { IConstruct } from 'constructs';

/** One problem found while building or checking a fleet, tied to the construct it came from. */
export interface Finding {
  /** Construct path, e.g. `prod-eu/apps/shop/storefront`. */
  readonly path: string;
  readonly message: string;
}

/** An error thrown by strata code for bad input; the fleet records it against the construct in scope. */
export class StrataError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StrataError';
  }
}

/** Thrown by `render()` when a synth found errors: all of them, collected, nothing written. */
export class SynthError extends Error {
  constructor(readonly errors: readonly Finding[]) {
    super(formatFindings(errors));
    this.name = 'SynthError';
  }
}

export function formatFinding(f: Finding): string {
  return f.path ? `${f.path}: ${f.message}` : f.message;
}

export function formatFindings(findings: readonly Finding[]): string {
  const noun = findings.length === 1 ? 'error' : 'errors';
  return [`strata: ${findings.length} ${noun}, nothing written:`, ...findings.map((f) => `  ✗ ${formatFinding(f)}`)].join('\n');
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
