// `npm run plan [-- --base <dir|git-ref>] [--format terminal|markdown|json] [--allow-destructive]`:
// synthesizes the fleet into a temporary folder (dist/ is never touched) and shows what Flux will
// do when it replaces the base tree (dist/ at git HEAD by default). Exits 1 on a failed synth or
// an unacknowledged destructive change, 2 on a usage error.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { constants, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { parseCommandLine, usageError, type Command } from '../synth/command-line.js';
import { recoverBeforeReading } from '../synth/recover-cli.js';
import { colorEnabled } from '../synth/terminal.js';
import { UsageError, mapClusters, resolveBase } from './base.js';
import { formatJson } from './format-json.js';
import { formatMarkdown } from './format-markdown.js';
import { formatTerminal } from './format-terminal.js';
import { blocking, planTrees } from './plan.js';
import { readTree } from './tree.js';

const PLAN: Command = { name: 'plan', usage: 'usage: npm run plan [-- --base <dir|git-ref>] [--cluster-map <base>=<cluster> ...] [--format terminal|markdown|json] [--allow-destructive]' };
const FORMATS = ['terminal', 'markdown', 'json'] as const;
const HELP = `${PLAN.usage}
Synthesizes the fleet into a temporary folder (the output folder is never touched) and shows what
Flux will add, change, prune or fail to apply when it replaces the base tree.

options:
  -b, --base <dir|git-ref>   what to compare with: a folder, or the output folder at a git commit (default: HEAD).
                             A Flux repository strata did not write (a folder, or a commit without the
                             output folder) is read as Flux applies it, cluster folder by cluster folder
                             (clusters/production → cluster production), each object owned by the Flux
                             Kustomization that builds it: the switch-over of docs/adopt.md
  -m, --cluster-map <a>=<b>  compare the base's cluster a with the cluster b (repeatable), for cluster
                             folders named otherwise than the fleet's clusters
  -f, --format <format>      terminal (default), markdown (for a pull request) or json
  --allow-destructive        exit 0 even on destructive changes not acknowledged in code
  -h, --help                 this text

environment:
  NO_COLOR, FORCE_COLOR      colours off / on (default: on a terminal only; --format terminal)
  STRATA_CLUSTERS            ignored: a plan always renders every cluster
  STRATA_SHARD               ignored, like STRATA_CLUSTERS

exit codes:
  0  nothing destructive, or every destructive change acknowledged (or --allow-destructive)
  1  the synth failed, or a destructive change is not acknowledged
  2  usage (an unknown option, a --base that is neither a folder nor a commit, a --cluster-map naming
     no cluster of the base)
  3  the file system refused finishing an interrupted synth of the output folder
  4  a synth is writing the output folder
  130, 143, 129  stopped by SIGINT (Ctrl-C), SIGTERM or SIGHUP; its temporary folders removed`;

function usage(message: string): never {
  return usageError(PLAN, message);
}

