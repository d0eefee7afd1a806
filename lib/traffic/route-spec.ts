/** Request timeouts at the gateway, as Gateway API durations (`10s`, `1m30s`, `500ms`; `0s` turns one off). */
export interface RouteTimeouts {
  /** The whole request, from the first byte received to the last byte of the response, a Gateway API duration. @default the implementation's (Envoy Gateway: none) */
  readonly request?: string;
  /** One attempt to reach the backend (retries each get it anew); at most `request`, a Gateway API duration. @default the implementation's */
  readonly backendRequest?: string;
}

/** A Service port a route sends requests to. */
export interface RouteBackend {
  readonly service: string;
  readonly namespace: string;
  /** Service port number. */
  readonly port: number;
  /** Service port name, where an Ingress names it. */
  readonly portName?: string;
  /** Share of the rule's requests, relative to the other backends; undefined for a lone backend. */
  readonly weight?: number;
}

/** Path prefixes of a host and where their requests go. */
export interface RouteRule {
  readonly paths: readonly string[];
  /** Read when the route is written, so canaries declared later join in. */
  readonly backends: () => readonly RouteBackend[];
}

/** What a web service asks of the cluster's traffic layer: a host, its rules, HTTPS or not. */
export interface RouteSpec {
  /** Name of the route objects (the workload's). */
  readonly name: string;
  readonly namespace: string;
  /** Fully qualified host name. */
  readonly host: string;
  /** Serve HTTPS with a certificate from the cluster's issuer. */
  readonly tls: boolean;
  readonly protocol: 'http' | 'grpc';
  readonly rules: readonly RouteRule[];
  readonly timeouts?: RouteTimeouts;
}
