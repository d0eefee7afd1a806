// Resolving an object — cdk8s `toJson()`: resolve every token, drop empty values, sort keys, and
// for a typed binding convert its props to JSON — is, after YAML, the largest cost of a synth.
// A synth needs each object's manifest more than once (the node-fit check reads pod templates
// while constructs validate, then the fleet resolves every object) and, for a typed binding, its
// resolved props as well, to find what the binding would drop (lib/validate/fields.ts). Inside
// `withResolutionCache` each object is resolved once; its manifest and what its binding drops are
// kept until the scope ends.
import { ApiObject, Chart, JsonPatch } from 'cdk8s';
import { k8s } from 'cdk8s-plus-27';
import { HelmRelease } from '../../imports/flux-helm-helm.toolkit.fluxcd.io.js';
import { Kustomization } from '../../imports/flux-kustomize-kustomize.toolkit.fluxcd.io.js';
import { Alert } from '../../imports/flux-notification-alert-notification.toolkit.fluxcd.io.js';
import { Provider } from '../../imports/flux-notification-provider-notification.toolkit.fluxcd.io.js';
import { GitRepository } from '../../imports/flux-source-git-source.toolkit.fluxcd.io.js';
import { HelmRepository } from '../../imports/flux-source-helm-source.toolkit.fluxcd.io.js';
import { OciRepository } from '../../imports/flux-source-oci-source.toolkit.fluxcd.io.js';
import { Ec2NodeClass } from '../../imports/karpenter-ec2nodeclass-karpenter.k8s.aws.js';
import { NodePool } from '../../imports/karpenter-nodepool-karpenter.sh.js';
import { ScaledJob } from '../../imports/keda-scaledjob-keda.sh.js';
import { ScaledObject } from '../../imports/keda-scaledobject-keda.sh.js';
import { TriggerAuthentication } from '../../imports/keda-triggerauthentication-keda.sh.js';
import type { Manifest } from '../synth/model.js';
import { StrataError } from './errors.js';
import { apiObjectJson } from './object-json.js';
import { renamedCount, restoreKeys } from './plain-keys.js';
import { droppedFields } from '../validate/fields.js';
import { isClusterScoped } from '../validate/schema.js';

/** An object resolved once. */
export interface Resolution {
  /** The manifest, as `obj.toJson()` returns it. */
  readonly manifest: Record<string, unknown>;
  /**
   * What a typed binding (`k8s.KubeDeployment`, the classes of imports/) silently drops when it
   * converts its props to JSON (see `droppedFields`); empty for a plain ApiObject.
   */
  readonly drops: readonly string[];
}

/** A generated binding: `toJson()` is exactly `manifest(<props resolved by ApiObject.toJson>)`. */
interface Binding {
  manifest(props: unknown): Record<string, unknown>;
}

let bindings: Set<unknown> | undefined;

/**
 * The generated binding classes: every `k8s.Kube*` class of cdk8s-plus-27 and the imports/ classes
 * strata builds objects with. Their `toJson()` is `{ ...GVK, ...toJson_<Kind>Props(super.toJson()) }`
 * and their static `manifest(props)` is `{ ...GVK, ...toJson_<Kind>Props(props) }`, so both results
 * come from one resolution. Any other class (a subclass, a hand-written ApiObject) is resolved
 * through its own `toJson()`.
 */
function isBinding(cls: unknown): cls is Binding {
  bindings ??= new Set<unknown>([
    ...Object.values(k8s).filter((c) => typeof c === 'function' && 'GVK' in c && typeof (c as Partial<Binding>).manifest === 'function'),
    HelmRelease, Kustomization, Alert, Provider, GitRepository, HelmRepository, OciRepository,
    Ec2NodeClass, NodePool, ScaledJob, ScaledObject, TriggerAuthentication,
  ]);
  return bindings.has(cls);
}

/**
 * A namespace scope (`fleet.apps(namespace, ...)`) stamps its namespace on every object declared
 * in it, as cdk8s does for a chart's namespace. A cluster-scoped kind (a Namespace, a
 * ClusterRole, a CRD's `scope: Cluster`) has none: the stamped one is removed, so the object is
 * written to `_cluster/`. A namespace other than the scope's was set by hand and stays, for the
 * structure check to report.
 */
