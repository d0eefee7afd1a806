// Where KEDA scalers read from, as far as rendered objects tell: the source's address sits in a
// Secret or a URL, so only its default port is known. The scaled workload consumes from the same
// source (a queue worker reads the queue it is scaled on), so its pods need egress on that port.
import type { ResolvedObject } from '../../synth/model.js';
import { arr, rec, str } from '../objects.js';
import type { Port } from './endpoints.js';

/**
 * Default ports of the sources of KEDA scalers (https://keda.sh/docs/latest/scalers/), by trigger
 * type; a trigger naming its port in metadata (`port`) uses that one.
 */
export const SCALER_SOURCE_PORTS: Readonly<Record<string, readonly number[]>> = {
  rabbitmq: [5672],
  kafka: [9092],
  'apache-kafka': [9092],
  redis: [6379],
  'redis-streams': [6379],
  'redis-cluster': [6379],
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
 * The sources of a ScaledObject's or ScaledJob's triggers whose port is known. A RabbitMQ trigger
 * in `http` mode reads the management API (15672), which the workload does not use: its AMQP
 * port is what the consumer needs.
 */
export function triggerSources(scaler: ResolvedObject): TriggerSource[] {
  return arr(rec(scaler.manifest.spec).triggers).map(rec).flatMap((trigger) => {
    const type = str(trigger.type) ?? '';
    const metadata = rec(trigger.metadata);
    const declared = Number(str(metadata.port) ?? NaN);
    const ports = Number.isInteger(declared) && declared > 0 ? [declared] : SCALER_SOURCE_PORTS[type] ?? [];
    return ports.slice(0, 1).map((port) => ({ type, name: str(trigger.name) ?? type, port: { protocol: 'TCP' as const, port } }));
  });
}
