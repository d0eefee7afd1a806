// Where KEDA scalers read from, as far as rendered objects tell: the port a trigger's metadata
// names (its `port`, the brokers of `bootstrapServers`, a Redis `address`, an `amqp://` host), else
// the source's default port (its address sits in a Secret). The scaled workload consumes from the
// same source (a queue worker reads the queue it is scaled on), so its pods need egress on it.
import type { ResolvedObject } from '../../synth/model.js';
import { arr, rec, str } from '../objects.js';
import type { Port } from './endpoints.js';

/**
 * Default ports of the sources of KEDA scalers (https://keda.sh/docs/latest/scalers/), by trigger
 * type; a trigger whose metadata names its ports uses those (`metadataPorts`).
 */
export const SCALER_SOURCE_PORTS: Readonly<Record<string, readonly number[]>> = {
  rabbitmq: [5672],
  kafka: [9092],
  'apache-kafka': [9092],
  redis: [6379],
  'redis-streams': [6379],
  'redis-cluster': [6379],
  'redis-cluster-streams': [6379],
  postgresql: [5432],
  mysql: [3306],
  mongodb: [27017],
  nats: [4222],
  'nats-jetstream': [8222],
  'aws-sqs-queue': [443],
  'azure-servicebus': [5671, 443],
  'gcp-pubsub': [443],
};

/** One source a trigger reads from: its type and the port the scaled pods must reach. */
export interface TriggerSource {
  readonly type: string;
  readonly name: string;
  readonly port: Port;
}

/**
 * Metadata fields holding a trigger's source addresses, comma-separated, by trigger type
 * (https://keda.sh/docs/latest/scalers/): `host:port`, `[v6]:port`, a bare host (the default
 * port) or a URL. A RabbitMQ `host` URL is read only for AMQP: in `http` mode it is the management
 * API, which the consumer does not use.
 */
const ADDRESS_FIELDS: Readonly<Record<string, readonly string[]>> = {
  kafka: ['bootstrapServers'],
  'apache-kafka': ['bootstrapServers'],
  redis: ['address'],
  'redis-streams': ['address'],
  'redis-cluster': ['addresses'],
  'redis-cluster-streams': ['addresses'],
  rabbitmq: ['host'],
};

/** URL schemes of the sources' own protocols, with their default ports; a URL of another scheme tells nothing. */
const SCHEME_PORTS: Readonly<Record<string, number>> = { amqp: 5672, amqps: 5671, redis: 6379, rediss: 6379 };

/** The port of one address, `fallback` when it names none; undefined for a URL of another protocol or no valid port. */
function addressPort(address: string, fallback: number | undefined): number | undefined {
  let authority = address.trim();
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(authority);
  if (scheme) {
    const own = SCHEME_PORTS[scheme[1].toLowerCase()];
    if (own === undefined) return undefined;
    fallback = own;
    authority = authority.slice(scheme[0].length).split(/[/?#]/)[0];
    authority = authority.slice(authority.lastIndexOf('@') + 1);
  }
  // `[2001:db8::1]:9092`, `host:9092`, or a host alone (an IPv6 address alone has colons, no port).
  const m = /^(?:\[[^\]]*\]|[^:]*):(\d+)$/.exec(authority);
  if (!m) return authority === '' ? undefined : fallback;
  const port = Number(m[1]);
  return port >= 1 && port <= 65535 ? port : undefined;
}

/** Whole port numbers of a comma-separated list (`ports: "6379,6380"`), or none if any is not one. */
function portList(text: string | undefined): number[] {
  if (text === undefined) return [];
  const ports = text.split(',').map((p) => (/^\s*\d+\s*$/.test(p) ? Number(p) : NaN));
  return ports.every((p) => p >= 1 && p <= 65535) ? ports : [];
}

/** The ports a trigger's metadata names for its source, distinct, in order; empty when it names none. */
export function metadataPorts(type: string, metadata: Record<string, unknown>): number[] {
  const own = portList(str(metadata.port));
  if (own.length === 1) return own;
  const listed = portList(str(metadata.ports));
  if (listed.length > 0) return [...new Set(listed)];
  const fallback = (SCALER_SOURCE_PORTS[type] ?? [])[0];
  const ports = (ADDRESS_FIELDS[type] ?? []).flatMap((field) => (str(metadata[field]) ?? '').split(',').filter((a) => a.trim() !== '').map((a) => addressPort(a, fallback)));
  return [...new Set(ports.filter((p): p is number => p !== undefined))];
}

/**
 * The sources of a ScaledObject's or ScaledJob's triggers whose port is known: each port the
 * trigger's metadata names (every broker of a Kafka cluster is reached), else the source's first
 * default port. A RabbitMQ trigger in `http` mode reads the management API (15672), which the
 * workload does not use: its AMQP port is what the consumer needs.
 */
export function triggerSources(scaler: ResolvedObject): TriggerSource[] {
  return arr(rec(scaler.manifest.spec).triggers).map(rec).flatMap((trigger) => {
    const type = str(trigger.type) ?? '';
    const named = metadataPorts(type, rec(trigger.metadata));
    const ports = named.length > 0 ? named : (SCALER_SOURCE_PORTS[type] ?? []).slice(0, 1);
    return ports.map((port) => ({ type, name: str(trigger.name) ?? type, port: { protocol: 'TCP' as const, port } }));
  });
}
