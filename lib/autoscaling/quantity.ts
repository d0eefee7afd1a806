// Quantities, durations and whole numbers of the autoscaling props, with their error messages.
import type { Duration } from 'cdk8s';
import { show } from '../fleet/errors.js';
import { parseQuantity } from '../fleet/quantity.js';

export { parseQuantity };

export const GiB = 2 ** 30;
export const MiB = 2 ** 20;

/** An error message when `value` is not a positive quantity, else undefined. */
export function quantityError(what: string, value: unknown): string | undefined {
  const parsed = typeof value === 'string' || typeof value === 'number' ? parseQuantity(value) : undefined;
  if (parsed === undefined || parsed <= 0) {
    return `${what} (${show(value)}) is not a positive Kubernetes quantity (e.g. "500m", "2", "512Mi", "4Gi")`;
  }
  return undefined;
}

/** CPU cores for messages: `15.89`, `0.25`. */
export function formatCpu(cores: number): string {
  return String(Math.floor(cores * 100 + 1e-9) / 100);
}

/** Memory for messages: `57.45Gi`, `512Mi`. */
export function formatMemory(bytes: number): string {
  if (bytes >= GiB) return `${Math.floor((bytes / GiB) * 100 + 1e-9) / 100}Gi`;
  return `${Math.floor(bytes / MiB)}Mi`;
}

/** Whole seconds of a duration, or an error message naming `what`. */
export function wholeSeconds(what: string, duration: Duration): number | string {
  try {
    return duration.toSeconds();
  } catch {
    return `${what} (${duration.toMilliseconds()}ms) must be a whole number of seconds`;
  }
}

/** Whole seconds of `duration`, at least `least`; a problem otherwise, pushed to `problems`. */
export function secondsAtLeast(what: string, duration: Duration, least: number, problems: string[]): number | undefined {
  const value = wholeSeconds(what, duration);
  if (typeof value === 'string') {
    problems.push(value);
    return undefined;
  }
  if (value < least) problems.push(`${what} (${value}s) must be at least ${least}s`);
  return value;
}

/** An error message when `value` is not a whole number within [min, max], else undefined. */
export function wholeNumberError(what: string, value: unknown, min: number, max = Number.MAX_SAFE_INTEGER): string | undefined {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    const range = max === Number.MAX_SAFE_INTEGER ? `≥ ${min}` : `between ${min} and ${max}`;
    return `${what} (${show(value)}) must be a whole number ${range}`;
  }
  return undefined;
}

// Invalid input is reported by strata's own checks (which fail the synth, so nothing is written);
// rendering a valid stand-in keeps the schema check from repeating the same error less clearly.

/** `value` when it is a whole number ≥ `min`, else `min`. */
export function wholeOr(value: number, min: number): number {
  return Number.isInteger(value) && value >= min ? value : min;
}

/** `value` as a quantity string when it is a valid quantity, else `'0'`. */
export function quantityOr0(value: string | number | undefined): string | undefined {
  if (value === undefined) return undefined;
  return parseQuantity(value) === undefined ? '0' : String(value);
}
