import { k8s } from 'cdk8s-plus-27';
import { show } from '../fleet/errors.js';
import type { ResolvedPort } from './ports.js';
import { fromOptions } from '../fleet/props.js';

/** Timing of a probe; anything left out keeps the Kubernetes default. */
export interface ProbeOptions {
  /** @default 0 */
  readonly initialDelaySeconds?: number;
  /** @default 10 */
  readonly periodSeconds?: number;
  /** @default 1 */
  readonly timeoutSeconds?: number;
  /** @default 3 */
  readonly failureThreshold?: number;
  /** @default 1 */
  readonly successThreshold?: number;
}

/** A probe that connects to a port. */
export interface PortProbeOptions extends ProbeOptions {
  /**
   * Port name or number; either must be one of the workload's ports (the container serves it).
   * @default the workload's first port (`http` on a WebService)
   */
  readonly port?: string | number;
}

/** An HTTP probe. */
export interface HttpProbeOptions extends PortProbeOptions {
  /** @default 'HTTP' */
  readonly scheme?: 'HTTP' | 'HTTPS';
}

type Action =
  | { readonly kind: 'http'; readonly path: string; readonly port?: string | number; readonly scheme?: 'HTTP' | 'HTTPS' }
  | { readonly kind: 'tcp'; readonly port?: string | number }
  | { readonly kind: 'exec'; readonly command: readonly string[] };

/** A readiness, liveness or startup check: `Probe.http('/healthz')`, `Probe.tcp()`, `Probe.exec([...])`. */
export class Probe {
  /** Succeeds on an HTTP status from 200 to 399. */
  static http(path: string, options: HttpProbeOptions = {}): Probe {
    return fromOptions('HttpProbeOptions', options, 'Probe.http(...)', (options) => {
      const { port, scheme, ...timing } = options;
      return new Probe({ kind: 'http', path, port, scheme }, timing);
    });
  }

  /** Succeeds when a TCP connection opens. */
  static tcp(options: PortProbeOptions = {}): Probe {
    return fromOptions('PortProbeOptions', options, 'Probe.tcp(...)', (options) => {
      const { port, ...timing } = options;
      return new Probe({ kind: 'tcp', port }, timing);
    });
  }

  /** Succeeds when the command exits 0 inside the container. */
  static exec(command: readonly string[], options: ProbeOptions = {}): Probe {
    return fromOptions('ProbeOptions', options, 'Probe.exec(...)', (options) => new Probe({ kind: 'exec', command }, options));
  }

  private constructor(
    private readonly action: Action,
    private readonly timing: ProbeOptions,
  ) {}

  /** Problems of the probe named `what` (e.g. `probes.readiness`) against the workload's ports. */
  problems(what: string, ports: readonly ResolvedPort[]): string[] {
    const problems: string[] = [];
    for (const [field, value] of Object.entries(this.timing)) {
      const min = field === 'initialDelaySeconds' ? 0 : 1;
      if (value !== undefined && !(Number.isInteger(value) && value >= min)) problems.push(`${what}.${field} (${show(value)}) must be an integer of at least ${min}`);
    }
    if (this.action.kind === 'exec') {
      const { command } = this.action;
      if (!Array.isArray(command) || command.some((c) => typeof c !== 'string')) problems.push(`${what}: Probe.exec needs a command as a list of strings, e.g. ['pg_isready'], not ${show(command)}`);
      else if (command.length === 0) problems.push(`${what}: Probe.exec needs a command`);
      return problems;
    }
    if (this.action.kind === 'http' && (typeof this.action.path !== 'string' || !this.action.path.startsWith('/'))) problems.push(`${what}: path ${show(this.action.path)} must start with "/"`);
    const port = this.action.port;
    if (port === undefined && ports.length === 0) problems.push(`${what}: Probe.${this.action.kind} needs a port, and the workload declares none`);
    if (typeof port === 'string' && !ports.some((p) => p.name === port)) {
      problems.push(`${what}: port ${show(port)} is not a port of this workload (ports: ${ports.map((p) => p.name).join(', ') || 'none'})`);
    }
    if (typeof port === 'number' && !ports.some((p) => p.port === port)) {
      const declared = ports.map((p) => `${p.name}=${p.port}`).join(', ') || 'none';
      const fix = ports.length > 0 ? `name a declared port (e.g. ${show(ports[0].name)}) or declare ${port} in ports` : `declare ${port} in ports`;
      problems.push(`${what}: port ${port} is not a port of this workload (ports: ${declared}): the kubelet would probe a port the container does not serve; ${fix}`);
    }
    return problems;
  }

  /** The Kubernetes probe; a port left out is the first of `ports`. */
  toProbe(ports: readonly ResolvedPort[]): k8s.Probe {
    const action = this.action;
    const timing = { ...this.timing };
    if (action.kind === 'exec') return { ...timing, exec: { command: [...action.command] } };
    const given = action.port ?? ports[0]?.name;
    const port = typeof given === 'number' ? k8s.IntOrString.fromNumber(given) : k8s.IntOrString.fromString(given ?? '');
    if (action.kind === 'tcp') return { ...timing, tcpSocket: { port } };
    return { ...timing, httpGet: { path: action.path, port, scheme: action.scheme } };
  }
}
