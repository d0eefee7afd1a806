import type { Cluster } from '../fleet/cluster.js';
import { show } from '../fleet/errors.js';
import { dnsLabelError } from '../fleet/names.js';
import type { ResourceTarget } from './metric.js';
import { quantityError, wholeNumberError } from './quantity.js';
import { SecretKey } from './secret-key.js';
import { fromOptions } from '../fleet/props.js';

/** Options every trigger takes. */
export interface TriggerOptions {
  /**
   * Name of the trigger, unique within its autoscaler; its TriggerAuthentication is named
   * `<workload>-<name>`.
   * @default the trigger kind, e.g. `rabbitmq`
   */
  readonly name?: string;
}

/** Scale to `replicas` during a recurring time window. */
export interface CronTriggerProps extends TriggerOptions {
  /** IANA time zone of `start` and `end`, e.g. `Europe/Paris`. */
  readonly timezone: string;
  /** Five-field cron expression for the start of the window, e.g. `0 8 * * 1-5`. */
  readonly start: string;
  /** Five-field cron expression for the end of the window, e.g. `0 20 * * 1-5`. */
  readonly end: string;
  /** Replicas during the window. */
  readonly replicas: number;
}

/** Credentials of a Prometheus server, from Secrets. */
export type PrometheusAuth =
  | {
      /** Bearer token sent as `Authorization: Bearer <token>` (KEDA `authModes: bearer`, parameter `bearerToken`). See https://keda.sh/docs/latest/scalers/prometheus/#authentication-parameters */
      readonly bearerToken: SecretKey;
    }
  | {
      /** Basic-auth user name (KEDA `authModes: basic`, parameter `username`). See https://keda.sh/docs/latest/scalers/prometheus/#authentication-parameters */
      readonly username: SecretKey;
      /** Basic-auth password (KEDA parameter `password`). */
      readonly password: SecretKey;
    };

/** Scale on the value of a PromQL query. */
export interface PrometheusTriggerProps extends TriggerOptions {
  /** Server URL, e.g. `http://prometheus.monitoring:9090` (never with credentials in it: use `auth`). */
  readonly serverAddress: string;
  /** PromQL query returning one value, e.g. `sum(rate(http_requests_total{app="shop"}[2m]))`. */
  readonly query: string;
  /** Target value of the query per replica. */
  readonly threshold: number;
  /** Below this value the workload stays at zero (when `min` is 0). @default 0 */
  readonly activationThreshold?: number;
  /** Bearer token or basic-auth credentials. @default none */
  readonly auth?: PrometheusAuth;
}

/** Scale on the messages of a RabbitMQ queue. */
export interface RabbitMqTriggerProps extends TriggerOptions {
  /** Queue name. */
  readonly queue: string;
  /** Target ready messages per replica (mode QueueLength). Give `length` or `messageRate`. @default none */
  readonly length?: number;
  /** Target publish rate (messages/s) per replica (mode MessageRate; needs the management API, protocol http). @default none */
  readonly messageRate?: number;
  /** Below this value the workload stays at zero (when `min` is 0). @default 0 */
  readonly activationValue?: number;
  /** Virtual host. @default the one in the host URL */
  readonly vhost?: string;
  /** How KEDA talks to RabbitMQ. @default 'auto' (from the scheme of the host URL) */
  readonly protocol?: 'auto' | 'amqp' | 'http';
  /** The connection URL (`amqp://user:password@host:5672/vhost` or the management API URL), from a Secret. */
  readonly auth: {
    /** Secret key holding the URL, passed as the KEDA authentication parameter `host`. See https://keda.sh/docs/latest/scalers/rabbitmq-queue/#authentication-parameters */
    readonly host: SecretKey;
  };
}

