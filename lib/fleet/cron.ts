// One cron parser for the CronTask's own checks and the cron-schedule rule on rendered CronJobs.
// It follows the parser the CronJob controller uses (robfig/cron v3, `ParseStandard`).
import { show } from './errors.js';

/** The descriptors a CronJob schedule accepts besides 5 cron fields. */
export const SCHEDULE_MACROS = ['@yearly', '@annually', '@monthly', '@weekly', '@daily', '@midnight', '@hourly'] as const;

interface Field {
  readonly name: string;
  readonly min: number;
  readonly max: number;
  readonly names?: readonly string[];
}

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const DAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];

// The bounds of robfig/cron v3 (standard): day-of-week is 0-6.
const FIELDS: readonly Field[] = [
  { name: 'minute', min: 0, max: 59 },
  { name: 'hour', min: 0, max: 23 },
  { name: 'day-of-month', min: 1, max: 31 },
  { name: 'month', min: 1, max: 12, names: MONTHS },
  { name: 'day-of-week', min: 0, max: 6, names: DAYS },
];

/** Most days each month has (February in a leap year). */
const DAYS_IN_MONTH = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

export const CRON_FORMAT = `5 fields "minute hour day-of-month month day-of-week", e.g. "0 3 * * *", or one of ${SCHEDULE_MACROS.join(', ')}`;

/** A parsed 5-field schedule: the values each field matches, and whether it was `*` or `?`. */
export interface CronSchedule {
  readonly values: readonly (ReadonlySet<number>)[];
  /** Per field: written as `*` or `?` without a step above 1 (robfig's "star bit"). */
  readonly star: readonly boolean[];
}

/**
 * Parses a schedule; a macro (`@daily`) parses to undefined with no problem (every macro fires).
 * `problem` says why the text is not a schedule the CronJob controller accepts.
 */
export function parseCron(schedule: string): { schedule?: CronSchedule; problem?: string } {
  const spec = schedule.trim();
  if (spec.startsWith('@')) return (SCHEDULE_MACROS as readonly string[]).includes(spec) ? {} : { problem: `${show(spec)} is not a known descriptor` };
  if (/^(CRON_)?TZ=/.test(spec)) return { problem: 'a time zone inside the schedule is not accepted by Kubernetes: use timeZone' };
  const texts = spec.split(/\s+/);
  if (texts.length !== FIELDS.length) return { problem: `it has ${texts.length} field${texts.length === 1 ? '' : 's'}, not 5` };
  const values: Set<number>[] = [];
  const star: boolean[] = [];
  for (let i = 0; i < FIELDS.length; i++) {
    const parsed = parseField(FIELDS[i], texts[i]);
    if (typeof parsed === 'string') return { problem: parsed };
    values.push(parsed.values);
    star.push(parsed.star);
  }
  return { schedule: { values, star } };
}

/** One cron field: a comma-separated list of `*`, `?`, `a`, `a-b`, each with an optional `/step`. */
function parseField(field: Field, text: string): { values: Set<number>; star: boolean } | string {
  const values = new Set<number>();
  let star = false;
  for (const part of text.split(',')) {
    const [range, step, ...rest] = part.split('/');
    if (rest.length > 0 || range === '') return `${field.name} ${show(text)} is not a cron field`;
    if (step !== undefined && !(/^\d+$/.test(step) && Number(step) > 0)) return `${field.name} step ${show(step)} must be a positive number`;
    const by = step === undefined ? 1 : Number(step);
    let [from, to] = [field.min, field.max];
    if (range === '*' || range === '?') {
      if (by === 1) star = true;
    } else {
      const bounds = range.split('-');
      if (bounds.length > 2) return `${field.name} ${show(text)} is not a cron field`;
      const parsed: number[] = [];
      for (const bound of bounds) {
        const value = fieldValue(field, bound);
        if (value === undefined) return `${field.name} ${show(bound)} is not a number${field.names ? ` or a name (${field.names.join(', ')})` : ''}`;
        if (value < field.min || value > field.max) return `${field.name} ${value} is out of range ${field.min}-${field.max}`;
        parsed.push(value);
      }
      if (parsed.length === 2 && parsed[0] > parsed[1]) return `${field.name} range ${show(range)} starts after it ends`;
      // `N/step` means `N-max/step`.
      [from, to] = [parsed[0], parsed.length === 2 ? parsed[1] : step === undefined ? parsed[0] : field.max];
    }
    for (let v = from; v <= to; v += by) values.add(v);
  }
  return { values, star };
}

function fieldValue(field: Field, text: string): number | undefined {
  if (/^\d+$/.test(text)) return Number(text);
  const index = field.names?.indexOf(text.toLowerCase()) ?? -1;
  return index < 0 ? undefined : index + field.min;
}

/**
 * Why a parsed schedule never fires, or undefined when it does. Only the calendar can make it
 * never fire: a day-of-month no month in the schedule has (`0 0 30 2 *`, `0 0 31 4,6,9,11 *`).
 * When both day-of-month and day-of-week are restricted, robfig/cron fires when EITHER matches,
 * and every month has every weekday, so such a schedule always fires.
 */
export function neverFires(schedule: CronSchedule): string | undefined {
  const [, , dom, month] = schedule.values;
  const [, , domStar, , dowStar] = schedule.star;
  if (domStar || !dowStar) return undefined;
  const months = [...month].sort((a, b) => a - b);
  if (months.some((m) => [...dom].some((d) => d <= DAYS_IN_MONTH[m - 1]))) return undefined;
  const days = [...dom].sort((a, b) => a - b);
  const names = months.map((m) => MONTHS[m - 1]);
  return `day-of-month ${days.join(',')} falls in none of its months (${names.join(', ')}: at most ${Math.max(...months.map((m) => DAYS_IN_MONTH[m - 1]))} days)`;
}
