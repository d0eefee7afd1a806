// cdk8s resolves an object's props by copying every dictionary with `result[key] = value` and
// recognising a dictionary by `value.constructor == Object`. So an own key `__proto__` (what
// `JSON.parse` makes of `{"__proto__": ...}`) sets the copy's prototype and vanishes, an own key
// `constructor` makes cdk8s refuse the object ("can't render non-simple object"), and an object
// without a prototype (`Object.create(null)`) fails with a TypeError. strata's resolver hands cdk8s
// a plain copy with those keys renamed, and `restoreKeys` names them back in the resolved manifest.
import type { IResolver, ResolutionContext } from 'cdk8s';

/** Prefix of a renamed key while cdk8s resolves: no key of a manifest starts with NUL. */
const ESCAPE = '\u0000strata-key:';

/** Keys cdk8s cannot copy as keys of a plain object. */
function isUnsafeKey(key: string): boolean {
  return key === '__proto__' || key === 'constructor';
}

/** Whether `PlainKeysResolver` replaces `value`, an object: a copy is made of one with a null prototype or an unsafe own key. */
export function needsCopy(value: object): boolean {
  const proto = Object.getPrototypeOf(value);
  if (proto === null) return true;
  if (proto !== Object.prototype) return false;
  return Object.prototype.hasOwnProperty.call(value, '__proto__') || Object.prototype.hasOwnProperty.call(value, 'constructor');
}

let renamed = 0;

/** How many objects `PlainKeysResolver` has copied so far: a resolution that copied none needs no `restoreKeys`. */
export function renamedCount(): number {
  return renamed;
}

/** Gives cdk8s a plain copy of an object without a prototype or with a `__proto__` or `constructor` key. */
export class PlainKeysResolver implements IResolver {
  resolve(context: ResolutionContext): void {
    const { value } = context;
    if (typeof value !== 'object' || value === null || Array.isArray(value) || !needsCopy(value)) return;
    const copy: Record<string, unknown> = {};
    for (const key of Object.keys(value)) copy[isUnsafeKey(key) ? ESCAPE + key : key] = (value as Record<string, unknown>)[key];
    renamed++;
    context.replaceValue(copy);
  }
}

/** `value` with the keys `PlainKeysResolver` renamed named back (own data properties). Untouched when none was. */
export function restoreKeys<T>(value: T): T {
  if (typeof value !== 'object' || value === null) return value;
  if (Array.isArray(value)) {
    let changed = false;
    const items = value.map((item) => {
      const restored = restoreKeys(item);
      changed ||= restored !== item;
      return restored;
    });
    return (changed ? items : value) as T;
  }
  const entries = Object.entries(value);
  let changed = false;
  const restored = entries.map(([key, item]): [string, unknown] => {
    const next = restoreKeys(item);
    const name = key.startsWith(ESCAPE) ? key.slice(ESCAPE.length) : key;
    changed ||= next !== item || name !== key;
    return [name, next];
  });
  if (!changed) return value;
  const result: Record<string, unknown> = {};
  for (const [key, item] of restored) Object.defineProperty(result, key, { value: item, enumerable: true, writable: true, configurable: true });
  return result as T;
}