/** SASL credentials and TLS material of a Kafka cluster, from Secrets. */
export interface KafkaAuth {
  /** SASL authentication. @default none */
  readonly sasl?: {
    /** SASL mechanism, KEDA's `sasl` metadata: `plaintext` (SASL/PLAIN), `scram_sha256` or `scram_sha512`. See https://keda.sh/docs/latest/scalers/apache-kafka/ */
    readonly mechanism: 'plaintext' | 'scram_sha256' | 'scram_sha512';
    /** SASL user name (KEDA authentication parameter `username`). */
    readonly username: SecretKey;
    /** SASL password (KEDA authentication parameter `password`). */
    readonly password: SecretKey;
  };
  /** TLS to the brokers, with an optional CA and client certificate. @default plaintext connections */
  readonly tls?: {
    /** PEM CA certificate that signs the brokers' certificates (KEDA parameter `ca`). @default the system trust store */
    readonly ca?: SecretKey;
    /** PEM client certificate for mutual TLS (KEDA parameter `cert`); give it with `key`. @default no client certificate */
    readonly cert?: SecretKey;
    /** PEM private key of `cert` (KEDA parameter `key`); give it with `cert`. @default no client certificate */
    readonly key?: SecretKey;
  };
}

/** Scale on the lag of a Kafka consumer group. */
export interface KafkaTriggerProps extends TriggerOptions {
  /** Brokers as `host:port`. */
  readonly bootstrapServers: readonly string[];
  /** Consumer group whose lag counts. */
  readonly consumerGroup: string;
  /** Topic. @default every topic the consumer group reads */
  readonly topic?: string;
  /** Target lag per replica. (Replicas never exceed the partition count.) */
  readonly lagThreshold: number;
  /** Below this lag the workload stays at zero (when `min` is 0). @default 0 */
  readonly activationLagThreshold?: number;
  /** Where a group without committed offsets starts. @default 'latest' */
  readonly offsetResetPolicy?: 'latest' | 'earliest';
  /** SASL and TLS. @default none */
  readonly auth?: KafkaAuth;
}

/**
 * How KEDA authenticates to AWS: pod identity (IRSA or EKS Pod Identity), either the workload's
 * own role, KEDA's, or a role to assume; or access keys from Secrets.
 */
export type AwsAuth =
  | {
      /** KEDA `podIdentity` with provider `aws` (IRSA or EKS Pod Identity); only on AWS clusters. See https://keda.sh/docs/latest/authentication-providers/aws/ */
      readonly podIdentity: {
        /** IAM role ARN for KEDA to assume, `arn:aws:iam::<account>:role/<name>`; not with `identityOwner`. @default none: the `identityOwner`'s role */
        readonly roleArn?: string;
        /** Whose role KEDA uses: its own (`keda`) or the scaled workload's ServiceAccount's (`workload`). @default 'keda' (when `auth` is omitted: 'workload') */
        readonly identityOwner?: 'keda' | 'workload';
      };
    }
  | {
      /** AWS access key ID (KEDA parameter `awsAccessKeyID`). */
      readonly accessKeyId: SecretKey;
      /** AWS secret access key (KEDA parameter `awsSecretAccessKey`). */
      readonly secretAccessKey: SecretKey;
    };

/** Scale on the messages of an AWS SQS queue. */
export interface SqsTriggerProps extends TriggerOptions {
  /** Queue URL, e.g. `https://sqs.eu-west-1.amazonaws.com/123456789012/orders`. */
  readonly queueUrl: string;
  /** Target visible plus in-flight messages per replica. */
  readonly queueLength: number;
  /** Below this length the workload stays at zero (when `min` is 0). @default 0 */
  readonly activationQueueLength?: number;
  /** AWS region of the queue. @default the region in `queueUrl` */
  readonly region?: string;
  /** @default pod identity with the workload's own role (`identityOwner: 'workload'`): the least privilege */
  readonly auth?: AwsAuth;
}

