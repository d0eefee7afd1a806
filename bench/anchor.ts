// The raw cdk8s anchor: the objects strata wrote, declared again the way a cdk8s user declares
// them without strata, through the typed L1 classes (`k8s.KubeDeployment` of cdk8s-plus-27, the
// CRD classes of imports/), whose props use the classes' own names (`hostPid` for `hostPID`) and
// wrap IntOrString/Quantity values in a class with `.value`. Rendering them costs what it costs a
// cdk8s user: the props are resolved and then converted back to JSON by the class's `toJson`.
import type { ApiObject } from 'cdk8s';
import { k8s } from 'cdk8s-plus-27';
import type { Construct } from 'constructs';
import * as certificate from '../imports/cert-manager-certificate-cert-manager.io.js';
import * as clusterIssuer from '../imports/cert-manager-clusterissuer-cert-manager.io.js';
import * as issuer from '../imports/cert-manager-issuer-cert-manager.io.js';
import * as helmRelease from '../imports/flux-helm-helm.toolkit.fluxcd.io.js';
import * as kustomization from '../imports/flux-kustomize-kustomize.toolkit.fluxcd.io.js';
import * as alert from '../imports/flux-notification-alert-notification.toolkit.fluxcd.io.js';
import * as notificationProvider from '../imports/flux-notification-provider-notification.toolkit.fluxcd.io.js';
import * as gitRepository from '../imports/flux-source-git-source.toolkit.fluxcd.io.js';
import * as helmRepository from '../imports/flux-source-helm-source.toolkit.fluxcd.io.js';
import * as ociRepository from '../imports/flux-source-oci-source.toolkit.fluxcd.io.js';
import * as gateway from '../imports/gateway-api-gateway-gateway.networking.k8s.io.js';
import * as gatewayClass from '../imports/gateway-api-gatewayclass-gateway.networking.k8s.io.js';
import * as grpcRoute from '../imports/gateway-api-grpcroute-gateway.networking.k8s.io.js';
import * as httpRoute from '../imports/gateway-api-httproute-gateway.networking.k8s.io.js';
import * as referenceGrant from '../imports/gateway-api-referencegrant-gateway.networking.k8s.io.js';
import * as ec2NodeClass from '../imports/karpenter-ec2nodeclass-karpenter.k8s.aws.js';
import * as nodePool from '../imports/karpenter-nodepool-karpenter.sh.js';
import * as clusterTriggerAuthentication from '../imports/keda-clustertriggerauthentication-keda.sh.js';
import * as scaledJob from '../imports/keda-scaledjob-keda.sh.js';
import * as scaledObject from '../imports/keda-scaledobject-keda.sh.js';
import * as triggerAuthentication from '../imports/keda-triggerauthentication-keda.sh.js';
import { KNOWN_FIELDS } from '../imports/known-fields.js';

/** An L1 class: `new KubeDeployment(scope, id, props)`, with its `GVK`. */
export type L1Class = (new (scope: Construct, id: string, props: never) => ApiObject) & { readonly GVK: { apiVersion: string; kind: string } };

const MODULES: readonly Record<string, unknown>[] = [
  k8s, certificate, clusterIssuer, issuer, helmRelease, kustomization, alert, notificationProvider, gitRepository, helmRepository,
  ociRepository, gateway, gatewayClass, grpcRoute, httpRoute, referenceGrant, ec2NodeClass, nodePool, clusterTriggerAuthentication,
  scaledJob, scaledObject, triggerAuthentication,
];

let classes: Map<string, L1Class> | undefined;

/** The L1 class of `apiVersion/kind`, or undefined when no binding exists (then a plain ApiObject is what a user writes). */
export function l1Class(apiVersion: string, kind: string): L1Class | undefined {
  if (!classes) {
    classes = new Map();
    for (const mod of MODULES) {
      for (const value of Object.values(mod)) {
        const gvk = typeof value === 'function' ? (value as Partial<L1Class>).GVK : undefined;
        if (gvk) classes.set(`${gvk.apiVersion}/${gvk.kind}`, value as L1Class);
      }
    }
  }
  return classes.get(`${apiVersion}/${kind}`);
}

/** The field tree of imports/known-fields.ts (see lib/validate/fields.ts for the format). */
interface FieldTree {
  readonly kinds: Readonly<Record<string, number>>;
  readonly types: readonly Readonly<Record<string, 0 | string>>[];
}

let tree: FieldTree | undefined;
const byJson: Map<string, { prop: string; ref: 0 | string }>[] = [];

function fieldsOf(type: number): Map<string, { prop: string; ref: 0 | string }> {
  tree ??= JSON.parse(KNOWN_FIELDS) as FieldTree;
  if (!byJson[type]) {
    byJson[type] = new Map(Object.entries(tree.types[type]).map(([key, ref]) => {
      const [json, prop = json] = key.split('=');
      return [json, { prop, ref }];
    }));
  }
  return byJson[type];
}

/**
 * IntOrString and Quantity are the same one-field box at run time (`{ value }`, resolved by
 * cdk8s's NumberStringUnionResolver), as are the CRD bindings' per-field union classes.
 */
function wrap(value: unknown): unknown {
  if (typeof value === 'number') return k8s.IntOrString.fromNumber(value);
  if (typeof value === 'string') return k8s.IntOrString.fromString(value);
  return value;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function convert(node: unknown, ref: 0 | string): unknown {
  if (ref === 0) return node;
  if (ref === 'v') return wrap(node);
  if (ref === '{v') return isRecord(node) ? Object.fromEntries(Object.entries(node).map(([k, v]) => [k, wrap(v)])) : node;
  const type = Number(ref.replace(/^[[{]/, ''));
  if (ref.startsWith('[')) return Array.isArray(node) ? node.map((item) => toProps(item, type)) : node;
  if (ref.startsWith('{')) return isRecord(node) ? Object.fromEntries(Object.entries(node).map(([k, v]) => [k, toProps(v, type)])) : node;
  return toProps(node, type);
}

function toProps(node: unknown, type: number): unknown {
  if (!isRecord(node)) return node;
  const fields = fieldsOf(type);
  const props: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(node)) {
    const field = fields.get(key);
    if (!field) throw new Error(`anchor: ${key} is not a field of type ${type}`);
    props[field.prop] = convert(value, field.ref);
  }
  return props;
}

/**
 * The props of the L1 class of `manifest`: JSON keys renamed to the binding's prop names,
 * IntOrString/Quantity values boxed. Undefined when the kind has no L1 class.
 */
export function l1Props(manifest: Record<string, unknown>): { cls: L1Class; props: Record<string, unknown> } | undefined {
  const { apiVersion, kind, ...rest } = manifest as { apiVersion: string; kind: string };
  const cls = l1Class(apiVersion, kind);
  tree ??= JSON.parse(KNOWN_FIELDS) as FieldTree;
  const root = tree.kinds[`${apiVersion}/${kind}`];
  if (!cls || root === undefined) return undefined;
  return { cls, props: toProps(rest, root) as Record<string, unknown> };
}
