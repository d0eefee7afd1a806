#!/usr/bin/env node
// `npm run synth [-- --cluster <name> ...]`: runs the `app` of cdk8s.yaml with CDK8S_OUTDIR set to
// its `strata.output` (dist), like `cdk8s synth` does with `output`, but without deleting it first:
// the fleet writes dist/ atomically itself, so a failed synth leaves the committed tree intact, and
// an interrupted one is finished or undone by the next synth (docs/output.md).
// Exit codes: 0 written, 1 errors in the fleet (nothing written), 2 usage (or a cdk8s.yaml whose
// `output`, which `cdk8s synth` deletes, overlaps strata's), 3 the file system refused
// (read-only, full, busy, name too long, a symlink in the way; dist/ unchanged), 4 another synth
// is writing dist/. Each failure is one line on stderr.
// When the app is this repository's runner (`node scripts/run.mjs <entry>`, or `strata run <entry>`
// in a project that installed the package), it runs in this process: a second node process would add its start-up to every synth.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { isAbsolute, relative, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { parse } from 'yaml';

const USAGE = 'usage: npm run synth [-- --cluster <name> ... | --shard <k>/<n>] [--jobs <n>] [--output <dir>]';
const HELP = `${USAGE}
Renders the fleet (the \`app\` of cdk8s.yaml: main.ts) into the output folder, after every check.

options:
  -c, --cluster <name>   only this cluster (repeatable); the other clusters' folders stay as they are
  -s, --shard <k>/<n>    only the clusters of shard k of n (a hash of each cluster's name, 1 ≤ k ≤ n);
                         the other clusters' folders stay as they are; not with --cluster (docs/ci.md)
  -j, --jobs <n>         threads rendering clusters at once, this one included (default: one per
                         core, started when the clusters left would take 5 s more, for clusters of
                         ≤ 1000 objects; at most twice the cores); each runs the program again;
                         the output is the same
  -o, --output <dir>     where to write (default: \`strata.output\` of cdk8s.yaml, else dist)
  -h, --help             this text

environment:
  STRATA_CLUSTERS        comma-separated clusters to render, like --cluster (which sets it)
  STRATA_SHARD           k/n: the shard to render, like --shard (which sets it)
  STRATA_JOBS            threads rendering at once, like --jobs (which sets it)
  STRATA_HEAP_GROWTH     percent the heap may grow over what is live between full collections
                         (default: 30 from 100 clusters, else 0, V8's own choice)
  STRATA_QUIET           when set, no summary (errors and warnings still print)
  CDK8S_OUTDIR           the output folder of a fleet run without this command; --output sets it
  NO_COLOR, FORCE_COLOR  colours off / on (default: colours and progress only on a terminal)

exit codes:
  0  written
  1  errors in the fleet: all of them printed, nothing written
  2  usage (or a cdk8s.yaml \`output\` overlapping the output folder)
  3  the file system refused (read-only, full, busy, name too long, a symlink in the way); output unchanged
  4  another synth is writing the output folder`;
