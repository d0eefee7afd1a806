// `ApiObject.prototype.toJson` of cdk8s 2.70, step for step, with its resolution made cheaper:
// cdk8s's `resolve` looks the app up (a walk to the root of the construct tree) and builds a
// resolution context and a key path for every value of a manifest, strings and numbers included,
// which was the largest single cost of rendering a fleet. Here the app's resolvers are looked up
// once per object, and a string, number or boolean skips them when every resolver is one whose
// code provably leaves it alone (the app's own and strata's two); any other resolver sees every
// value, exactly as in cdk8s.
import { ApiObject, ApiObjectMetadataDefinition, App, ImplicitTokenResolver, JsonPatch, LazyResolver, NumberStringUnionResolver, ResolutionContext, type IResolver } from 'cdk8s';
import { sanitizeValue } from 'cdk8s/lib/_util.js';
import { PlainKeysResolver } from './plain-keys.js';
import { StageResolver } from './stage.js';

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
}

function isPrimitive(value: unknown): boolean {
  const t = typeof value;
  return t === 'string' || t === 'number' || t === 'boolean';
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
  return sanitizeValue(resolveValue(r, [], fields), { filterEmptyArrays: true, filterEmptyObjects: true });
}

/** What `ApiObject.prototype.toJson.call(obj)` returns (or throws), computed faster. */
export function apiObjectJson(obj: ApiObject): Record<string, unknown> {
  const raw = obj as unknown as { props: Record<string, unknown>; patches: JsonPatch[] };
  const r = resolving(obj);
  if (!r) return ApiObject.prototype.toJson.call(obj); // not under an App: cdk8s's own failure
  try {
    const data = { ...raw.props, metadata: metadataJson(obj.metadata) };
    const sortKeys = process.env.CDK8S_DISABLE_SORT ? false : true;
    const json = sanitizeValue(resolveValue(r, [], data), { sortKeys });
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
