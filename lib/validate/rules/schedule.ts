// Rules on when things run: a CronJob the API server admits but whose schedule never comes.
import { neverFires, parseCron } from '../../fleet/cron.js';
import { rec, str } from '../objects.js';
import { ALWAYS_ERROR, type Rule } from '../rule.js';

export const cronSchedule: Rule = {
  id: 'cron-schedule',
  summary: 'Every CronJob schedule fires at some time: no day-of-month that none of its months has (`0 0 30 2 *`, `0 0 31 4,6,9,11 *`), which the API server accepts and the CronJob controller waits for forever.',
  hint: 'use a day-of-month every listed month has (1-28 fit every month), or keep a CronJob that is only ever run by hand with spec.suspend: true',
  severity: ALWAYS_ERROR,
  check: (objects) =>
    objects.ofKind('CronJob').flatMap((object) => {
      const schedule = str(rec(object.manifest.spec).schedule);
      const parsed = schedule === undefined ? undefined : parseCron(schedule).schedule;
      const why = parsed && neverFires(parsed);
      return why ? [{ object, message: `schedule ${JSON.stringify(schedule)} never fires: ${why}` }] : [];
    }),
};
