// The command-line parsing every strata command shares (`npm run validate`, `npm run plan`): a
// usage error is one line and the usage on stderr, exit code 2, never a stack trace.
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { EXIT } from './output-errors.js';

/** A command's name and its usage line, as printed after a usage error. */
export interface Command {
  /** The name after `strata` in messages, e.g. `validate`. */
  readonly name: string;
  /** The usage line, e.g. `usage: npm run validate [-- <dist dir>]`. */
  readonly usage: string;
}

/** Prints `strata <name>: <message>` and the usage on stderr and exits with code 2. */
export function usageError(command: Command, message: string): never {
  console.error(`strata ${command.name}: ${message}\n${command.usage}`);
  process.exit(EXIT.usage);
}

/**
 * `parseArgs(config)` (https://nodejs.org/api/util.html#utilparseargsconfig) with the process's
 * arguments; an unknown option, a missing value or an unexpected positional argument is a usage
 * error (`usageError`: one line, the usage, exit code 2).
 */
export function parseCommandLine<T extends ParseArgsConfig>(command: Command, config: T): ReturnType<typeof parseArgs<T>> {
  try {
    return parseArgs(config);
  } catch (e) {
    // Node words some of its messages over several lines ("argument is ambiguous ..."): one line here.
    return usageError(command, (e instanceof Error ? e.message : String(e)).replace(/\s*\n\s*/g, ' '));
  }
}
