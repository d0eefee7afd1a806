import { k8s } from 'cdk8s-plus-27';
import { show } from '../fleet/errors.js';
import { dnsLabelError } from '../fleet/names.js';
import { parseQuantity } from '../fleet/quantity.js';
import { sortedEntries } from '../fleet/canonical.js';
import { fromOptions } from '../fleet/props.js';

/** Options of a volume from a ConfigMap or Secret. */
export interface ObjectVolumeOptions {
  /**
   * Name of the volume inside the pod (a DNS-1123 label).
   * @default the ConfigMap or Secret name
   */
  readonly volumeName?: string;
  /**
   * Only these keys, each as the file path given (relative to the mount path).
   * @default every key, as a file of the same name
   */
  readonly items?: Readonly<Record<string, string>>;
  /**
   * Start the pod even when the object does not exist.
   * @default false: the pod waits until it exists
   */
  readonly optional?: boolean;
}

/** Options of a scratch volume. */
export interface EmptyDirOptions {
  /**
   * Most the volume may hold; the pod is evicted beyond it.
   * @default none (bounded by the node's ephemeral storage)
   */
  readonly sizeLimit?: string;
  /**
   * Keep it in memory (tmpfs); counts against the container's memory limit.
   * @default false: on the node's disk
   */
  readonly memory?: boolean;
}

/**
 * A volume mounted into a workload's container, e.g.
 * `volumes: { '/etc/tls': Volume.secret('storefront-tls'), '/cache': Volume.emptyDir('cache') }`.
 * ConfigMap and Secret volumes are mounted read-only.
 */
export class Volume {
  /** The ConfigMap `name` (same namespace), its keys as files. */
  static configMap(name: string, options: ObjectVolumeOptions = {}): Volume {
    return fromOptions('ObjectVolumeOptions', options, 'Volume.configMap(...)', (options) => new Volume(options.volumeName ?? name, { configMap: { name, items: items(options.items), optional: options.optional } }, true));
  }

  /** The Secret `name` (same namespace), its keys as files. */
  static secret(name: string, options: ObjectVolumeOptions = {}): Volume {
    return fromOptions('ObjectVolumeOptions', options, 'Volume.secret(...)', (options) => new Volume(options.volumeName ?? name, { secret: { secretName: name, items: items(options.items), optional: options.optional } }, true));
  }

  /** An empty scratch directory that lives as long as the pod. */
  static emptyDir(name: string, options: EmptyDirOptions = {}): Volume {
    return fromOptions('EmptyDirOptions', options, 'Volume.emptyDir(...)', (options) => new Volume(name, { emptyDir: { medium: options.memory ? 'Memory' : undefined, sizeLimit: options.sizeLimit } }, false));
  }

  private constructor(
    /** The volume's name inside the pod. */
    readonly name: string,
    private readonly source: VolumeSource,
    /** Whether it is mounted read-only. */
    readonly readOnly: boolean,
  ) {}

  /** The pod's volume entry. */
  toVolume(): k8s.Volume {
    const { emptyDir, ...rest } = this.source;
    if (!emptyDir) return { name: this.name, ...rest };
    const sizeLimit = emptyDir.sizeLimit !== undefined ? k8s.Quantity.fromString(emptyDir.sizeLimit) : undefined;
    return { name: this.name, emptyDir: { medium: emptyDir.medium, sizeLimit } };
  }

  /** Problems of the volume: a bad name, a malformed size. */
  problems(): string[] {
    const nameError = dnsLabelError('volume name', this.name);
    const problems = nameError ? [this.source.emptyDir ? nameError : `${nameError}: give it a volumeName`] : [];
    const sizeLimit = this.source.emptyDir?.sizeLimit;
    if (sizeLimit !== undefined && parseQuantity(sizeLimit) === undefined) {
      problems.push(`volume ${this.name}: sizeLimit ${show(sizeLimit)} is not a Kubernetes quantity (e.g. "512Mi", "1Gi")`);
    }
    return problems;
  }
}

/** What a volume is made from (plain data, rendered by `toVolume`). */
interface VolumeSource {
  readonly configMap?: k8s.ConfigMapVolumeSource;
  readonly secret?: k8s.SecretVolumeSource;
  readonly emptyDir?: { readonly medium?: string; readonly sizeLimit?: string };
}

function items(map: Readonly<Record<string, string>> | undefined): k8s.KeyToPath[] | undefined {
  return map ? sortedEntries(map).map(([key, path]) => ({ key, path })) : undefined;
}
