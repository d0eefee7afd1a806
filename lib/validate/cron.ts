// CronJob schedules the API server rejects, on hand-written CronJobs too (a CronTask checks its
// own schedule at its props and is not rendered with a bad one).
import { CRON_FORMAT, parseCron } from '../fleet/cron.js';
import type { Finding } from '../fleet/errors.js';
import type { FleetModel } from '../synth/model.js';
import { describe, rec } from './objects.js';

/**
 * Every CronJob's schedule parses as the API server parses it (robfig/cron v3 `ParseStandard`):
 * 5 fields or a macro, no `TZ=` prefix. `@every <duration>`, which that parser also accepts, is
 * left alone here. Not waivable: the API server rejects the object.
 */
export function checkCronSchedules(model: FleetModel): Finding[] {
  return model.clusters.flatMap((cluster) =>
    cluster.folders.flatMap((f) => f.objects).flatMap((obj) => {
      if (obj.manifest.kind !== 'CronJob') return [];
      const schedule = rec(obj.manifest.spec).schedule;
      if (typeof schedule === 'string' && schedule.trim().startsWith('@every ')) return [];
      const problem = typeof schedule === 'string' ? parseCron(schedule).problem : 'it is not a string';
      return problem ? [{ path: obj.path, object: describe(obj), message: `schedule ${JSON.stringify(schedule)} is rejected by the API server: ${problem} (use ${CRON_FORMAT})` }] : [];
    }),
  );
}