/** Scale on cpu or memory through KEDA (needs metrics-server; cannot scale to zero alone). */
export interface ResourceTriggerProps extends TriggerOptions, ResourceTarget {
  /** Only this container's use counts. @default the whole pod */
  readonly container?: string;
}

/** KEDA pod identity of a TriggerAuthentication. */
export interface PodIdentity {
  /** KEDA pod identity provider; strata renders only `aws`. See https://keda.sh/docs/latest/concepts/authentication/#pod-authentication-providers */
  readonly provider: 'aws';
  /** IAM role ARN KEDA assumes. @default none: `identityOwner` decides */
  readonly roleArn?: string;
  /** Whose role KEDA uses: its own (`keda`) or the workload's (`workload`); unset when `roleArn` is. @default 'keda' */
  readonly identityOwner?: 'keda' | 'workload';
}

/** A trigger as the ScaledObject/ScaledJob lists it. */
export interface RenderedTrigger {
  /** KEDA scaler type, e.g. `rabbitmq`, `kafka`, `aws-sqs-queue`. See https://keda.sh/docs/latest/reference/scaledobject-spec/#triggers */
  readonly type: string;
  /** Trigger name, as given in `TriggerOptions.name`. @default none (unnamed) */
  readonly name?: string;
  /** Scaler metadata: the scaler's parameters as strings, unset values left out. */
  readonly metadata: Record<string, string>;
  /** `Utilization` or `AverageValue`, for cpu and memory triggers only. @default none */
  readonly metricType?: string;
  /** The TriggerAuthentication this trigger uses. @default none (no credentials) */
  readonly authenticationRef?: {
    /** Name of the TriggerAuthentication, in the workload's namespace. */
    readonly name: string;
  };
}

/** What a TriggerAuthentication holds for one trigger: Secret references and/or pod identity. */
export interface TriggerAuthenticationSpec {
  /** Secret keys, each passed to the scaler as one authentication parameter. See https://keda.sh/docs/latest/concepts/authentication/#secrets @default none */
  readonly secretTargetRef?: {
    /** The scaler's authentication parameter, e.g. `host`, `password`, `awsAccessKeyID`. */
    parameter: string;
    /** Name of the Secret, in the workload's namespace. */
    name: string;
    /** Key inside the Secret. */
    key: string;
  }[];
  /** Pod identity KEDA authenticates with. @default none */
  readonly podIdentity?: PodIdentity;
}


interface TriggerParts {
  readonly type: string;
  readonly kind: string;
  readonly name?: string;
  readonly resource?: 'cpu' | 'memory';
  readonly metricType?: 'Utilization' | 'AverageValue';
  /** Utilization percentage, checked against the target's requests. */
  readonly utilization?: number;
  readonly metadata: () => Record<string, string | undefined>;
  /** Secret references by KEDA authentication parameter (checked: never a literal). */
  readonly secrets?: readonly SecretParameter[];
  readonly podIdentity?: PodIdentity;
  readonly problems: (what: string, cluster: Cluster) => string[];
}

/** A KEDA authentication parameter, the prop it comes from (for messages) and its Secret reference. */
interface SecretParameter {
  readonly parameter: string;
  readonly prop: string;
  readonly ref: unknown;
}

const CRON_FIELD = /^[0-9A-Za-z*?,/-]+$/;
const HOST_PORT = /^[A-Za-z0-9.-]+:\d{1,5}$/;
const SQS_URL = /^https:\/\/sqs\.([a-z0-9-]+)\.amazonaws\.com(?:\.cn)?\/\d{12}\/[A-Za-z0-9_-]{1,80}(?:\.fifo)?$/;
const ROLE_ARN = /^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]+$/;

/**
 * What makes a KEDA autoscaler act: a queue, a query, a schedule. Credentials are only ever
 * `SecretKey` references, rendered into a TriggerAuthentication, or AWS pod identity.
 */
