// A hazard as one line of a report: the field, the values when short, and what will happen.
import { formatValue } from './diff.js';
import type { Hazard } from './hazard.js';

const SHORT = 80;

/** `spec.selector: {"app":"a"} → {"app":"b"}: the API server rejects…`; long values are left to the field lines. */
export function describeHazard(h: Hazard): string {
  if (!h.field) return h.effect;
  const [b, a] = [formatValue(h.before), formatValue(h.after)];
  const values = ('before' in h || 'after' in h) && b.length <= SHORT && a.length <= SHORT ? `: ${b} → ${a}` : '';
  return `${h.field}${values}: ${h.effect}`;
}
