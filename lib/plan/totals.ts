// The one-line count of a plan, shared by every format and the synth summary.

/** Counts of a plan's changes, by action. */
export interface PlanTotals {
  readonly added: number;
  readonly removed: number;
  readonly changed: number;
  readonly moved: number;
  /** Changes with hazards, acknowledged or not. */
  readonly destructive: number;
  /** Destructive changes acknowledged in code. */
  readonly acknowledged: number;
}

/** `2 added, 1 removed, 3 changed, 1 moved, 1 destructive (1 acknowledged)`; zero counts left out. */
export function describeTotals(t: PlanTotals): string {
  const parts = [
    t.added ? `${t.added} added` : '',
    t.removed ? `${t.removed} removed` : '',
    t.changed ? `${t.changed} changed` : '',
    t.moved ? `${t.moved} moved` : '',
    t.destructive ? `${t.destructive} destructive${t.acknowledged ? ` (${t.acknowledged} acknowledged)` : ''}` : '',
  ].filter(Boolean);
  return parts.length > 0 ? parts.join(', ') : 'no changes';
}

/** Totals of a subset of changes. */
export function totalsOf(changes: readonly { action: string; hazards: readonly unknown[]; acknowledged?: string }[]): PlanTotals {
  const count = (a: string) => changes.filter((c) => c.action === a).length;
  const destructive = changes.filter((c) => c.hazards.length > 0);
  return {
    added: count('added'), removed: count('removed'), changed: count('changed'), moved: count('moved'),
    destructive: destructive.length, acknowledged: destructive.filter((c) => c.acknowledged !== undefined).length,
  };
}
