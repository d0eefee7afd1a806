#!/usr/bin/env node
// `npm run synth [-- --cluster <name> ...]`: runs the `app` of cdk8s.yaml with CDK8S_OUTDIR set to its
// `output`, like `cdk8s synth` does, but without deleting the output first: the fleet writes
// dist/ atomically itself, so a failed synth leaves the committed tree intact.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { parse } from 'yaml';

const { values } = parseArgs({
  options: {
    cluster: { type: 'string', multiple: true, short: 'c' },
    output: { type: 'string', short: 'o' },
    help: { type: 'boolean', short: 'h' },
  },
});
if (values.help) {
  console.log('usage: npm run synth [-- --cluster <name> ...] [--output <dir>]');
  process.exit(0);
}
const config = parse(readFileSync('cdk8s.yaml', 'utf8'));
const env = { ...process.env, CDK8S_OUTDIR: values.output ?? config.output ?? 'dist' };
if (values.cluster) env.STRATA_CLUSTERS = values.cluster.join(',');
const result = spawnSync(config.app, { shell: true, stdio: 'inherit', env });
process.exit(result.status ?? 1);
