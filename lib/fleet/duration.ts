// Go durations (`time.ParseDuration`), the form every Flux interval and timeout takes: Flux's
// controllers parse them with Go's `metav1.Duration`. No npm library parses exactly Go's grammar
// (the popular ones accept `5 minutes`, `1d` or ISO 8601, which Go refuses), so this is a small
// port of it: an optional sign, then one or more `<number><unit>` with a decimal number and a unit
// of ns, us (µs, μs), ms, s, m or h, or a bare `0`.
// https://pkg.go.dev/time#ParseDuration

const NANOSECONDS: Readonly<Record<string, number>> = {
  ns: 1,
  us: 1e3,
  'µs': 1e3, // U+00B5 micro sign
  'μs': 1e3, // U+03BC Greek mu
  ms: 1e6,
  s: 1e9,
  m: 60e9,
  h: 3600e9,
};

const ELEMENT = /^(\d+(?:\.\d*)?|\.\d+)([^\d.]+)/;
/** Go's duration is an int64 of nanoseconds: about 2562047 hours. */
const MAX_NANOSECONDS = 9223372036854775807;

/**
 * The nanoseconds of a Go duration (`1h30m`, `300ms`, `-1.5h`, `0`), or undefined when Go's
 * `time.ParseDuration` refuses it (`5 minutes`, `1d`, `1h 30m`, `''`, out of int64 range).
 */
export function parseGoDuration(text: string): number | undefined {
  if (typeof text !== 'string') return undefined;
  let rest = text;
  let sign = 1;
  if (rest.startsWith('-') || rest.startsWith('+')) {
    sign = rest.startsWith('-') ? -1 : 1;
    rest = rest.slice(1);
  }
  if (rest === '0') return 0;
  if (rest === '') return undefined;
  let total = 0;
  while (rest !== '') {
    const m = ELEMENT.exec(rest);
    if (!m) return undefined;
    const unit = NANOSECONDS[m[2]];
    if (unit === undefined) return undefined;
    total += Number(m[1]) * unit;
    rest = rest.slice(m[0].length);
  }
  return total > MAX_NANOSECONDS ? undefined : sign * total;
}

/**
 * Flux's own CRDs narrow Go's grammar for intervals and timeouts: no sign, no leading dot, units
 * h, m, s and ms only (`^([0-9]+(\.[0-9]+)?(ms|s|m|h))+$`); the API server refuses anything else.
 */
const FLUX_DURATION = /^([0-9]+(\.[0-9]+)?(ms|s|m|h))+$/;

/**
 * Why `value` is not a duration Flux accepts for `field`, or undefined when it is one: it must be
 * a Go duration and match the pattern of Flux's CRDs.
 */
export function fluxDurationError(field: string, value: unknown): string | undefined {
  if (typeof value === 'string' && parseGoDuration(value) !== undefined && FLUX_DURATION.test(value)) return undefined;
  return `${field} ${JSON.stringify(value)} is not a Flux duration: a Go duration of whole or decimal numbers with units h, m, s or ms, e.g. "1h", "5m", "30s", "1h30m"`;
}
