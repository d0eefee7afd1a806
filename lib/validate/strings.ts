// One walk over every value and key of a rendered object, shared by the two rules that look for
// rare strings in all of it: names' unbuildable characters (rules/names.ts) and plaintext
// credentials by their shape (rules/credentials.ts). Nearly every object holds neither, and each
// rule walking every object of a cluster on its own was a visible share of the validate phase;
// the walk is made once per object and its answer kept while the object lives.
import type { Json } from './objects.js';

/** What the walk found in one object. */
export interface StringScreen {
  /**
   * Whether names' `checkValues` may report something: true, false, or `ask-json` where the walk
   * met what JSON leaves out or converts (an `undefined`, a function, a class instance, a `toJSON`),
   * so the JSON text has to be asked instead.
   */
  readonly unbuildable: boolean | 'ask-json';
  /**
   * Whether some string value may be a credential by its shape (`CREDENTIAL_SHAPE`); true too
   * wherever the walk stopped early, so a rule relying on it never misses one.
   */
  readonly credentialShape: boolean;
}

/**
 * Cheap pre-filter of the credential shapes (rules/credentials.ts `SHAPES`): a string of fewer
 * than 8 characters, or one this does not match, holds none of them.
 */
export const CREDENTIAL_SHAPE = /:\/\/[^\s@]*@|PRIVATE KEY|AKIA|ASIA|gh[pousr]_|github_pat_|glpat-|xox[abposr]-|AIza|k_live_|eyJ|Key=|Password=|Pwd=/i;

/** Whether `value` may hold a credential by its shape. */
export function mayHoldCredentialShape(value: string): boolean {
  return value.length >= 8 && CREDENTIAL_SHAPE.test(value);
}

/**
 * Every character that may make a string unbuildable (`hasUnusualChar`, lib/synth/yaml.ts
 * `unbuildableProblem`), surrogates of a pair included: one test skips an ordinary string.
 */
export const MAYBE_UNUSUAL = /[\x7f-\x9f\u2028\u2029\ud800-\udfff\ufffe\uffff]/;

/**
 * True when `s` holds a character that may make it unbuildable (lib/synth/yaml.ts
 * `unbuildableProblem`): DEL, a C1 control, U+2028, U+2029, U+FFFE, U+FFFF or a lone surrogate (a
 * pair is a character like any other), tested by char code. Exactly the characters names' JSON
 * screen finds in a string's JSON, so this screen never runs `checkValues` where that one did not.
 */
export function hasUnusualChar(s: string): boolean {
  // The regular expression scans in native code; the walk below, which lets a surrogate pair
  // through, only runs on the rare string it flags.
  if (!MAYBE_UNUSUAL.test(s)) return false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x7f) continue;
    if (c <= 0x9f || c === 0x2028 || c === 0x2029 || c === 0xfffe || c === 0xffff) return true;
    if (c >= 0xd800 && c <= 0xdbff) {
      const next = s.charCodeAt(i + 1); // NaN past the end
      if (next >= 0xdc00 && next <= 0xdfff) i++;
      else return true;
    } else if (c >= 0xdc00 && c <= 0xdfff) return true;
  }
  return false;
}

/** True when names' `checkValues` looks closer at a mapping key. */
function isUnusualKey(key: string): boolean {
  return key.length > 170 || key === '<<' || hasUnusualChar(key);
}

/** The walk's state: whether a string of a credential's shape was met so far. */
interface Seen {
  credentialShape: boolean;
}

/** What `checkValues` may report below `value`: true, false, or `ask-json`; notes credential shapes in `seen`. */
function mayHideProblem(value: unknown, seen: Seen): boolean | 'ask-json' {
  switch (typeof value) {
    case 'string':
      if (!seen.credentialShape && mayHoldCredentialShape(value)) seen.credentialShape = true;
      return hasUnusualChar(value);
    case 'number':
      return !Number.isFinite(value);
    case 'bigint':
    case 'symbol':
    case 'function':
      return true;
    case 'object':
      break;
    default:
      return false;
  }
  if (value === null) return false;
  if (Array.isArray(value)) {
    if (typeof (value as { toJSON?: unknown }).toJSON === 'function') return 'ask-json';
    for (let i = 0; i < value.length; i++) {
      const found = mayHideProblem(value[i], seen);
      if (found !== false) return found;
    }
    return false;
  }
  const proto = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) return 'ask-json';
  // `for...in` (no array of keys made per object) also sees keys a program added to
  // Object.prototype: the walk only screens, so at worst a rule looks closer for nothing. A toJSON
  // (own: met in the loop as a function value; inherited or own) is looked up only when a
  // problem turns up, since JSON would write what it returns instead.
  for (const key in value) {
    const child = (value as Json)[key];
    if (child === undefined || typeof child === 'function' || typeof child === 'symbol') {
      if (child !== undefined || isUnusualKey(key)) return 'ask-json';
      continue;
    }
    const found = isUnusualKey(key) || mayHideProblem(child, seen);
    if (found !== false) return found === true && typeof (value as { toJSON?: unknown }).toJSON === 'function' ? 'ask-json' : found;
  }
  return false;
}

const screens = new WeakMap<object, StringScreen>();

/**
 * The screen of `manifest`, walked once: rendered objects are never changed after they are
 * resolved, so every rule that asks gets the same answer. A walk that stops early (an unusual
 * string, a value JSON converts) or cannot finish (a cycle) reports a possible credential shape.
 */
export function screenOf(manifest: Json): StringScreen {
  let screen = screens.get(manifest);
  if (!screen) {
    const seen: Seen = { credentialShape: false };
    try {
      const unbuildable = mayHideProblem(manifest, seen);
      screen = { unbuildable, credentialShape: seen.credentialShape || unbuildable !== false };
    } catch {
      screen = { unbuildable: true, credentialShape: true }; // too deep (a cycle, say): let the rules look
    }
    screens.set(manifest, screen);
  }
  return screen;
}
