// The preStop hook that keeps a pod serving while endpoints and load balancers stop routing to
// it: the native `sleep` action where the cluster has it, else `exec: sleep`.
import type { ApiObject } from 'cdk8s';
import type { k8s } from 'cdk8s-plus-27';
import { NATIVE_SLEEP_SINCE, atLeast } from '../fleet/kubernetes-version.js';
import { arr, podTemplate, rec } from '../validate/objects.js';

/** The object `podTemplate` reads: a construct path and a rendered manifest. */
type Rendered = Parameters<typeof podTemplate>[0];

/** A preStop sleep of one container, rendered natively (`lifecycle.preStop.sleep.seconds`). */
export interface NativeSleep {
  readonly container: string;
  readonly seconds: number;
}

/**
 * The container's lifecycle for a drain of `seconds` on a cluster of `kubernetesVersion`: from
 * 1.30 none here (the native sleep is added to the rendered object, see `addNativeSleep`), below
 * an `exec` of `sleep`, which needs a sleep binary in the image.
 */
export function drainLifecycle(seconds: number, kubernetesVersion: string): { lifecycle?: k8s.Lifecycle; nativeSleep?: number } {
  if (seconds <= 0) return {};
  if (atLeast(kubernetesVersion, NATIVE_SLEEP_SINCE)) return { nativeSleep: seconds };
  return { lifecycle: { preStop: { exec: { command: ['sleep', String(seconds)] } } } };
}

/**
 * Sets the native preStop sleep on the rendered manifest of a workload object. The cdk8s-plus-27
 * bindings describe Kubernetes 1.27 and drop a `sleep` handler from their props, so it is added
 * after the binding has rendered them.
 */
export function addNativeSleep<T extends ApiObject>(obj: T, sleep: NativeSleep | undefined): T {
  if (!sleep) return obj;
  const render = obj.toJson.bind(obj);
  obj.toJson = () => {
    const manifest = render() as Rendered['manifest'];
    const template = podTemplate({ path: '', manifest });
    for (const container of arr(template?.spec.containers).map(rec)) {
      if (container.name === sleep.container) container.lifecycle = { ...rec(container.lifecycle), preStop: { sleep: { seconds: sleep.seconds } } };
    }
    return manifest;
  };
  return obj;
}