export class Trigger {
  /** Scale to `replicas` during a recurring window, e.g. office hours. */
  static cron(props: CronTriggerProps): Trigger {
    return fromOptions('CronTriggerProps', props, 'Trigger.cron(...)', (props) => new Trigger({
      type: 'cron',
      kind: 'cron',
      name: props.name,
      metadata: () => ({ timezone: props.timezone, start: props.start, end: props.end, desiredReplicas: String(props.replicas) }),
      problems: (what) => [
        ...timezoneProblems(`${what}.timezone`, props.timezone),
        ...cronProblems(`${what}.start`, props.start),
        ...cronProblems(`${what}.end`, props.end),
        ...optional(wholeNumberError(`${what}.replicas`, props.replicas, 1)),
      ],
    }), "{ timezone: 'Europe/Berlin', start: '0 8 * * 1-5', end: '0 18 * * 1-5', replicas: 3 }");
  }

  /** Scale on a PromQL query: `threshold` per replica. */
  static prometheus(props: PrometheusTriggerProps): Trigger {
    return fromOptions('PrometheusTriggerProps', props, 'Trigger.prometheus(...)', (props) => {
      const auth = props.auth;
      const bearer = auth !== undefined && 'bearerToken' in auth;
      return new Trigger({
        type: 'prometheus',
        kind: 'prometheus',
        name: props.name,
        metadata: () => ({
          serverAddress: props.serverAddress,
          query: props.query,
          threshold: String(props.threshold),
          activationThreshold: optionalString(props.activationThreshold),
          authModes: auth === undefined ? undefined : bearer ? 'bearer' : 'basic',
        }),
        secrets: auth === undefined
          ? undefined
          : bearer
            ? [secret('bearerToken', 'auth.bearerToken', auth.bearerToken)]
            : [secret('username', 'auth.username', auth.username), secret('password', 'auth.password', auth.password)],
        problems: (what) => [
          ...urlProblems(`${what}.serverAddress`, props.serverAddress, ['http:', 'https:']),
          ...(typeof props.query === 'string' && props.query.trim() ? [] : [`${what}.query (${show(props.query)}) must be a PromQL query`]),
          ...positive(`${what}.threshold`, props.threshold),
          ...nonNegative(`${what}.activationThreshold`, props.activationThreshold),
        ],
      });
    }, "{ serverAddress: 'http://prometheus.monitoring:9090', query: 'sum(rate(http_requests_total[2m]))', threshold: 100 }");
  }

  /** Scale on a RabbitMQ queue: `length` ready messages (or `messageRate` per second) per replica. */
  static rabbitmq(props: RabbitMqTriggerProps): Trigger {
    return fromOptions('RabbitMqTriggerProps', props, 'Trigger.rabbitmq(...)', (props) => {
      const rate = props.messageRate !== undefined;
      return new Trigger({
        type: 'rabbitmq',
        kind: 'rabbitmq',
        name: props.name,
        metadata: () => ({
          queueName: props.queue,
          mode: rate ? 'MessageRate' : 'QueueLength',
          value: String(rate ? props.messageRate : props.length),
          activationValue: optionalString(props.activationValue),
          protocol: props.protocol ?? 'auto',
          vhostName: props.vhost,
        }),
        secrets: [secret('host', 'auth.host', props.auth?.host)],
        problems: (what) => [
          ...nameProblems(`${what}.queue`, props.queue),
          ...((props.length === undefined) === (props.messageRate === undefined) ? [`${what} needs exactly one of length (QueueLength mode) or messageRate (MessageRate mode)`] : []),
          ...(props.length !== undefined ? positive(`${what}.length`, props.length) : []),
          ...(rate ? positive(`${what}.messageRate`, props.messageRate) : []),
          ...(rate && props.protocol === 'amqp' ? [`${what}.messageRate needs protocol 'http' (the management API): AMQP cannot see publish rates`] : []),
          ...nonNegative(`${what}.activationValue`, props.activationValue),
          ...oneOf(`${what}.protocol`, props.protocol, ['auto', 'amqp', 'http']),
        ],
      });
    }, "{ queue: 'orders', length: 20, auth: { host: SecretKey.of('rabbitmq', 'url') } }");
  }