function options() {
  return parseCommandLine(PLAN, {
    options: {
      base: { type: 'string', short: 'b' },
      'cluster-map': { type: 'string', short: 'm', multiple: true },
      format: { type: 'string', short: 'f', default: 'terminal' },
      'allow-destructive': { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  }).values;
}

/**
 * The synth command: scripts/synth.mjs beside build/ in the installed package (`strata plan` runs
 * build/plan-cli.js), else the project's own (this repository runs this module from source).
 */
function synthScript(): string {
  const packaged = fileURLToPath(new URL('../scripts/synth.mjs', import.meta.url));
  return existsSync(packaged) ? packaged : resolve('scripts/synth.mjs');
}

/** Runs `npm run synth` into `outdir` (outside the repository); the synth's own report on failure. */
function synthInto(outdir: string): { ok: boolean; output: string } {
  const env: NodeJS.ProcessEnv = { ...process.env, STRATA_QUIET: '1' };
  delete env.STRATA_CLUSTERS;
  delete env.STRATA_SHARD;
  const r = spawnSync(process.execPath, [synthScript(), '--output', outdir], { encoding: 'utf8', env, maxBuffer: 256 * 1024 * 1024 });
  return { ok: r.status === 0, output: `${r.stdout ?? ''}${r.stderr ?? ''}`.trim() };
}

/**
 * The signal that stopped the plan, if one did. Node would exit on it at once, leaving the plan's
 * temporary folders (a whole synthesized tree each) in the system's temporary folder; with these
 * handlers the children, which got the signal too, end, the folders are removed, and the plan exits
 * 128 + the signal's number, as a shell reports it. The plan's own steps are synchronous: a signal is
 * seen at `interrupted()`, between them.
 */
let stopped: NodeJS.Signals | undefined;
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, () => (stopped ??= signal));

/** Whether a signal stopped the plan: lets the signal handlers run, which only the event loop does. */
async function interrupted(): Promise<boolean> {
  await new Promise((done) => setImmediate(done));
  return stopped !== undefined;
}

/** Ends an interrupted plan, after its temporary folders are gone. */
function exitInterrupted(): never {
  const signal = stopped ?? 'SIGINT';
  console.error(`strata plan: interrupted (${signal}); nothing written`);
  process.exit(128 + constants.signals[signal]);
}

const values = options();
if (values.help) {
  console.log(HELP);
  process.exit(0);
}
const format = FORMATS.find((f) => f === values.format) ?? usage(`--format ${values.format}: use one of ${FORMATS.join(', ')}`);
// strata's output (`strata.output`), not cdk8s.yaml's `output`: that is the scratch folder `cdk8s synth` deletes.
const outdir = String(parse(readFileSync('cdk8s.yaml', 'utf8'))?.strata?.output ?? 'dist');
// An interrupted synth is finished first, like every command that reads the output folder.
recoverBeforeReading(outdir);
let base;
try {
  base = mapClusters(resolveBase(values.base, outdir), values['cluster-map'] ?? []);
} catch (e) {
  // git or tar, stopped by the signal too, fail the read of the base.
  if (await interrupted()) exitInterrupted();
  if (e instanceof UsageError) usage(e.message);
  throw e;
}
if (await interrupted()) exitInterrupted();
const tmp = mkdtempSync(join(tmpdir(), 'strata-plan-'));
let code = 0;
try {
  const head = join(tmp, 'dist');
  const synth = synthInto(head);
  if (await interrupted()) {
    code = -1;
  } else if (!synth.ok) {
    console.error(`${synth.output}\nstrata plan: the synth failed, so there is nothing to compare`);
    code = 1;
  } else {
    if (synth.output) console.error(synth.output);
    for (const note of base.notes ?? []) console.error(`base: ${note}`);
    const headTree = readTree(head);
    const plan = planTrees(base.tree, headTree);
    const color = format === 'terminal' && colorEnabled(process.stdout);
    const allowDestructive = values['allow-destructive'] === true;
    console.log(
      format === 'json' ? formatJson(plan, base.label, { allowDestructive })
        : format === 'markdown' ? formatMarkdown(plan, base.label, { allowDestructive })
          : formatTerminal(plan, { base: base.label, color, allowDestructive }),
    );
    const blocked = plan.clusters.some((c) => c.changes.some(blocking));
    code = blocked && !allowDestructive ? 1 : 0;
    // A file the plan could not read hides what it holds (a deletion, say): the plan is incomplete.
    const unreadable = [...(base.tree.unreadable ?? []).map((u) => [base.label, u]), ...(headTree.unreadable ?? []).map((u) => ['the synth', u])];
    for (const [where, what] of unreadable) console.error(`strata plan: cannot read ${what} (in ${where}): the objects it holds are not compared; fix or regenerate the file (\`npm run validate\` lists every problem)`);
    if (unreadable.length > 0) code = 1;
  }
} finally {
  rmSync(tmp, { recursive: true, force: true });
}
if (code === -1) exitInterrupted();
process.exit(code);
