// Schema validation of every rendered object: Kubernetes 1.27 (kubernetes-models) and the CRD
// schemas of Flux, KEDA, Karpenter, cert-manager and Gateway API (@kubernetes-models/*).
import { ConfigMap } from 'kubernetes-models/v1/ConfigMap';
import { LimitRange } from 'kubernetes-models/v1/LimitRange';
import { Namespace } from 'kubernetes-models/v1/Namespace';
import { PersistentVolumeClaim } from 'kubernetes-models/v1/PersistentVolumeClaim';
import { ResourceQuota } from 'kubernetes-models/v1/ResourceQuota';
import { Secret } from 'kubernetes-models/v1/Secret';
import { Service } from 'kubernetes-models/v1/Service';
import { ServiceAccount } from 'kubernetes-models/v1/ServiceAccount';
import { DaemonSet } from 'kubernetes-models/apps/v1/DaemonSet';
import { Deployment } from 'kubernetes-models/apps/v1/Deployment';
import { StatefulSet } from 'kubernetes-models/apps/v1/StatefulSet';
import { CronJob } from 'kubernetes-models/batch/v1/CronJob';
import { Job } from 'kubernetes-models/batch/v1/Job';
import { HorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1/PodDisruptionBudget';
import { Ingress } from 'kubernetes-models/networking.k8s.io/v1/Ingress';
import { IngressClass } from 'kubernetes-models/networking.k8s.io/v1/IngressClass';
import { NetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1/NetworkPolicy';
import { ClusterRole } from 'kubernetes-models/rbac.authorization.k8s.io/v1/ClusterRole';
import { ClusterRoleBinding } from 'kubernetes-models/rbac.authorization.k8s.io/v1/ClusterRoleBinding';
import { Role } from 'kubernetes-models/rbac.authorization.k8s.io/v1/Role';
import { RoleBinding } from 'kubernetes-models/rbac.authorization.k8s.io/v1/RoleBinding';
import { StorageClass } from 'kubernetes-models/storage.k8s.io/v1/StorageClass';
import { PriorityClass } from 'kubernetes-models/scheduling.k8s.io/v1/PriorityClass';
import { CustomResourceDefinition } from 'kubernetes-models/apiextensions.k8s.io/v1/CustomResourceDefinition';
import { Kustomization } from '@kubernetes-models/flux-cd/kustomize.toolkit.fluxcd.io/v1/Kustomization';
import { GitRepository } from '@kubernetes-models/flux-cd/source.toolkit.fluxcd.io/v1/GitRepository';
import { HelmRepository } from '@kubernetes-models/flux-cd/source.toolkit.fluxcd.io/v1/HelmRepository';
import { OCIRepository } from '@kubernetes-models/flux-cd/source.toolkit.fluxcd.io/v1/OCIRepository';
import { HelmRelease } from '@kubernetes-models/flux-cd/helm.toolkit.fluxcd.io/v2/HelmRelease';
import { Alert } from '@kubernetes-models/flux-cd/notification.toolkit.fluxcd.io/v1beta3/Alert';
import { Provider } from '@kubernetes-models/flux-cd/notification.toolkit.fluxcd.io/v1beta3/Provider';
import { ClusterTriggerAuthentication } from '@kubernetes-models/keda/keda.sh/v1alpha1/ClusterTriggerAuthentication';
import { ScaledJob } from '@kubernetes-models/keda/keda.sh/v1alpha1/ScaledJob';
import { ScaledObject } from '@kubernetes-models/keda/keda.sh/v1alpha1/ScaledObject';
import { TriggerAuthentication } from '@kubernetes-models/keda/keda.sh/v1alpha1/TriggerAuthentication';
import { NodePool } from '@kubernetes-models/karpenter/karpenter.sh/v1/NodePool';
import { EC2NodeClass } from '@kubernetes-models/karpenter/karpenter.k8s.aws/v1/EC2NodeClass';
import { Certificate } from '@kubernetes-models/cert-manager/cert-manager.io/v1/Certificate';
import { ClusterIssuer } from '@kubernetes-models/cert-manager/cert-manager.io/v1/ClusterIssuer';
import { Issuer } from '@kubernetes-models/cert-manager/cert-manager.io/v1/Issuer';
import { GRPCRoute } from '@kubernetes-models/gateway-api/gateway.networking.k8s.io/v1/GRPCRoute';
import { Gateway } from '@kubernetes-models/gateway-api/gateway.networking.k8s.io/v1/Gateway';
import { GatewayClass } from '@kubernetes-models/gateway-api/gateway.networking.k8s.io/v1/GatewayClass';
import { HTTPRoute } from '@kubernetes-models/gateway-api/gateway.networking.k8s.io/v1/HTTPRoute';
import { ReferenceGrant } from '@kubernetes-models/gateway-api/gateway.networking.k8s.io/v1/ReferenceGrant';
import type { Finding } from '../fleet/errors.js';
import { unknownFields } from './fields.js';
import type { FleetModel, Manifest } from '../synth/model.js';

interface ValidatingModel {
  readonly apiVersion: string;
  readonly kind: string;
  new (data: never): { validate(): void };
}

const MODELS: readonly ValidatingModel[] = [
  ConfigMap, LimitRange, Namespace, PersistentVolumeClaim, ResourceQuota, Secret, Service, ServiceAccount,
  DaemonSet, Deployment, StatefulSet, CronJob, Job, HorizontalPodAutoscaler, PodDisruptionBudget,
  Ingress, IngressClass, NetworkPolicy, ClusterRole, ClusterRoleBinding, Role, RoleBinding,
  StorageClass, PriorityClass, CustomResourceDefinition,
  Kustomization, GitRepository, HelmRepository, OCIRepository, HelmRelease, Alert, Provider,
  ClusterTriggerAuthentication, ScaledJob, ScaledObject, TriggerAuthentication,
  NodePool, EC2NodeClass, Certificate, ClusterIssuer, Issuer,
  GRPCRoute, Gateway, GatewayClass, HTTPRoute, ReferenceGrant,
] as unknown as ValidatingModel[];

const registry = new Map<string, ValidatingModel>(MODELS.map((m) => [`${m.apiVersion}/${m.kind}`, m]));

/** Every `apiVersion/kind` with a registered schema. */
export function registeredKinds(): string[] {
  return [...registry.keys()];
}

/** Validates `apiVersion/kind` objects with `validate` (e.g. a model of another @kubernetes-models package). */
export function registerSchema(model: ValidatingModel): void {
  registry.set(`${model.apiVersion}/${model.kind}`, model);
}

/**
 * The schema errors of one manifest, as readable strings; empty when it is valid. Fields the
 * schema does not know are errors too (the API server would drop them silently).
 */
export function schemaErrors(manifest: Manifest): string[] {
  if (typeof manifest !== 'object' || manifest === null || Array.isArray(manifest)) return [`not an object: ${JSON.stringify(manifest)}`];
  const model = registry.get(`${manifest.apiVersion}/${manifest.kind}`);
  const what = `${manifest.kind} ${isRecord(manifest.metadata) ? manifest.metadata.name : undefined}`;
  if (!model) {
    return [`${what}: no schema is known for ${manifest.apiVersion} ${manifest.kind}, so it cannot be validated (register one with registerSchema)`];
  }
  const unknown = unknownFields(manifest).map((p) => `${what}: schema ${manifest.apiVersion}: ${p}`);
  return [...modelErrors(model, forSchema(manifest), what, manifest.apiVersion), ...unknown];
}

/**
 * What the schema library sees: a SOPS-encrypted Secret without its encrypted values (`ENC[...]`
 * strings are not base64; Flux decrypts them before applying) and its `sops` metadata.
 */
function forSchema(manifest: Manifest): Manifest {
  if (manifest.kind !== 'Secret' || !('sops' in manifest)) return manifest;
  const { sops: _sops, data: _data, stringData: _stringData, ...rest } = manifest;
  return rest as Manifest;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function modelErrors(model: ValidatingModel, manifest: Manifest, what: string, apiVersion: string): string[] {
  try {
    new model(manifest as never).validate();
    return [];
  } catch (e) {
    const errors = (e as { errors?: { instancePath: string; message?: string; params?: Record<string, unknown> }[] }).errors;
    if (!errors) return [`${what}: ${(e as Error).message}`];
    return errors.map((err) => `${what}: schema ${apiVersion}: ${err.instancePath || '/'} ${err.message ?? 'is invalid'}${allowed(err.params)}`);
  }
}

function allowed(params: Record<string, unknown> | undefined): string {
  const values = params?.allowedValues;
  return Array.isArray(values) ? ` (valid: ${values.join(', ')})` : '';
}

/** Every rendered object against its schema. */
export function checkSchemas(model: FleetModel): Finding[] {
  const findings: Finding[] = [];
  for (const cluster of model.clusters) {
    for (const obj of [...cluster.folders.flatMap((f) => f.objects), ...cluster.layers, ...cluster.sources]) {
      for (const message of schemaErrors(obj.manifest)) findings.push({ path: obj.path, message });
    }
  }
  return findings;
}
