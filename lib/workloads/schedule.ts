import { show } from '../fleet/errors.js';

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

// The bounds of the parser the CronJob controller uses (robfig/cron v3, standard): day-of-week is 0-6.
const FIELDS: readonly Field[] = [
  { name: 'minute', min: 0, max: 59 },
  { name: 'hour', min: 0, max: 23 },
  { name: 'day-of-month', min: 1, max: 31 },
  { name: 'month', min: 1, max: 12, names: MONTHS },
  { name: 'day-of-week', min: 0, max: 6, names: DAYS },
];

const VALID = `use 5 fields "minute hour day-of-month month day-of-week", e.g. "0 3 * * *", or one of ${SCHEDULE_MACROS.join(', ')}`;

/** Problems of a CronJob schedule, each naming the schedule and what is valid. */
export function scheduleProblems(schedule: unknown): string[] {
  if (typeof schedule !== 'string') return [`schedule is required (${VALID})`];
  const invalid = (why: string) => [`schedule ${show(schedule)} is invalid: ${why} (${VALID})`];
  const spec = schedule.trim();
  if (spec.startsWith('@')) return (SCHEDULE_MACROS as readonly string[]).includes(spec) ? [] : invalid(`${show(spec)} is not a known descriptor`);
  if (/^(CRON_)?TZ=/.test(spec)) return invalid('a time zone inside the schedule is not accepted by Kubernetes: use timeZone');
  const fields = spec.split(/\s+/);
  if (fields.length !== FIELDS.length) return invalid(`it has ${fields.length} field${fields.length === 1 ? '' : 's'}, not 5`);
  for (let i = 0; i < FIELDS.length; i++) {
    const why = fieldProblem(FIELDS[i], fields[i]);
    if (why) return invalid(why);
  }
  return [];
}

/** One cron field: a comma-separated list of `*`, `?`, `a`, `a-b`, each with an optional `/step`. */
function fieldProblem(field: Field, text: string): string | undefined {
  for (const part of text.split(',')) {
    const [range, step, ...rest] = part.split('/');
    if (rest.length > 0 || range === '') return `${field.name} ${show(text)} is not a cron field`;
    if (step !== undefined && !(/^\d+$/.test(step) && Number(step) > 0)) return `${field.name} step ${show(step)} must be a positive number`;
    if (range === '*' || range === '?') continue;
    const bounds = range.split('-');
    if (bounds.length > 2) return `${field.name} ${show(text)} is not a cron field`;
    const values: number[] = [];
    for (const bound of bounds) {
      const value = fieldValue(field, bound);
      if (value === undefined) return `${field.name} ${show(bound)} is not a number${field.names ? ` or a name (${field.names.join(', ')})` : ''}`;
      if (value < field.min || value > field.max) return `${field.name} ${value} is out of range ${field.min}-${field.max}`;
      values.push(value);
    }
    if (values.length === 2 && values[0] > values[1]) return `${field.name} range ${show(range)} starts after it ends`;
  }
  return undefined;
}

function fieldValue(field: Field, text: string): number | undefined {
  if (/^\d+$/.test(text)) return Number(text);
  const index = field.names?.indexOf(text.toLowerCase()) ?? -1;
  return index < 0 ? undefined : index + field.min;
}

/** Known zone names by their lower-case spelling, built on first use (`Intl.supportedValuesOf` lists ~400). */
let zonesByLowerCase: Map<string, string> | undefined;
/** Problems per zone name: a fleet names the same few zones on thousands of CronTasks. */
const zoneProblems = new Map<string, readonly string[]>();

/**
 * Problems of an IANA time zone name. The CronJob controller loads zones from the tz database by
 * exact (case-sensitive) name, so a spelling `Intl` would forgive is an error too.
 */
export function timeZoneProblems(timeZone: unknown): string[] {
  const valid = 'an IANA time zone such as "Europe/Berlin", "America/New_York" or "Etc/UTC"';
  if (typeof timeZone !== 'string') return [`timeZone ${show(timeZone)} is not ${valid}`];
  let problems = zoneProblems.get(timeZone);
  if (!problems) {
    problems = spellingProblems(timeZone, valid);
    zoneProblems.set(timeZone, problems);
  }
  return [...problems];
}

function spellingProblems(timeZone: string, valid: string): string[] {
  let resolved: string;
  try {
    resolved = new Intl.DateTimeFormat('en', { timeZone }).resolvedOptions().timeZone;
  } catch {
    return [`timeZone ${show(timeZone)} is not ${valid}`];
  }
  const lower = timeZone.toLowerCase();
  zonesByLowerCase ??= new Map(Intl.supportedValuesOf('timeZone').reverse().map((z) => [z.toLowerCase(), z]));
  const spelled = resolved.toLowerCase() === lower ? resolved : zonesByLowerCase.get(lower);
  if (spelled !== undefined && spelled !== timeZone) return [`timeZone ${show(timeZone)} is spelled ${show(spelled)} (time zone names are case-sensitive)`];
  return [];
}
