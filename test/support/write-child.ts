// A writer in a process of its own, for test/writer.test.ts: kills itself (SIGKILL) at its n-th
// file-system step, or pauses there until told to go on, to prove what an interrupted or
// concurrent synth leaves.
// `node scripts/run.mjs test/support/write-child.ts <outdir> <full|focus> <a|b> <kill step|-1> [<pause step> <marker file>]`
// Prints the steps it took (a JSON list of their names) when it finishes.
import { existsSync, writeFileSync } from 'node:fs';
import { writeTree } from '../../lib/synth/writer.js';
import { TREE_CLUSTERS, treeFiles } from './trees.js';

const [outdir, mode, variant, killAt, pauseAt, marker] = process.argv.slice(2);
const clusters = mode === 'focus' ? ['one', 'two'] : [...TREE_CLUSTERS];
let steps = 0;
const names: string[] = [];
writeTree(outdir, treeFiles(variant as 'a' | 'b', clusters), clusters, {
  focus: mode === 'focus',
  onStep: (step) => {
    steps++;
    names.push(step);
    if (steps === Number(killAt)) process.kill(process.pid, 'SIGKILL');
    if (steps === Number(pauseAt)) {
      // Paused until the test creates `<marker>.go` (at most a minute).
      writeFileSync(marker, 'paused');
      const sleep = new Int32Array(new SharedArrayBuffer(4));
      for (let waited = 0; !existsSync(`${marker}.go`) && waited < 60000; waited += 20) Atomics.wait(sleep, 0, 0, 20);
    }
  },
});
console.log(JSON.stringify(names));
