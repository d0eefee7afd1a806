import type { IComponent } from '../component.js';
import type { Platform } from '../platform.js';
import { GatewayComponent, type GatewayProps } from './gateway-component.js';
import { Traefik, type TraefikProps } from './traefik.js';

/** The options of `Components.traffic()`, per traffic mode the provider picks. */
export interface TrafficProps {
  /** Settings used on clusters whose traffic goes through a gateway. @default the gateway's defaults */
  readonly gateway?: GatewayProps;
  /** Settings used on clusters whose traffic goes through Ingress (Traefik). @default Traefik's defaults */
  readonly ingress?: TraefikProps;
}

/**
 * What the cluster's traffic mode needs (`cluster.traffic`): the Gateway API gateway
 * (`Components.gateway()`), or the Ingress controller (`Components.ingress()`).
 */
export class Traffic implements IComponent {
  readonly name = 'traffic';

  constructor(private readonly props: TrafficProps = {}) {}

  /** @throws StrataError when the component it picks for the provider cannot be installed (see `Components.gateway`, `Components.traefik`); when another component already provides the same capability on the cluster (only one of them may be installed) */
  install(platform: Platform): void {
    if (platform.cluster.traffic === 'ingress') platform.install(new Traefik(this.props.ingress));
    else platform.install(new GatewayComponent(this.props.gateway));
  }
}