  /** Scale on the lag of a Kafka consumer group: `lagThreshold` per replica. */
  static kafka(props: KafkaTriggerProps): Trigger {
    return fromOptions('KafkaTriggerProps', props, 'Trigger.kafka(...)', (props) => {
      const { sasl, tls } = props.auth ?? {};
      return new Trigger({
        type: 'kafka',
        kind: 'kafka',
        name: props.name,
        metadata: () => ({
          bootstrapServers: (props.bootstrapServers ?? []).join(','),
          consumerGroup: props.consumerGroup,
          topic: props.topic,
          lagThreshold: String(props.lagThreshold),
          activationLagThreshold: optionalString(props.activationLagThreshold),
          offsetResetPolicy: props.offsetResetPolicy ?? 'latest',
          sasl: sasl?.mechanism,
          tls: tls ? 'enable' : undefined,
        }),
        secrets: [
          ...(sasl ? [secret('username', 'auth.sasl.username', sasl.username), secret('password', 'auth.sasl.password', sasl.password)] : []),
          ...(tls?.ca ? [secret('ca', 'auth.tls.ca', tls.ca)] : []),
          ...(tls?.cert || tls?.key ? [secret('cert', 'auth.tls.cert', tls.cert), secret('key', 'auth.tls.key', tls.key)] : []),
        ],
        problems: (what) => [
          ...(Array.isArray(props.bootstrapServers) && props.bootstrapServers.length > 0 && props.bootstrapServers.every((s) => HOST_PORT.test(s))
            ? []
            : [`${what}.bootstrapServers (${show(props.bootstrapServers)}) must list brokers as "host:port"`]),
          ...nameProblems(`${what}.consumerGroup`, props.consumerGroup),
          ...(props.topic !== undefined ? nameProblems(`${what}.topic`, props.topic) : []),
          ...optional(wholeNumberError(`${what}.lagThreshold`, props.lagThreshold, 1)),
          ...(props.activationLagThreshold !== undefined ? optional(wholeNumberError(`${what}.activationLagThreshold`, props.activationLagThreshold, 0)) : []),
          ...oneOf(`${what}.offsetResetPolicy`, props.offsetResetPolicy, ['latest', 'earliest']),
          ...(sasl ? oneOf(`${what}.auth.sasl.mechanism`, sasl.mechanism, ['plaintext', 'scram_sha256', 'scram_sha512']) : []),
        ],
      });
    }, "{ bootstrapServers: ['kafka:9092'], consumerGroup: 'orders', lagThreshold: 50 }");
  }

