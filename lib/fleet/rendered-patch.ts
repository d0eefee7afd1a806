// JSON patches on the rendered object, after a cdk8s binding has converted its props. cdk8s's own
// `addJsonPatch` patches the props a typed object (`k8s.KubeService`, the classes in imports/) is
// converted from, and the binding keeps only the fields it declares: cdk8s-plus-27's describe
// Kubernetes 1.27, so a field of a later release (`spec.trafficDistribution`, 1.30) would be
// dropped (and strata reports the drop). A rendered patch is applied to what the binding rendered,
// so such a field reaches the manifest, where the schema check of the cluster's Kubernetes version
// admits it or names the release that introduced it.
import { ApiObject, JsonPatch } from 'cdk8s';
import { StrataError, show } from './errors.js';

const rendered = new WeakMap<ApiObject, JsonPatch[]>();

/**
 * Adds JSON patches (RFC 6902, cdk8s's `JsonPatch.add/replace/remove/...`) applied to `obj`'s
 * rendered manifest, after its binding's conversion and in the order added, e.g.
 * `addRenderedPatch(web.service!, JsonPatch.add('/spec/trafficDistribution', 'PreferClose'))` on a
 * cluster running Kubernetes 1.31. Use `obj.addJsonPatch` for the fields the binding knows.
 * @param obj any ApiObject (a typed binding, a cdk8s-plus object's, a raw one)
 * @param patches the patches, as `JsonPatch.add(path, value)` and the like
 * @throws StrataError when `obj` is not an ApiObject or a patch is not a JsonPatch; at synth, a
 * patch whose path does not exist in the rendered manifest is an error of the object
 * @see https://kubernetes.io/docs/reference/using-api/deprecation-guide/ for fields by release
 */
export function addRenderedPatch(obj: ApiObject, ...patches: JsonPatch[]): void {
  if (!(obj instanceof ApiObject)) throw new StrataError(`addRenderedPatch: ${show(obj)} is not an ApiObject: give the object to patch (e.g. web.service)`);
  const bad = patches.findIndex((p) => !(p instanceof JsonPatch));
  if (bad >= 0) throw new StrataError(`addRenderedPatch: patch ${bad + 1} (${show(patches[bad])}) is not a JsonPatch: use JsonPatch.add(path, value) and the like from cdk8s`);
  let list = rendered.get(obj);
  if (!list) {
    rendered.set(obj, (list = []));
    const render = obj.toJson.bind(obj);
    const own = list;
    obj.toJson = () => applyRendered(obj, render(), own);
  }
  list.push(...patches);
}

/** A JSON patch that does not apply: its operation and path, and why (the first line of the error). */
export interface PatchFailure {
  readonly op: string;
  readonly path: string;
  readonly reason: string;
}

/** `doc` with `patches` applied one by one, or the first that does not apply. */
export function applyPatches(doc: unknown, patches: readonly JsonPatch[]): { readonly doc: unknown; readonly failed?: PatchFailure } {
  for (const patch of patches) {
    try {
      doc = JsonPatch.apply(doc, patch);
    } catch (e) {
      const { op, path } = (patch as unknown as { _toJson(): { op: string; path: string } })._toJson();
      return { doc, failed: { op, path, reason: e instanceof Error ? e.message.split('\n')[0] : String(e) } };
    }
  }
  return { doc };
}

/** `manifest` with `patches` applied; a patch that does not apply names itself and why. */
function applyRendered(obj: ApiObject, manifest: unknown, patches: readonly JsonPatch[]): unknown {
  const { doc, failed } = applyPatches(manifest, patches);
  if (failed) throw new StrataError(`${obj.kind} ${obj.name}: rendered patch ${failed.op} ${failed.path} does not apply (${failed.reason}): every part of the path but the last must exist in the rendered object`);
  return doc;
}
