// The plan as a pull-request comment: destructive changes first (grouped across clusters), then
// one collapsible section per cluster with every change by Kustomization.
import { blocking, type PlanResult } from './plan.js';
import { fieldLines, groupChanges, headline, kustomizationLabel } from './group.js';
import { describeHazard } from './hazard-text.js';
import { describeTotals, totalsOf } from './totals.js';

/** Backticks inside inline code would end it. */
const code = (s: string) => `\`${s.replace(/`/g, "'")}\``;

/** How the plan was asked for. */
export interface MarkdownOptions {
  /** `--allow-destructive` was passed: changes not acknowledged in code are allowed by it. @default false */
  readonly allowDestructive?: boolean;
}

/** The plan as GitHub-flavoured Markdown. */
export function formatMarkdown(plan: PlanResult, base: string, options: MarkdownOptions = {}): string {
  const lines = [`### strata plan: ${describeTotals(plan.totals)}`, '', `Compared with ${base}.`];
  if (plan.clusters.length === 0) return [...lines, '', `Nothing changes (${plan.objects} objects compared).`].join('\n');
  const destructive = groupChanges(plan).filter((g) => g.change.hazards.length > 0);
  if (destructive.length > 0) {
    lines.push('', '#### ⚠️ Destructive changes', '');
    for (const { clusters, change } of destructive) {
      const status = !blocking(change) ? `acknowledged: ${change.acknowledged}` : options.allowDestructive ? 'allowed by `--allow-destructive`' : '**not acknowledged**';
      lines.push(`- ${code(headline(change))} in ${kustomizationLabel(change.kustomization)} on ${clusters.join(', ')} (${status})`);
      for (const h of change.hazards) lines.push(`  - ${describeHazard(h)}`);
    }
  }
  for (const cluster of plan.clusters) {
    lines.push('', `<details><summary><b>${cluster.name}</b>: ${describeTotals(totalsOf(cluster.changes))}</summary>`, '');
    const byKustomization = new Map<string, typeof cluster.changes[number][]>();
    for (const c of cluster.changes) byKustomization.set(c.kustomization, [...(byKustomization.get(c.kustomization) ?? []), c]);
    for (const [name, changes] of byKustomization) {
      lines.push(`**${kustomizationLabel(name)}**`, '', '```diff');
      for (const c of [...changes].sort((a, b) => Number(b.hazards.length > 0) - Number(a.hazards.length > 0))) {
        // diff highlighting: destructive in orange (!), additions green, removals red, the rest plain.
        const mark = c.hazards.length > 0 ? '!' : c.action === 'added' ? '+' : c.action === 'removed' ? '-' : ' ';
        lines.push(`${mark} ${headline(c)}`);
        for (const h of c.hazards) lines.push(`!   ✗ ${describeHazard(h)}`);
        if (c.note) lines.push(`#   ${c.note}`);
        for (const f of fieldLines(c)) lines.push(`    ${f}`);
      }
      lines.push('```', '');
    }
    lines.push('</details>');
  }
  return lines.join('\n');
}
