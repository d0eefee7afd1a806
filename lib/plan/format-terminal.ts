// The terminal view of a plan: terse, grouped across clusters, destructive changes first and in
// red (colours only on a TTY without NO_COLOR: the caller decides).
import { createColors } from 'picocolors';
import { blocking, type PlanResult } from './plan.js';
import { fieldLines, groupChanges, headline, kustomizationLabel, type ChangeGroup } from './group.js';
import { describeHazard } from './hazard-text.js';
import { describeTotals, totalsOf } from './totals.js';

export interface TerminalOptions {
  /** Use ANSI colours. @default false */
  readonly color?: boolean;
  /** What the plan compared against, e.g. `dist/ at HEAD`. */
  readonly base: string;
  /** `--allow-destructive` was passed: changes not acknowledged in code are allowed by it. @default false */
  readonly allowDestructive?: boolean;
}

function entry(group: ChangeGroup, c: ReturnType<typeof createColors>): string[] {
  const { change } = group;
  const paint = change.hazards.length === 0 ? (s: string) => s : blocking(change) ? c.red : c.yellow;
  const lines = [`  ${paint(headline(change))}  ${c.dim(`${kustomizationLabel(change.kustomization)} · ${group.clusters.join(', ')}`)}`];
  for (const h of change.hazards) lines.push(`      ${paint(`✗ ${describeHazard(h)}`)}`);
  if (change.acknowledged) lines.push(`      ${c.yellow(`acknowledged: ${change.acknowledged}`)}`);
  if (change.note) lines.push(`      ${c.dim(change.note)}`);
  for (const f of fieldLines(change)) lines.push(`      ${f}`);
  return lines;
}

/** The plan for a terminal. */
export function formatTerminal(plan: PlanResult, options: TerminalOptions): string {
  const c = createColors(options.color ?? false);
  if (plan.clusters.length === 0) return `strata plan: no changes against ${options.base} (${plan.objects} objects compared)`;
  const groups = groupChanges(plan);
  const lines = [c.bold(`strata plan against ${options.base}`)];
  const destructive = groups.filter((g) => g.change.hazards.length > 0);
  if (destructive.length > 0) {
    lines.push('', c.bold(c.red(`Destructive (${destructive.length}):`)));
    for (const g of destructive) lines.push(...entry(g, c));
  }
  const rest = groups.filter((g) => g.change.hazards.length === 0);
  if (rest.length > 0) {
    lines.push('', c.bold(`Changes (${rest.length}):`));
    for (const g of rest) lines.push(...entry(g, c));
  }
  lines.push('');
  for (const cluster of plan.clusters) lines.push(`${cluster.name}: ${describeTotals(totalsOf(cluster.changes))}`);
  const blocked = plan.clusters.flatMap((cl) => cl.changes).filter(blocking).length;
  lines.push(c.bold(`total: ${describeTotals(plan.totals)}`));
  const changes = `${blocked} destructive change${blocked === 1 ? '' : 's'}`;
  if (blocked > 0 && options.allowDestructive) lines.push(c.yellow(`${changes} allowed by --allow-destructive`));
  else if (blocked > 0) {
    lines.push(c.red(`${changes} not acknowledged: pass --allow-destructive, or acknowledge each in code (Plan.allowDestructive, Plan.allowRemoval; see docs/plan.md)`));
  }
  return lines.join('\n');
}
