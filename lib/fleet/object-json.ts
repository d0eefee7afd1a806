// `ApiObject.prototype.toJson` of cdk8s 2.70, with the same result and the same first error, made
// cheaper. cdk8s's `resolve` looks the app up (a walk to the root of the construct tree) and builds
// a resolution context and a key path for every value of a manifest, strings and numbers included,
// which was the largest single cost of rendering a fleet. Here the app's resolvers are looked up
// once per object, and a string, number or boolean skips them when every resolver is one whose
// code provably leaves it alone (the app's own and strata's two), as does a plain object or list
// none of those would replace (`leftAlone`); any other resolver sees every value, exactly as in
// cdk8s. Where cdk8s resolves a manifest into one copy and then sanitizes that into another
// (`sanitizeValue`: keys sorted, null and undefined left out), one walk does both
// (`resolveSanitized`); the metadata, resolved first, is not walked again inside the object.
import { ApiObject, ApiObjectMetadataDefinition, App, ImplicitTokenResolver, JsonPatch, LazyResolver, NumberStringUnionResolver, ResolutionContext, type IResolver } from 'cdk8s';
import { sanitizeValue } from 'cdk8s/lib/_util.js';
import { needsCopy, PlainKeysResolver } from './plain-keys.js';
import { isStageDependent, StageResolver } from './stage.js';

/** The resolvers known to replace no string, number or boolean, with their code as loaded. */
const PRIMITIVE_SAFE = new Map<unknown, unknown>(
  [LazyResolver, ImplicitTokenResolver, NumberStringUnionResolver, StageResolver, PlainKeysResolver].map((cls) => [cls, cls.prototype.resolve]),
);

/**
 * Whether no resolver of `resolvers` can replace a string, number or boolean: each is a known one
 * (LazyResolver: `instanceof Lazy`; ImplicitTokenResolver: a `resolve` method; NumberStringUnion:
 * a `value` property of a non-plain object; strata's two: objects only), and no prototype of those
 * primitives has been given a `resolve` or `value`.
 */
function primitivesPassThrough(resolvers: readonly IResolver[]): boolean {
  for (const r of resolvers) if (PRIMITIVE_SAFE.get(r.constructor) !== r.resolve) return false;
  for (const p of ['', 0, false] as unknown as Record<string, unknown>[]) {
    if (p.resolve !== undefined || p.value !== undefined) return false;
  }
  return true;
}

interface Resolving {
  readonly obj: ApiObject;
  readonly resolvers: readonly IResolver[];
  readonly fast: boolean;
  /**
   * A value already resolved and sanitized (the metadata, inside the whole object), which a walk
   * takes as it is: resolving and sanitizing it again changes nothing when `fast` (the known
   * resolvers replace nothing a resolution left), and only then is it set.
   */
  settled?: unknown;
}

function isPrimitive(value: unknown): boolean {
  const t = typeof value;
  return t === 'string' || t === 'number' || t === 'boolean';
}

/** A plain object (Object's prototype) or an array (Array's). */
function isContainer(value: any): boolean {
  if (typeof value !== 'object' || value === null) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === Array.prototype;
}

/**
 * Whether no known resolver replaces `value`, a plain object or an array (so no resolution
 * context is needed): not a Lazy (its prototype is Object's or Array's), no `resolve` method
 * (ImplicitTokenResolver), no string or number `value` on an array (NumberStringUnionResolver
 * leaves plain objects alone), not a stage value, no unsafe key (strata's two).
 */
function leftAlone(value: any): boolean {
  if (typeof value.resolve === 'function' || isStageDependent(value)) return false;
  if (Array.isArray(value)) {
    const union = (value as { value?: unknown }).value;
    return typeof union !== 'number' && typeof union !== 'string';
  }
  return value.constructor === Object && !needsCopy(value);
}

/** cdk8s's `resolve(key, value, apiObject)`, with the resolvers given and primitives short-circuited when `fast`. */
function resolveValue(r: Resolving, key: string[], value: any): any {
  if (value == null) return value;
  if (r.fast && isPrimitive(value)) return value;
  const context = new ResolutionContext(r.obj, key, value);
  for (const resolver of r.resolvers) {
    resolver.resolve(context);
    if (context.replaced) return resolveValue(r, key, context.replacedValue);
  }
  if (Array.isArray(value)) return value.map((x, i) => (r.fast && isPrimitive(x) ? x : resolveValue(r, [...key, `${i}`], x)));
  if (value.constructor == Object) {
    const result: any = {};
    for (const k of Object.keys(value)) {
      const v = value[k];
      result[k] = r.fast && isPrimitive(v) ? v : resolveValue(r, [...key, k], v);
    }
    return result;
  }
  return value;
}

interface SanitizeOptions {
  readonly sortKeys?: boolean;
  readonly filterEmptyArrays?: boolean;
  readonly filterEmptyObjects?: boolean;
}

/** What `sanitizeValue` throws for a value, kept until the walk ends: cdk8s resolves everything before it sanitizes. */
class Unrenderable {
  constructor(readonly error: unknown) {}
}

/** `sanitizeValue(value, options)`, or what it throws, as an Unrenderable. */
function sanitized(value: unknown, options: SanitizeOptions): unknown {
  try {
    return sanitizeValue(value, options);
  } catch (e) {
    return new Unrenderable(e);
  }
}

/**
 * The indices of `keys` in the order `keys.sort()` puts them (UTF-16 code units). Objects of a
 * manifest have a few keys: an insertion sort without a comparator call is the fast way there.
 */