let values;
// Node's parser takes `--jobs -1` for two options and says so in three lines: a negative number of
// jobs is told what is valid instead. (`--jobs=-1` reaches jobsUsage below.)
const argv = process.argv.slice(2);
const negative = argv.findIndex((a, i) => (a === '--jobs' || a === '-j') && /^-\d/.test(argv[i + 1] ?? ''));
if (negative >= 0) {
  console.error(`strata synth: --jobs ${argv[negative + 1]}: use a whole number ≥ 1 (1 renders on one thread)\n${USAGE}`);
  process.exit(2);
}
try {
  ({ values } = parseArgs({
    options: {
      cluster: { type: 'string', multiple: true, short: 'c' },
      shard: { type: 'string', short: 's' },
      jobs: { type: 'string', short: 'j' },
      output: { type: 'string', short: 'o' },
      help: { type: 'boolean', short: 'h' },
    },
  }));
} catch (e) {
  console.error(`strata synth: ${e.message.replace(/\s*\n\s*/g, ' ')}\n${USAGE}`);
  process.exit(2);
}
// Checked here as well as in the fleet (which reads STRATA_SHARD, lib/synth/shard.ts): a usage error names the option.
function shardUsage(shard, clusters) {
  if (shard === undefined) return undefined;
  if (clusters) return '--shard and --cluster both choose clusters: use one';
  const m = /^(\d+)\/(\d+)$/.exec(shard);
  if (m && Number(m[1]) >= 1 && Number(m[1]) <= Number(m[2])) return undefined;
  return `--shard ${shard}: use k/n, whole numbers with 1 ≤ k ≤ n (e.g. 1/4)`;
}
// Checked here as well as in the fleet (which reads STRATA_JOBS, lib/synth/jobs.ts).
function jobsUsage(jobs) {
  if (jobs === undefined || (/^\d+$/.test(jobs) && Number(jobs) >= 1)) return undefined;
  return `--jobs ${jobs}: use a whole number ≥ 1 (1 renders on one thread)`;
}
// An empty name (`--cluster "$UNSET"`) would select nothing, and so every cluster: refused.
function clusterUsage(clusters) {
  return clusters?.some((c) => c.trim() === '') ? '--cluster needs a cluster name: it was given an empty one' : undefined;
}
const problem = shardUsage(values.shard, values.cluster) ?? jobsUsage(values.jobs) ?? clusterUsage(values.cluster);
if (problem && !values.help) {
  console.error(`strata synth: ${problem}\n${USAGE}`);
  process.exit(2);
}
if (values.help) {
  console.log(HELP);
  process.exit(0);
}
const config = parse(readFileSync('cdk8s.yaml', 'utf8'));
const output = values.output ?? config.strata?.output ?? 'dist';
// cdk8s.yaml's own `output` (cdk8s-cli's default: dist) is the folder `npx cdk8s synth` deletes
// before it runs the app: it must never be, hold or lie inside strata's output.
const scratch = config.output ?? 'dist';
const within = (a, b) => { const r = relative(resolve(b), resolve(a)); return r === '' || (!r.startsWith('..') && !isAbsolute(r)); };
if (within(output, scratch) || within(scratch, output)) {
  console.error(
    `strata: cdk8s.yaml \`output\` (${scratch}) overlaps ${output}/, where strata writes: \`npx cdk8s synth\` deletes that folder before it runs the app, ` +
    'and with it what `flux bootstrap` committed in clusters/<cluster>/flux-system/; set `output: .cdk8s-synth` and `strata: { output: dist }` in cdk8s.yaml',
  );
  process.exit(2);
}
const env = { ...process.env, CDK8S_OUTDIR: output };
// cdk8s-cli's mark (scripts/run.mjs refuses to run under `cdk8s synth`), never passed on from a shell.
delete env.CDK8S_RECORD_CONSTRUCT_METADATA;
if (values.cluster) env.STRATA_CLUSTERS = values.cluster.join(',');
if (values.shard) env.STRATA_SHARD = values.shard;
if (values.jobs) env.STRATA_JOBS = values.jobs;

const runner = fileURLToPath(new URL('./run.mjs', import.meta.url));
const [command, script, ...args] = String(config.app).trim().split(/\s+/);
// `strata run <entry>`: the same runner, as a project that installed the package names it.
const runsRunner = (command === 'node' && script && resolve(script) === runner) || (command === 'strata' && script === 'run');
if (runsRunner && args.every((a) => /^[\w./@:=-]+$/.test(a))) {
  Object.assign(process.env, env);
  delete process.env.CDK8S_RECORD_CONSTRUCT_METADATA;
  process.argv = [process.argv[0], runner, ...args];
  await import(pathToFileURL(runner).href);
} else {
  const result = spawnSync(config.app, { shell: true, stdio: 'inherit', env });
  process.exit(result.status ?? 1);
}
