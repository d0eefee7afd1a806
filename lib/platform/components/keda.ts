import { Capability } from '../../fleet/capabilities.js';
import { PlatformComponent, catalogRelease, mergeValues, type ComponentOptions, type IComponent } from '../component.js';
import type { Platform } from '../platform.js';

/** kedacore/keda chart 2.20.2, matching the KEDA CRDs the project imports. */
export const KEDA_CHART = {
  /** Helm repository URL the chart is pulled from (a Flux HelmRepository). See https://keda.sh/docs/latest/deploy/#helm */
  repository: 'https://kedacore.github.io/charts',
  /** The chart's name in that repository. */
  name: 'keda',
  /** The exact chart version the catalog pins. */
  version: '2.20.2',
} as const;

/** The options of `Components.keda()`. */
export type KedaProps = ComponentOptions;

/** KEDA: event-driven pod autoscaling (ScaledObject, ScaledJob), by default `keda` in namespace `keda`. */
export class Keda implements IComponent {
  readonly name: string;

  constructor(private readonly props: KedaProps = {}) {
    this.name = props.name ?? 'keda';
  }

  /** @throws StrataError when another component already provides the same capability on the cluster (only one of them may be installed) */
  install(platform: Platform): void {
    new PlatformComponent(platform.controllers, {
      ...catalogRelease(this.props, { name: this.name, namespace: 'keda', chart: KEDA_CHART }),
      values: mergeValues({}, this.props.values),
      capabilities: [Capability.KEDA],
    });
  }
}