function unscoped(obj: ApiObject, resolution: Resolution): Resolution {
  const { manifest } = resolution;
  const metadata = manifest.metadata as Record<string, unknown> | undefined;
  if (metadata?.namespace === undefined || !isClusterScoped(String(manifest.apiVersion), String(manifest.kind))) return resolution;
  if (metadata.namespace !== Chart.of(obj).namespace) return resolution;
  const { namespace: _stamped, ...rest } = metadata;
  return { ...resolution, manifest: { ...manifest, metadata: rest } };
}

/**
 * `obj` resolved, with the keys `PlainKeysResolver` renamed for cdk8s named back.
 * @throws StrataError naming the JSON patch that does not apply, when one does not
 */
function resolveObject(obj: ApiObject): Resolution {
  const before = renamedCount();
  let resolution: Resolution;
  try {
    resolution = resolveWithCdk8s(obj);
  } catch (e) {
    throw failingPatch(obj) ?? e;
  }
  return unscoped(obj, renamedCount() === before ? resolution : { manifest: restoreKeys(resolution.manifest), drops: resolution.drops });
}

/** The JSON patches cdk8s keeps on an object (`addJsonPatch`); cdk8s gives no accessor. */
interface Patched {
  patches: JsonPatch[];
}

/**
 * Why `obj`'s JSON patches do not apply, as cdk8s would only say "Cannot read properties of
 * undefined": the first patch that fails on the object as it is without them. Undefined when the
 * object renders without its patches either (the failure is elsewhere).
 */
function failingPatch(obj: ApiObject): StrataError | undefined {
  const patched = obj as unknown as Patched;
  const patches = patched.patches;
  if (!Array.isArray(patches) || patches.length === 0) return undefined;
  let doc: unknown;
  try {
    patched.patches = [];
    doc = obj.toJson();
  } catch {
    return undefined;
  } finally {
    patched.patches = patches;
  }
  for (const patch of patches) {
    try {
      doc = JsonPatch.apply(doc, patch);
    } catch (e) {
      const { op, path } = (patch as unknown as { _toJson(): { op: string; path: string } })._toJson();
      const reason = e instanceof Error ? e.message.split('\n')[0] : String(e);
      return new StrataError(`${obj.kind} ${obj.name}: JSON patch ${op} ${path} does not apply (${reason}): every part of the path but the last must exist`);
    }
  }
  return undefined;
}

function resolveWithCdk8s(obj: ApiObject): Resolution {
  const cls = obj.constructor;
  if (isBinding(cls) && Object.getPrototypeOf(obj) === cls.prototype && obj.toJson === cls.prototype.toJson) {
    const props = apiObjectJson(obj) as Manifest;
    return { manifest: cls.manifest(props), drops: droppedFields(props) };
  }
  if (obj.toJson === ApiObject.prototype.toJson) return { manifest: apiObjectJson(obj), drops: [] };
  const manifest = obj.toJson() as Record<string, unknown>;
  return { manifest, drops: droppedFields(apiObjectJson(obj) as Manifest) };
}

let cache: WeakMap<ApiObject, Resolution> | undefined;

/**
 * Runs `fn` with every resolution kept, so an object resolved twice inside it is resolved once.
 * Only for a construct tree that no longer changes: a fleet being rendered.
 */
export function withResolutionCache<T>(fn: () => T): T {
  const outer = cache;
  cache ??= new WeakMap();
  try {
    return fn();
  } finally {
    cache = outer;
  }
}

/** `obj` resolved (once per `withResolutionCache` scope). Throws what `obj.toJson()` throws. */
export function resolutionOf(obj: ApiObject): Resolution {
  let resolution = cache?.get(obj);
  if (!resolution) {
    resolution = resolveObject(obj);
    cache?.set(obj, resolution);
  }
  return resolution;
}

/** The manifest of `obj`, as `obj.toJson()` returns it (once per `withResolutionCache` scope). */
export function manifestOf(obj: ApiObject): Record<string, unknown> {
  return resolutionOf(obj).manifest;
}