function sortedOrder(keys: readonly string[]): number[] {
  const order = keys.map((_, i) => i);
  if (keys.length > 16) return order.sort((a, b) => (keys[a] < keys[b] ? -1 : keys[a] > keys[b] ? 1 : 0));
  for (let i = 1; i < order.length; i++) {
    const current = order[i];
    let j = i - 1;
    for (; j >= 0 && keys[order[j]] > keys[current]; j--) order[j + 1] = order[j];
    order[j + 1] = current;
  }
  return order;
}

/**
 * `sanitizeValue(resolveValue(r, key, value), options)` in one walk: resolvers run on the values
 * in the order cdk8s resolves them (keys as inserted), the result is assembled in the order it
 * sanitizes them (keys sorted), and the error it would throw first is the one returned, as an
 * Unrenderable, once every value is resolved. An object with an own `__proto__` key, which a
 * resolved copy turns into a prototype, takes cdk8s's two steps.
 */
function resolveSanitized(r: Resolving, key: string[], value: any, options: SanitizeOptions): unknown {
  if (value == null) return undefined;
  if (value === r.settled) return value;
  if (!(r.fast && (isPrimitive(value) || (isContainer(value) && leftAlone(value))))) {
    const context = new ResolutionContext(r.obj, key, value);
    for (const resolver of r.resolvers) {
      resolver.resolve(context);
      if (context.replaced) return resolveSanitized(r, key, context.replacedValue, options);
    }
  }
  if (typeof value !== 'object') return value;
  if (Array.isArray(value)) {
    const items = value.map((x, i) => (r.fast && isPrimitive(x) ? x : resolveSanitized(r, [...key, `${i}`], x, options)));
    const bad = items.find((x) => x instanceof Unrenderable);
    if (bad) return bad;
    return options.filterEmptyArrays && items.length === 0 ? undefined : items;
  }
  if (value.constructor != Object) return sanitized(value, options); // left as is by resolve
  const keys = Object.keys(value);
  if (keys.includes('__proto__')) return sanitized(resolveValue(r, key, value), options);
  const values = keys.map((k) => {
    const v = value[k];
    return r.fast && isPrimitive(v) ? v : resolveSanitized(r, [...key, k], v, options);
  });
  const order = options.sortKeys ?? true ? sortedOrder(keys) : keys.map((_, i) => i);
  const result: Record<string, unknown> = {};
  let empty = true;
  for (const i of order) {
    const v = values[i];
    if (v instanceof Unrenderable) return v;
    if (v != null) {
      result[keys[i]] = v;
      empty = false;
    }
  }
  return options.filterEmptyObjects && empty ? undefined : result;
}

/** `sanitizeValue(resolveValue(r, [], value), options)`; throws what that throws. */
function resolveAndSanitize(r: Resolving, value: unknown, options: SanitizeOptions): any {
  const result = resolveSanitized(r, [], value, options);
  if (result instanceof Unrenderable) throw result.error;
  return result;
}

function resolving(obj: ApiObject): Resolving | undefined {
  const resolvers = App.of(obj).resolvers as readonly IResolver[] | undefined;
  return Array.isArray(resolvers) ? { obj, resolvers, fast: primitivesPassThrough(resolvers) } : undefined;
}

/** The fields of cdk8s's `ApiObjectMetadataDefinition` its `toJson` reads (private in its types). */
interface MetadataFields {
  readonly apiObject: ApiObject;
  readonly _additionalAttributes: Record<string, unknown>;
  readonly name?: string;
  readonly namespace?: string;
  readonly annotations: unknown;
  readonly finalizers: unknown;
  readonly ownerReferences: unknown;
  readonly labels: unknown;
}

/** What `obj.metadata.toJson()` returns, the same way (`ApiObjectMetadataDefinition.prototype.toJson`). */
function metadataJson(metadata: ApiObjectMetadataDefinition): unknown {
  const m = metadata as unknown as MetadataFields;
  const r = metadata.toJson === ApiObjectMetadataDefinition.prototype.toJson ? resolving(m.apiObject) : undefined;
  if (!r) return metadata.toJson();
  const fields = {
    ...m._additionalAttributes,
    name: m.name,
    namespace: m.namespace,
    annotations: m.annotations,
    finalizers: m.finalizers,
    ownerReferences: m.ownerReferences,
    labels: m.labels,
  };
  return resolveAndSanitize(r, fields, { filterEmptyArrays: true, filterEmptyObjects: true });
}

/** What `ApiObject.prototype.toJson.call(obj)` returns (or throws), computed faster. */
export function apiObjectJson(obj: ApiObject): Record<string, unknown> {
  const raw = obj as unknown as { props: Record<string, unknown>; patches: JsonPatch[] };
  const r = resolving(obj);
  if (!r) return ApiObject.prototype.toJson.call(obj); // not under an App: cdk8s's own failure
  try {
    const metadata = metadataJson(obj.metadata);
    const data = { ...raw.props, metadata };
    const sortKeys = process.env.CDK8S_DISABLE_SORT ? false : true;
    if (r.fast && typeof metadata === 'object' && metadata !== null && obj.metadata.toJson === ApiObjectMetadataDefinition.prototype.toJson) r.settled = metadata;
    const json = resolveAndSanitize(r, data, { sortKeys });
    const patched = JsonPatch.apply(json, ...raw.patches);
    const result: Record<string, unknown> = {};
    for (const k of ['apiVersion', 'kind', 'metadata', ...Object.keys(patched)]) {
      if (k in patched) result[k] = patched[k];
    }
    return result;
  } catch (e) {
    throw new Error(`Failed serializing construct at path '${obj.node.path}' with name '${obj.name}': ${e}`);
  }
}
