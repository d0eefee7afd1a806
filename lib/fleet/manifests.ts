// Resolving an object — cdk8s `toJson()`: resolve every token, drop empty values, sort keys, and
// for a typed binding convert its props to JSON — is, after YAML, the largest cost of a synth.
// A synth needs each object's manifest more than once (the node-fit check reads pod templates
// while constructs validate, then the fleet resolves every object) and, for a typed binding, its
// resolved props as well, to find what the binding would drop (lib/validate/fields.ts). Inside
// `withResolutionCache` each object is resolved once; its manifest and what its binding drops are
// kept until the scope ends.
import { ApiObject, Chart, JsonPatch } from 'cdk8s';
import { k8s } from 'cdk8s-plus-27';
import { applyPatches } from './rendered-patch.js';
import * as CertManagerCertificateCertManager from '../../imports/cert-manager-certificate-cert-manager.io.js';
import * as CertManagerClusterissuerCertManager from '../../imports/cert-manager-clusterissuer-cert-manager.io.js';
import * as CertManagerIssuerCertManager from '../../imports/cert-manager-issuer-cert-manager.io.js';
import * as FluxHelmHelm from '../../imports/flux-helm-helm.toolkit.fluxcd.io.js';
import * as FluxKustomizeKustomize from '../../imports/flux-kustomize-kustomize.toolkit.fluxcd.io.js';
import * as FluxNotificationAlertNotification from '../../imports/flux-notification-alert-notification.toolkit.fluxcd.io.js';
import * as FluxNotificationProviderNotification from '../../imports/flux-notification-provider-notification.toolkit.fluxcd.io.js';
import * as FluxSourceGitSource from '../../imports/flux-source-git-source.toolkit.fluxcd.io.js';
import * as FluxSourceHelmSource from '../../imports/flux-source-helm-source.toolkit.fluxcd.io.js';
import * as FluxSourceOciSource from '../../imports/flux-source-oci-source.toolkit.fluxcd.io.js';
import * as GatewayApiGatewayGateway from '../../imports/gateway-api-gateway-gateway.networking.k8s.io.js';
import * as GatewayApiGatewayclassGateway from '../../imports/gateway-api-gatewayclass-gateway.networking.k8s.io.js';
import * as GatewayApiGrpcrouteGateway from '../../imports/gateway-api-grpcroute-gateway.networking.k8s.io.js';
import * as GatewayApiHttprouteGateway from '../../imports/gateway-api-httproute-gateway.networking.k8s.io.js';
import * as GatewayApiReferencegrantGateway from '../../imports/gateway-api-referencegrant-gateway.networking.k8s.io.js';
import * as KarpenterEc2nodeclassKarpenter from '../../imports/karpenter-ec2nodeclass-karpenter.k8s.aws.js';
import * as KarpenterNodepoolKarpenter from '../../imports/karpenter-nodepool-karpenter.sh.js';
import * as KedaClustertriggerauthenticationKeda from '../../imports/keda-clustertriggerauthentication-keda.sh.js';
import * as KedaScaledjobKeda from '../../imports/keda-scaledjob-keda.sh.js';
import * as KedaScaledobjectKeda from '../../imports/keda-scaledobject-keda.sh.js';
import * as KedaTriggerauthenticationKeda from '../../imports/keda-triggerauthentication-keda.sh.js';
import type { Manifest } from '../synth/model.js';
import { StrataError } from './errors.js';
import { bindingManifest } from './binding-json.js';
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
  readonly GVK: Record<string, unknown>;
  manifest(props: unknown): Record<string, unknown>;
}

let bindings: Map<unknown, Record<string, unknown>> | undefined;

/**
 * The generated binding classes: every `k8s.Kube*` class of cdk8s-plus-27 and every class of
 * imports/ (a class missing here still renders right, through its own `toJson()`, at twice the cost). Their `toJson()` is `{ ...GVK, ...toJson_<Kind>Props(super.toJson()) }`
 * and their static `manifest(props)` is `{ ...GVK, ...toJson_<Kind>Props(props) }`, so both results
 * come from one resolution. Any other class (a subclass, a hand-written ApiObject) is resolved
 * through its own `toJson()`.
 */
function isBinding(cls: unknown): cls is Binding {
  return bindingModules().has(cls);
}

/** Each generated binding class, with the module it is from. */
function bindingModules(): Map<unknown, Record<string, unknown>> {
  bindings ??= new Map(BINDING_MODULES.flatMap((module) => Object.values(module).filter((c) => typeof c === 'function' && 'GVK' in c && typeof (c as Partial<Binding>).manifest === 'function').map((c) => [c, module] as const)));
  return bindings;
}

/** cdk8s-plus-27's Kubernetes bindings and every module of imports/ (all generated by `cdk8s import`). */
export const BINDING_MODULES: readonly Record<string, unknown>[] = [
  k8s, CertManagerCertificateCertManager, CertManagerClusterissuerCertManager, CertManagerIssuerCertManager, FluxHelmHelm, FluxKustomizeKustomize, FluxNotificationAlertNotification, FluxNotificationProviderNotification, FluxSourceGitSource, FluxSourceHelmSource, FluxSourceOciSource, GatewayApiGatewayGateway, GatewayApiGatewayclassGateway, GatewayApiGrpcrouteGateway, GatewayApiHttprouteGateway, GatewayApiReferencegrantGateway, KarpenterEc2nodeclassKarpenter, KarpenterNodepoolKarpenter, KedaClustertriggerauthenticationKeda, KedaScaledjobKeda, KedaScaledobjectKeda, KedaTriggerauthenticationKeda,
];

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
  const { failed } = applyPatches(doc, patches);
  return failed ? new StrataError(`${obj.kind} ${obj.name}: JSON patch ${failed.op} ${failed.path} does not apply (${failed.reason}): every part of the path but the last must exist`) : undefined;
}

function resolveWithCdk8s(obj: ApiObject): Resolution {
  const cls = obj.constructor;
  if (isBinding(cls) && Object.getPrototypeOf(obj) === cls.prototype && obj.toJson === cls.prototype.toJson) {
    const props = apiObjectJson(obj) as Manifest;
    return { manifest: bindingManifest(cls, bindingModules().get(cls)!)(props), drops: droppedFields(props) };
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
