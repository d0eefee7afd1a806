#!/usr/bin/env node
// `strata <command> [args...]`, the command line of the installed package: dispatches to the
// command's own module, which parses its arguments (`strata <command> --help`), in this process.
import { fileURLToPath } from 'node:url';

const COMMANDS = {
  synth: ['../scripts/synth.mjs', 'render the fleet of cdk8s.yaml `app` into strata.output (dist/)'],
  validate: ['../build/validate-cli.js', 'check a rendered tree (default: dist) with the schema and policy checks of a synth'],
  plan: ['../build/plan-cli.js', 'what Flux will add, change, prune or fail to apply against dist/ at git HEAD'],
  import: ['../scripts/import.mjs', 'generate imports/ from the CRDs named in cdk8s.yaml `imports`'],
  run: ['../scripts/run.mjs', 'run a TypeScript entry point (cdk8s.yaml: `app: strata run main.ts`)'],
};
const USAGE = `usage: strata <command> [args...]   (strata <command> --help for its flags)
${Object.entries(COMMANDS).map(([name, [, what]]) => `  ${name.padEnd(9)} ${what}`).join('\n')}`;

const [command, ...args] = process.argv.slice(2);
if (command === undefined || command === '--help' || command === '-h') {
  (command ? console.log : console.error)(USAGE);
  process.exit(command ? 0 : 2);
}
if (!Object.hasOwn(COMMANDS, command)) {
  console.error(`strata: no command ${command}\n${USAGE}`);
  process.exit(2);
}
const module = new URL(COMMANDS[command][0], import.meta.url);
process.argv = [process.argv[0], fileURLToPath(module), ...args];
await import(module.href);