  /** Scale on an AWS SQS queue: `queueLength` messages per replica. */
  static sqs(props: SqsTriggerProps): Trigger {
    return fromOptions('SqsTriggerProps', props, 'Trigger.sqs(...)', (props) => {
      const auth: AwsAuth = props.auth ?? { podIdentity: { identityOwner: 'workload' } };
      const identity = 'podIdentity' in auth ? auth.podIdentity : undefined;
      const keys = 'podIdentity' in auth ? undefined : auth;
      const region = props.region ?? SQS_URL.exec(props.queueUrl ?? '')?.[1];
      return new Trigger({
        type: 'aws-sqs-queue',
        kind: 'sqs',
        name: props.name,
        metadata: () => ({
          queueURL: props.queueUrl,
          queueLength: String(props.queueLength),
          activationQueueLength: optionalString(props.activationQueueLength),
          awsRegion: region,
        }),
        secrets: keys && [secret('awsAccessKeyID', 'auth.accessKeyId', keys.accessKeyId), secret('awsSecretAccessKey', 'auth.secretAccessKey', keys.secretAccessKey)],
        podIdentity: identity ? { provider: 'aws', roleArn: identity.roleArn, identityOwner: identity.roleArn ? undefined : (identity.identityOwner ?? 'keda') } : undefined,
        problems: (what, cluster) => [
          ...urlProblems(`${what}.queueUrl`, props.queueUrl, ['https:']),
          ...(region ? [] : [`${what}.region is required: it cannot be read from queueUrl ${show(props.queueUrl)}`]),
          ...optional(wholeNumberError(`${what}.queueLength`, props.queueLength, 1)),
          ...(props.activationQueueLength !== undefined ? optional(wholeNumberError(`${what}.activationQueueLength`, props.activationQueueLength, 0)) : []),
          ...(identity?.roleArn !== undefined && !ROLE_ARN.test(identity.roleArn) ? [`${what}.auth.podIdentity.roleArn (${show(identity.roleArn)}) is not an IAM role ARN (arn:aws:iam::<account>:role/<name>)`] : []),
          ...(identity?.roleArn !== undefined && identity.identityOwner !== undefined ? [`${what}.auth.podIdentity: give roleArn or identityOwner, not both`] : []),
          ...(identity && cluster.provider.name !== 'aws'
            ? [`${what}.auth uses AWS pod identity, which only exists on AWS clusters (cluster ${show(cluster.name)} runs on ${cluster.provider.name}): use accessKeyId and secretAccessKey Secret references`]
            : []),
        ],
      });
    }, "{ queueUrl: 'https://sqs.eu-west-1.amazonaws.com/123456789012/orders', queueLength: 5 }");
  }

  /** Scale on cpu through KEDA (e.g. next to a cron trigger). Needs metrics-server. */
  static cpu(props: ResourceTriggerProps): Trigger {
    return fromOptions('ResourceTriggerProps', props, 'Trigger.cpu(...)', (props) => Trigger.resource('cpu', props), '{ utilization: 70 }');
  }

  /** Scale on memory through KEDA. Needs metrics-server. */
  static memory(props: ResourceTriggerProps): Trigger {
    return fromOptions('ResourceTriggerProps', props, 'Trigger.memory(...)', (props) => Trigger.resource('memory', props), '{ utilization: 80 }');
  }

  private static resource(resource: 'cpu' | 'memory', props: ResourceTriggerProps): Trigger {
    const utilization = props.utilization !== undefined;
    return new Trigger({
      type: resource,
      kind: resource,
      name: props.name,
      resource,
      metricType: utilization ? 'Utilization' : 'AverageValue',
      utilization: props.utilization,
      metadata: () => ({ value: String(utilization ? props.utilization : props.averageValue), containerName: props.container }),
      problems: (what) => {
        if (utilization === (props.averageValue !== undefined)) return [`${what} needs exactly one of utilization (a percentage of requests) or averageValue (a quantity per pod)`];
        return utilization ? optional(wholeNumberError(`${what}.utilization`, props.utilization, 1)) : optional(quantityError(`${what}.averageValue`, props.averageValue));
      },
    });
  }

  private constructor(private readonly parts: TriggerParts) {}

  /** The KEDA scaler type, e.g. `rabbitmq`, `aws-sqs-queue`. */
  get type(): string {
    return this.parts.type;
  }

  /** The trigger's name within its autoscaler: the given name, else its kind. */
  get id(): string {
    return this.parts.name ?? this.parts.kind;
  }

  /** `cpu` or `memory` for resource triggers (which need metrics-server and requests). */
  get resource(): 'cpu' | 'memory' | undefined {
    return this.parts.resource;
  }

  /** The utilization percentage a resource trigger targets, if any. */
  get utilization(): number | undefined {
    return this.parts.utilization;
  }

  /** Whether the trigger needs a TriggerAuthentication. */
  get authenticated(): boolean {
    return this.parts.podIdentity !== undefined || (this.parts.secrets ?? []).length > 0;
  }

