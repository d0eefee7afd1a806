import { OutputError, recoverOutput } from './writer.js';

/**
 * For commands that read an output folder (`npm run validate`, `npm run plan`): finishes an
 * interrupted synth of `dir` first and says so on stderr; on a file-system refusal or a synth
 * holding the lock, prints its one line and exits with its code (docs/output.md).
 */
export function recoverBeforeReading(dir: string): void {
  try {
    const recovery = recoverOutput(dir);
    if (recovery.finished) console.error(`strata: finished the interrupted synth of ${dir}/`);
    if (recovery.removed.length > 0) console.error(`strata: removed ${recovery.removed.length} leftover(s) of an interrupted synth: ${recovery.removed.join(', ')}`);
  } catch (e) {
    if (!(e instanceof OutputError)) throw e;
    console.error(e.message);
    process.exit(e.exitCode);
  }
}
