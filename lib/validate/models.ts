// The Kubernetes kinds strata validates rendered objects with, from kubernetes-models 4.5.1 (the
// OpenAPI schemas of Kubernetes 1.33, compiled to validator functions; it supports Node 20, where
// 5.x requires Node 22). One import per model file (a package index import loads every model of
// the group and costs seconds). scripts/run.mjs bundles this module once per installed dependency
// set, since loading its hundreds of small modules one by one costs more than a whole synth.
// The custom resources of strata's components are validated from their CRDs' own schemas, compiled
// ahead of time (crd-validators.ts, generated from crd-schemas.ts): bundled here with the models.
import { ConfigMap } from 'kubernetes-models/v1/ConfigMap';
import { Pod } from 'kubernetes-models/v1/Pod';
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
import * as ucs2lengthModule from 'ajv/dist/runtime/ucs2length.js';
import type { ValidateFunction } from 'ajv';
import { CRD_KINDS as COMPILED } from './crd-validators.js';
import { FORMATS } from './formats.js';

/**
 * A model class: its prototype's `validate` runs the compiled schema on `this` and throws a
 * ValidationError (`errors`: ajv's, with English messages) when it fails.
 */
export interface ValidatingModel {
  readonly apiVersion: string;
  readonly kind: string;
  readonly prototype: { validate(this: unknown): void };
}

export const MODELS: readonly ValidatingModel[] = [
  ConfigMap, Pod, LimitRange, Namespace, PersistentVolumeClaim, ResourceQuota, Secret, Service, ServiceAccount,
  DaemonSet, Deployment, StatefulSet, CronJob, Job, HorizontalPodAutoscaler, PodDisruptionBudget,
  Ingress, IngressClass, NetworkPolicy, ClusterRole, ClusterRoleBinding, Role, RoleBinding,
  StorageClass, PriorityClass, CustomResourceDefinition,
] as unknown as ValidatingModel[];

/**
 * A kind of the vendored CRD schemas: its scope, its source, and `build`, which turns its compiled
 * validator (open to unknown fields) into a function: call it once, on first use.
 */
export interface CompiledKind {
  readonly scope: 'Namespaced' | 'Cluster';
  readonly source: string;
  readonly build: () => ValidateFunction;
}

/** ajv's code-point length (maxLength, minLength), exports.default of a CommonJS module under either loader. */
const ucs2length = ((ucs2lengthModule as { default: { default?: unknown } }).default.default ?? ucs2lengthModule.default) as (s: string) => number;

/** `apiVersion/kind` → each kind of the vendored CRD schemas. */
export const CRD_KINDS: Readonly<Record<string, CompiledKind>> = Object.fromEntries(
  Object.entries(COMPILED).map(([gvk, { scope, source, code }]) => [
    gvk,
    // The code is ajv's own output for the schema, generated and committed by scripts/crd-validators.ts.
    // eslint-disable-next-line @typescript-eslint/no-implied-eval
    { scope, source, build: () => new Function('FORMATS', 'ucs2length', code())(FORMATS, ucs2length) as ValidateFunction },
  ]),
);
