import { CRON_FORMAT, parseCron } from '../fleet/cron.js';
import { show } from '../fleet/errors.js';

const VALID = `use ${CRON_FORMAT}`;

/**
 * Problems of a CronJob schedule, each naming the schedule and what is valid. A schedule that
 * parses but never fires is the `cron-schedule` rule's (it sees hand-written CronJobs too).
 */
export function scheduleProblems(schedule: unknown): string[] {
  if (typeof schedule !== 'string') return [`schedule is required (${VALID})`];
  const { problem } = parseCron(schedule);
  return problem ? [`schedule ${show(schedule)} is invalid: ${problem} (${VALID})`] : [];
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
