// `npm run validate [-- <dir>]`: checks a committed dist/ tree (default: dist) with the schema and
// policy checks of a synth (with the CRDs the project's cdk8s.yaml names) and prints the grouped report; exits 1 when there is any error.
// First it recovers the tree from an interrupted synth (docs/output.md): exit 3 when the file
// system refuses that, 4 while a synth is writing it.
import { existsSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { recoverBeforeReading } from '../synth/recover-cli.js';
import { validateDist } from './dist.js';

const { values, positionals } = parseArgs({ allowPositionals: true, options: { help: { type: 'boolean', short: 'h' }, root: { type: 'string' } } });
if (values.help || positionals.length > 1) {
  console.log('usage: npm run validate [-- <dist dir>] [--root <project dir>]   (default: dist; the project whose cdk8s.yaml names the CRDs: the current directory)');
  process.exit(values.help ? 0 : 2);
}
const dir = positionals[0] ?? 'dist';
recoverBeforeReading(dir);
if (!existsSync(dir)) {
  console.error(`strata: ${dir} does not exist: run \`npm run synth\` first, or name the folder to validate`);
  process.exit(2);
}
const result = validateDist(dir, { root: values.root });
(result.exitCode === 0 ? console.log : console.error)(result.report);
process.exit(result.exitCode);
