// The preStop hook that keeps a pod serving while endpoints and load balancers stop routing to
// it (the native `sleep` action where the cluster has it, else `exec: sleep`), and the other
// fields of Kubernetes releases after 1.27 that strata renders (native sidecars), which the
// cdk8s-plus-27 bindings cannot carry.
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

/** Fields of later Kubernetes releases to set on a workload's rendered pod template. */
export interface LaterFields {
  readonly sleep?: NativeSleep;
  /** Init containers that are native sidecars (`restartPolicy: Always`, Kubernetes 1.29+). */
  readonly sidecars?: readonly string[];
}

/**
 * The container's lifecycle for a drain of `seconds` on a cluster of `kubernetesVersion`: from
 * 1.30 none here (the native sleep is added to the rendered object, see `addLaterFields`), below
 * an `exec` of `sleep`, which needs a sleep binary in the image.
 */
export function drainLifecycle(seconds: number, kubernetesVersion: string): { lifecycle?: k8s.Lifecycle; nativeSleep?: number } {
  if (seconds <= 0) return {};
  if (atLeast(kubernetesVersion, NATIVE_SLEEP_SINCE)) return { nativeSleep: seconds };
  return { lifecycle: { preStop: { exec: { command: ['sleep', String(seconds)] } } } };
}

/**
 * Sets the later fields on the rendered manifest of a workload object. The cdk8s-plus-27 bindings
 * describe Kubernetes 1.27 and drop a `sleep` handler and a container's `restartPolicy` from their
 * props, so they are added after the binding has rendered them.
 */
export function addLaterFields<T extends ApiObject>(obj: T, later: LaterFields | undefined): T {
  if (!later?.sleep && !later?.sidecars?.length) return obj;
  const { sleep, sidecars = [] } = later;
  const render = obj.toJson.bind(obj);
  obj.toJson = () => {
    const manifest = render() as Rendered['manifest'];
    const spec = podTemplate({ path: '', manifest })?.spec;
    for (const container of arr(spec?.containers).map(rec)) {
      if (sleep && container.name === sleep.container) container.lifecycle = { ...rec(container.lifecycle), preStop: { sleep: { seconds: sleep.seconds } } };
    }
    for (const container of arr(spec?.initContainers).map(rec)) {
      if (sidecars.includes(container.name as string)) container.restartPolicy = 'Always';
    }
    return manifest;
  };
  return obj;
}