  /** The trigger entry of a ScaledObject or ScaledJob. */
  render(authenticationName?: string): RenderedTrigger {
    const metadata = Object.fromEntries(Object.entries(this.parts.metadata()).filter((e): e is [string, string] => e[1] !== undefined));
    return {
      type: this.parts.type,
      name: this.parts.name,
      metadata,
      metricType: this.parts.metricType,
      authenticationRef: authenticationName ? { name: authenticationName } : undefined,
    };
  }

  /** What the trigger's TriggerAuthentication holds. */
  authentication(): TriggerAuthenticationSpec {
    const secrets = (this.parts.secrets ?? []).flatMap((s) => (s.ref instanceof SecretKey ? [{ parameter: s.parameter, name: s.ref.secret, key: s.ref.key }] : []));
    return {
      secretTargetRef: secrets.length > 0 ? secrets : undefined,
      podIdentity: this.parts.podIdentity,
    };
  }

  /** Problems of the trigger's props, named after `what` (e.g. `autoscaling.triggers[0]`). */
  problems(what: string, cluster: Cluster): string[] {
    const named = `${what} (${this.parts.kind})`;
    const secrets = (this.parts.secrets ?? []).flatMap((s) => SecretKey.problems(`${named}.${s.prop}`, s.ref));
    const name = this.parts.name === undefined ? undefined : dnsLabelError(`${named}.name`, this.parts.name);
    return [...optional(name), ...this.parts.problems(named, cluster), ...secrets];
  }
}

function secret(parameter: string, prop: string, ref: unknown): SecretParameter {
  return { parameter, prop, ref };
}

function optional(problem: string | undefined): string[] {
  return problem ? [problem] : [];
}

function optionalString(value: number | undefined): string | undefined {
  return value === undefined ? undefined : String(value);
}

function positive(what: string, value: unknown): string[] {
  return typeof value === 'number' && Number.isFinite(value) && value > 0 ? [] : [`${what} (${show(value)}) must be a number greater than 0`];
}

function nonNegative(what: string, value: unknown): string[] {
  return value === undefined || (typeof value === 'number' && Number.isFinite(value) && value >= 0) ? [] : [`${what} (${show(value)}) must be a number ≥ 0`];
}

function oneOf(what: string, value: unknown, valid: readonly string[]): string[] {
  return value === undefined || valid.includes(value as string) ? [] : [`${what} (${show(value)}) is not one of: ${valid.join(', ')}`];
}

function nameProblems(what: string, value: unknown): string[] {
  return typeof value === 'string' && value.trim().length > 0 ? [] : [`${what} (${show(value)}) must not be empty`];
}

function urlProblems(what: string, value: unknown, protocols: readonly string[]): string[] {
  let url: URL;
  try {
    url = new URL(String(value));
  } catch {
    return [`${what} (${show(value)}) is not a URL`];
  }
  if (!protocols.includes(url.protocol)) return [`${what} (${show(value)}) must be an ${protocols.map((p) => p.slice(0, -1)).join(' or ')} URL`];
  // Credentials in the URL are the rule plaintext-credential's, on the rendered trigger metadata.
  return [];
}

function cronProblems(what: string, value: unknown): string[] {
  const fields = typeof value === 'string' ? value.trim().split(/\s+/) : [];
  if (fields.length === 5 && fields.every((f) => CRON_FIELD.test(f))) return [];
  return [`${what} (${show(value)}) is not a five-field cron expression (minute hour day-of-month month day-of-week, e.g. "0 8 * * 1-5")`];
}

function timezoneProblems(what: string, value: unknown): string[] {
  try {
    if (typeof value !== 'string' || value.length === 0) throw new RangeError();
    new Intl.DateTimeFormat('en', { timeZone: value });
    return [];
  } catch {
    return [`${what} (${show(value)}) is not an IANA time zone (e.g. "Europe/Paris", "UTC")`];
  }
}
