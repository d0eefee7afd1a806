// What the commands print to a terminal beyond plain lines: colours and a progress line, both only
// on a TTY, so output in CI, pipes and files stays plain and byte-stable.
import { performance } from 'node:perf_hooks';
import { createColors } from 'picocolors';

/** picocolors' formatters (`c.red(text)`, ...); identity functions when colours are off. */
export type Colors = ReturnType<typeof createColors>;

/** The part of a stream these helpers use (`process.stdout`, `process.stderr`, or a test's). */
export interface OutputStream {
  readonly isTTY?: boolean;
  write(text: string): unknown;
}

/**
 * Whether to colour what goes to `stream`: `NO_COLOR` (set and not empty, https://no-color.org)
 * turns colours off, `FORCE_COLOR` (set, not empty and not `0`) on; otherwise only on a TTY whose
 * TERM is not `dumb`. Unlike picocolors' own default, CI alone never turns colours on.
 */
export function colorEnabled(stream: Pick<OutputStream, 'isTTY'>, env: NodeJS.ProcessEnv = process.env): boolean {
  if (env.NO_COLOR) return false;
  if (env.FORCE_COLOR && env.FORCE_COLOR !== '0') return true;
  return stream.isTTY === true && env.TERM !== 'dumb';
}

/** The colours for `stream` (see `colorEnabled`). */
export function colorsFor(stream: Pick<OutputStream, 'isTTY'>, env: NodeJS.ProcessEnv = process.env): Colors {
  return createColors(colorEnabled(stream, env));
}

/** Erases the current terminal line and returns the cursor to its start. */
const CLEAR_LINE = '\r\x1b[2K';

/**
 * A one-line progress display on a TTY (`strata: prod-eu: resolving (2/3)`), rewritten in place
 * and erased at the end. It shows only once `delaySeconds` (default 1) have passed, so a quick synth prints
 * nothing; on anything but a TTY it never prints.
 */
export class Progress {
  private readonly start: number;
  private shown = false;

  constructor(
    private readonly stream: OutputStream,
    private readonly options: { readonly delaySeconds?: number; readonly now?: () => number } = {},
  ) {
    this.start = this.now();
  }

  private now(): number {
    return this.options.now ? this.options.now() : performance.now();
  }

  /** Reports the step now running. */
  step(text: string): void {
    if (this.stream.isTTY !== true || this.now() - this.start < (this.options.delaySeconds ?? 1) * 1000) return;
    this.stream.write(`${CLEAR_LINE}strata: ${text}`);
    this.shown = true;
  }

  /** Erases the progress line, if one was shown. */
  done(): void {
    if (this.shown) this.stream.write(CLEAR_LINE);
    this.shown = false;
  }
}

/** Progress that never prints (`Testing.synth`, `render()`). */
export const NO_PROGRESS = new Progress({ isTTY: false, write: () => undefined });
