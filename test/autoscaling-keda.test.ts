import { k8s } from 'cdk8s-plus-27';
import { Autoscaling, Duration, Egress, ScaledJob, SecretKey, Trigger, perStage, type EventAutoscalingOptions, type ScaledJobProps } from '../lib/index.js';
import { errorsOf, filesOf, objectOf, objectsOf, testFleet } from './support/autoscaling-fleets.js';
import { FakeWorkload, type FakeContainer } from './support/scale-target.js';

const rabbit = (props: Partial<Parameters<typeof Trigger.rabbitmq>[0]> = {}) =>
  Trigger.rabbitmq({ queue: 'orders', length: 20, auth: { host: SecretKey.of('rabbitmq', 'url') }, ...props });
const SQS_URL = 'https://sqs.eu-west-1.amazonaws.com/123456789012/orders';

/** A fleet with one `orders` worker scaled by `Autoscaling.events(options)`. */
function eventFleet(options: EventAutoscalingOptions, more: { capabilities?: string[]; clusters?: ('dev-eu' | 'prod-eu' | 'prod-us')[]; containers?: FakeContainer[] } = {}) {
  return testFleet({
    capabilities: more.capabilities,
    clusters: more.clusters,
    apps: (apps) => new FakeWorkload(apps, 'orders', { autoscaling: Autoscaling.events(options), containers: more.containers }),
  });
}

const errors = (options: EventAutoscalingOptions, more: Parameters<typeof eventFleet>[1] = {}) => errorsOf(eventFleet(options, more));
const at = (message: string) => `dev-eu/apps/shop/orders: ${message}`;

describe('ScaledObject', () => {
  test('a RabbitMQ queue scales the worker from zero, credentials from a Secret (snapshot)', () => {
    const fleet = eventFleet({ min: 0, max: 50, triggers: [rabbit()] });
    expect({ ...filesOf(fleet, 'apps', 'shop/scaledobject-'), ...filesOf(fleet, 'apps', 'shop/triggerauthentication-') }).toMatchSnapshot();
  });

  test('targets the workload with its bounds, KEDA defaults spelled out and the HPA behaviour', () => {
    const so = objectOf(eventFleet({ min: 0, max: 50, triggers: [rabbit()] }), 'ScaledObject');
    expect(so.metadata).toMatchObject({ name: 'orders', namespace: 'shop' });
    expect(so.spec).toMatchObject({
      scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'orders' },
      minReplicaCount: 0,
      maxReplicaCount: 50,
      pollingInterval: 30,
      cooldownPeriod: 300,
    });
    expect(so.spec.advanced.horizontalPodAutoscalerConfig.behavior.scaleDown.stabilizationWindowSeconds).toBe(300);
    expect(so.spec.triggers).toEqual([
      { type: 'rabbitmq', metadata: { queueName: 'orders', mode: 'QueueLength', value: '20', protocol: 'auto' }, authenticationRef: { name: 'orders-rabbitmq' } },
    ]);
  });

  test('polling, cooldown, idle replicas and fallback', () => {
    const so = objectOf(
      eventFleet({
        min: 2,
        max: 10,
        idleReplicaCount: 0,
        pollingInterval: Duration.seconds(10),
        cooldownPeriod: Duration.minutes(2),
        initialCooldownPeriod: Duration.minutes(1),
        fallback: { failureThreshold: 3, replicas: 4 },
        triggers: [rabbit()],
      }),
      'ScaledObject',
    );
    expect(so.spec).toMatchObject({ minReplicaCount: 2, idleReplicaCount: 0, pollingInterval: 10, cooldownPeriod: 120, initialCooldownPeriod: 60, fallback: { failureThreshold: 3, replicas: 4 } });
  });

  test('bounds may differ per stage', () => {
    const fleet = eventFleet({ min: perStage({ development: 0, production: 2 }), max: 10, triggers: [rabbit()] }, { clusters: ['dev-eu', 'prod-eu'] });
    expect(objectOf(fleet, 'ScaledObject', 'dev-eu').spec.minReplicaCount).toBe(0);
    expect(objectOf(fleet, 'ScaledObject', 'prod-eu').spec.minReplicaCount).toBe(2);
  });
});

describe('triggers', () => {
  const triggerOf = (trigger: Trigger) => objectOf(eventFleet({ min: 1, max: 5, triggers: [trigger] }), 'ScaledObject').spec.triggers[0];
  const authOf = (trigger: Trigger) => objectOf(eventFleet({ min: 1, max: 5, triggers: [trigger] }), 'TriggerAuthentication');

  test('cron: a replica count during a recurring window', () => {
    expect(triggerOf(Trigger.cron({ timezone: 'Europe/Paris', start: '0 8 * * 1-5', end: '0 20 * * 1-5', replicas: 5 }))).toEqual({
      type: 'cron',
      metadata: { timezone: 'Europe/Paris', start: '0 8 * * 1-5', end: '0 20 * * 1-5', desiredReplicas: '5' },
    });
  });

  test('prometheus: a query with a threshold, a bearer token from a Secret', () => {
    const trigger = Trigger.prometheus({
      serverAddress: 'http://prometheus.monitoring:9090',
      query: 'sum(rate(http_requests_total{app="orders"}[2m]))',
      threshold: 100,
      activationThreshold: 5,
      auth: { bearerToken: SecretKey.of('prometheus', 'token') },
    });
    expect(triggerOf(trigger)).toEqual({
      type: 'prometheus',
      metadata: { serverAddress: 'http://prometheus.monitoring:9090', query: 'sum(rate(http_requests_total{app="orders"}[2m]))', threshold: '100', activationThreshold: '5', authModes: 'bearer' },
      authenticationRef: { name: 'orders-prometheus' },
    });
    expect(authOf(trigger).spec).toEqual({ secretTargetRef: [{ parameter: 'bearerToken', name: 'prometheus', key: 'token' }] });
  });

  test('prometheus with basic auth', () => {
    const trigger = Trigger.prometheus({ serverAddress: 'https://prom.acme.dev', query: 'up', threshold: 1, auth: { username: SecretKey.of('prom', 'user'), password: SecretKey.of('prom', 'pass') } });
    expect(triggerOf(trigger).metadata.authModes).toBe('basic');
    expect(authOf(trigger).spec.secretTargetRef).toEqual([
      { parameter: 'username', name: 'prom', key: 'user' },
      { parameter: 'password', name: 'prom', key: 'pass' },
    ]);
  });

  test('rabbitmq: message rate mode over the management API, in a vhost', () => {
    expect(triggerOf(Trigger.rabbitmq({ queue: 'orders', messageRate: 50, protocol: 'http', vhost: 'shop', activationValue: 1, auth: { host: SecretKey.of('rabbitmq', 'management-url') } })).metadata).toEqual({
      queueName: 'orders',
      mode: 'MessageRate',
      value: '50',
      activationValue: '1',
      protocol: 'http',
      vhostName: 'shop',
    });
  });

  test('kafka: consumer-group lag, SASL and TLS material from Secrets', () => {
    const trigger = Trigger.kafka({
      bootstrapServers: ['kafka-0.kafka:9092', 'kafka-1.kafka:9092'],
      consumerGroup: 'orders',
      topic: 'orders',
      lagThreshold: 50,
      auth: {
        sasl: { mechanism: 'scram_sha512', username: SecretKey.of('kafka', 'username'), password: SecretKey.of('kafka', 'password') },
        tls: { ca: SecretKey.of('kafka-tls', 'ca.crt') },
      },
    });
    expect(triggerOf(trigger)).toEqual({
      type: 'kafka',
      metadata: { bootstrapServers: 'kafka-0.kafka:9092,kafka-1.kafka:9092', consumerGroup: 'orders', topic: 'orders', lagThreshold: '50', offsetResetPolicy: 'latest', sasl: 'scram_sha512', tls: 'enable' },
      authenticationRef: { name: 'orders-kafka' },
    });
    expect(authOf(trigger).spec.secretTargetRef).toEqual([
      { parameter: 'username', name: 'kafka', key: 'username' },
      { parameter: 'password', name: 'kafka', key: 'password' },
      { parameter: 'ca', name: 'kafka-tls', key: 'ca.crt' },
    ]);
  });

  test('kafka without credentials needs no TriggerAuthentication', () => {
    const fleet = eventFleet({ min: 1, max: 5, triggers: [Trigger.kafka({ bootstrapServers: ['kafka:9092'], consumerGroup: 'orders', lagThreshold: 10 })] });
    expect(objectsOf(fleet, 'TriggerAuthentication')).toEqual([]);
    expect(objectOf(fleet, 'ScaledObject').spec.triggers[0].authenticationRef).toBeUndefined();
  });

  test("sqs: region from the queue URL, authenticated with the workload's own pod identity by default", () => {
    const trigger = Trigger.sqs({ queueUrl: SQS_URL, queueLength: 5 });
    expect(triggerOf(trigger).metadata).toEqual({ queueURL: SQS_URL, queueLength: '5', awsRegion: 'eu-west-1' });
    expect(authOf(trigger).spec).toEqual({ podIdentity: { provider: 'aws', identityOwner: 'workload' } });
  });

  test('sqs: a role to assume, or access keys from a Secret', () => {
    const role = 'arn:aws:iam::123456789012:role/orders-keda';
    expect(authOf(Trigger.sqs({ queueUrl: SQS_URL, queueLength: 5, auth: { podIdentity: { roleArn: role } } })).spec).toEqual({ podIdentity: { provider: 'aws', roleArn: role } });
    expect(authOf(Trigger.sqs({ queueUrl: SQS_URL, queueLength: 5, auth: { accessKeyId: SecretKey.of('aws', 'id'), secretAccessKey: SecretKey.of('aws', 'secret') } })).spec).toEqual({
      secretTargetRef: [
        { parameter: 'awsAccessKeyID', name: 'aws', key: 'id' },
        { parameter: 'awsSecretAccessKey', name: 'aws', key: 'secret' },
      ],
    });
  });

  test('cpu and memory triggers set the metric type', () => {
    expect(triggerOf(Trigger.cpu({ utilization: 60 }))).toEqual({ type: 'cpu', metricType: 'Utilization', metadata: { value: '60' } });
    expect(triggerOf(Trigger.memory({ averageValue: '512Mi', container: 'app' }))).toEqual({ type: 'memory', metricType: 'AverageValue', metadata: { value: '512Mi', containerName: 'app' } });
  });

  test('named triggers: the name is rendered and names the TriggerAuthentication', () => {
    const fleet = eventFleet({ min: 1, max: 5, triggers: [rabbit({ name: 'orders-queue' }), rabbit({ name: 'retries', queue: 'orders-retry' })] });
    expect(objectOf(fleet, 'ScaledObject').spec.triggers.map((t: { name: string; authenticationRef: { name: string } }) => [t.name, t.authenticationRef.name])).toEqual([
      ['orders-queue', 'orders-orders-queue'],
      ['retries', 'orders-retries'],
    ]);
    expect(objectsOf(fleet, 'TriggerAuthentication').map((t) => t.metadata.name)).toEqual(['orders-orders-queue', 'orders-retries']);
  });
});

describe('secrets never reach Git', () => {
  test('a literal where a Secret reference belongs is an error', () => {
    const literal = 'amqp://orders:s3cret@rabbitmq:5672/' as unknown as SecretKey;
    expect(errors({ min: 0, max: 5, triggers: [rabbit({ auth: { host: literal } })] })).toEqual([
      at("autoscaling.triggers[0] (rabbitmq).auth.host must be SecretKey.of('<secret>', '<key>'), a reference to a Secret, not a literal string: credentials are never written to Git"),
    ]);
    expect(errors({ min: 1, max: 5, triggers: [Trigger.sqs({ queueUrl: SQS_URL, queueLength: 5, auth: { accessKeyId: { secret: 'aws', key: 'id' } as unknown as SecretKey, secretAccessKey: SecretKey.of('aws', 'secret') } })] })).toEqual([
      at('autoscaling.triggers[0] (sqs).auth.accessKeyId must be SecretKey.of(\'<secret>\', \'<key>\'), a reference to a Secret, not {"secret":"aws","key":"id"}: credentials are never written to Git'),
    ]);
  });

  test('the Secret reference itself is checked', () => {
    expect(errors({ min: 0, max: 5, triggers: [rabbit({ auth: { host: SecretKey.of('RabbitMQ', 'url/x') } })] })).toEqual([
      at(`autoscaling.triggers[0] (rabbitmq).auth.host: Secret name "RabbitMQ" is not a DNS-1123 subdomain (lowercase letters, digits, '-' and '.', starting and ending with a letter or digit, at most 253 characters)`),
      at('autoscaling.triggers[0] (rabbitmq).auth.host: Secret key "url/x" is invalid (letters, digits, \'-\', \'_\' and \'.\')'),
    ]);
  });

  test('credentials inside a URL are an error of the rendered trigger metadata (rule plaintext-credential), masked', () => {
    expect(errors({ min: 1, max: 5, triggers: [Trigger.prometheus({ serverAddress: 'https://admin:hunter2@prom.acme.dev', query: 'up', threshold: 1 })] })).toEqual([
      'dev-eu/apps/shop/orders/scaled-object: spec.triggers[0].metadata.serverAddress holds a URL with a password (https://admin:****@prom.acme.dev) in plaintext',
    ]);
    expect(errors({ min: 1, max: 5, triggers: [Trigger.prometheus({ serverAddress: 'https://c2VjcmV0dG9rZW4@prom.acme.dev', query: 'up', threshold: 1 })] })).toEqual([
      'dev-eu/apps/shop/orders/scaled-object: spec.triggers[0].metadata.serverAddress holds a URL with credentials in its userinfo (https://****@prom.acme.dev) in plaintext',
    ]);
  });
});

describe('KEDA errors', () => {
  test('KEDA must be installed on the cluster', () => {
    expect(errors({ min: 0, max: 5, triggers: [rabbit()] }, { capabilities: ['metrics-server'] })).toEqual([
      'dev-eu/apps/shop/orders/trigger-auth-rabbitmq: TriggerAuthentication orders-rabbitmq (keda.sh) and 1 more object need keda, but cluster dev-eu does not install it (installed: metrics-server): add Components.keda() to its platform',
    ]);
  });

  test('cpu and memory triggers need metrics-server', () => {
    expect(errors({ min: 1, max: 5, triggers: [Trigger.cpu({ utilization: 50 }), Trigger.memory({ utilization: 50 })] }, { capabilities: ['keda'] })).toEqual([
      at('ScaledObject "orders" (cpu and memory triggers) needs metrics-server, but cluster "dev-eu" does not install it (installed: keda): add Components.metricsServer() to its platform'),
    ]);
  });

  test('min 0 needs a trigger other than cpu or memory', () => {
    expect(errors({ min: 0, max: 5, triggers: [Trigger.cpu({ utilization: 50 })] })).toEqual([
      at('autoscaling.min (0) needs a trigger that is not cpu or memory: KEDA cannot scale to zero on cpu or memory alone (add e.g. a queue or cron trigger, or keep a floor above zero)'),
    ]);
    expect(errors({ min: 1, max: 5, idleReplicaCount: 0, triggers: [Trigger.memory({ averageValue: '1Gi' })] })).toEqual([
      at('autoscaling.idleReplicaCount (0) needs a trigger that is not cpu or memory: KEDA cannot scale to zero on cpu or memory alone (add e.g. a queue or cron trigger, or keep a floor above zero)'),
    ]);
    expect(() => eventFleet({ min: 0, max: 5, triggers: [Trigger.cpu({ utilization: 50 }), rabbit()] }).render()).not.toThrow();
  });

  test('bounds', () => {
    expect(errors({ min: 6, max: 5, triggers: [rabbit()] })).toEqual([at('autoscaling.min (6) is greater than autoscaling.max (5)')]);
    expect(errors({ min: 0, max: 0, triggers: [rabbit()] })).toEqual([at('autoscaling.max (0) must be a whole number ≥ 1')]);
  });

  test('idleReplicaCount: only 0, and only above a min of at least 1', () => {
    expect(errors({ min: 0, max: 5, idleReplicaCount: 0, triggers: [rabbit()] })).toEqual([
      at('autoscaling.idleReplicaCount (0) needs min ≥ 1: with min 0 the workload already scales to zero when idle'),
    ]);
    expect(errors({ min: 2, max: 5, idleReplicaCount: 1 as 0, triggers: [rabbit()] })).toEqual([at('autoscaling.idleReplicaCount (1) must be 0: KEDA supports no other idle count')]);
  });

  test('fallback', () => {
    expect(errors({ min: 1, max: 5, fallback: { failureThreshold: 0, replicas: 2 }, triggers: [Trigger.cpu({ utilization: 50 })] })).toEqual([
      at('autoscaling.fallback.failureThreshold (0) must be a whole number ≥ 1'),
      at('autoscaling.fallback does not apply to cpu or memory triggers (KEDA falls back only on metrics it reads itself): remove fallback or those triggers'),
    ]);
  });

  test('polling interval of at least a second, in whole seconds', () => {
    expect(errors({ min: 1, max: 5, pollingInterval: Duration.seconds(0), cooldownPeriod: Duration.millis(500), triggers: [rabbit()] })).toEqual([
      at('autoscaling.pollingInterval (0s) must be at least 1s'),
      at('autoscaling.cooldownPeriod (500ms) must be a whole number of seconds'),
      // The KEDA CRD's own schema (2.20.2) has the same bound, and the API server would apply it.
      'dev-eu/apps/shop/orders/scaled-object: ScaledObject orders: schema keda.sh/v1alpha1: /spec/pollingInterval must be >= 1',
    ]);
  });

  test('a utilization trigger needs requests', () => {
    expect(errors({ min: 1, max: 5, triggers: [Trigger.cpu({ utilization: 50 })] }, { containers: [{ name: 'app', memory: '1Gi' }] })).toEqual([
      at('autoscaling targets 50% cpu utilization, but container "app" has no cpu request in Deployment "orders": utilization is measured against requests, so set a cpu request on every container (or target an averageValue)'),
    ]);
  });

  test('at least one trigger, and distinct names', () => {
    expect(errors({ min: 1, max: 5, triggers: [] })).toEqual([
      at('autoscaling.triggers is empty: give at least one trigger (e.g. Trigger.rabbitmq(...))'),
      'dev-eu/apps/shop/orders/scaled-object: ScaledObject orders: schema keda.sh/v1alpha1: /spec/triggers must NOT have fewer than 1 items',
    ]);
    expect(errors({ min: 1, max: 5, triggers: [rabbit(), rabbit({ queue: 'other' })] })).toEqual([at('autoscaling.triggers: two triggers are named "rabbitmq": give each a distinct name')]);
    expect(errors({ min: 1, max: 5, triggers: [rabbit({ name: 'Orders_Queue' })] })).toEqual([
      at(`autoscaling.triggers[0] (rabbitmq).name "Orders_Queue" is not a DNS-1123 label (lowercase letters, digits and '-', starting and ending with a letter or digit, at most 63 characters)`),
      // The invalid name also leaves the ScaledObject pointing at an authentication that was not rendered.
      'dev-eu/apps/shop/orders/scaled-object: authenticationRef TriggerAuthentication shop/orders-Orders_Queue does not exist on this cluster',
    ]);
  });

  test('trigger props are checked', () => {
    expect(
      errors({
        min: 1,
        max: 5,
        triggers: [
          Trigger.cron({ timezone: 'Europe/Pariss', start: '0 8 * *', end: '0 20 * * 1-5', replicas: 0 }),
          Trigger.prometheus({ serverAddress: 'prometheus:9090', query: ' ', threshold: 0 }),
          rabbit({ length: 10, messageRate: 5 }),
          rabbit({ name: 'rate', length: undefined, messageRate: 5, protocol: 'amqp' }),
          Trigger.kafka({ bootstrapServers: ['kafka'], consumerGroup: 'orders', lagThreshold: 0, auth: { sasl: { mechanism: 'gssapi' as 'plaintext', username: SecretKey.of('k', 'u'), password: SecretKey.of('k', 'p') } } }),
        ],
      }),
    ).toEqual([
      at('autoscaling.triggers[0] (cron).timezone ("Europe/Pariss") is not an IANA time zone (e.g. "Europe/Paris", "UTC")'),
      at('autoscaling.triggers[0] (cron).start ("0 8 * *") is not a five-field cron expression (minute hour day-of-month month day-of-week, e.g. "0 8 * * 1-5")'),
      at('autoscaling.triggers[0] (cron).replicas (0) must be a whole number ≥ 1'),
      at('autoscaling.triggers[1] (prometheus).serverAddress ("prometheus:9090") must be an http or https URL'),
      at('autoscaling.triggers[1] (prometheus).query (" ") must be a PromQL query'),
      at('autoscaling.triggers[1] (prometheus).threshold (0) must be a number greater than 0'),
      at('autoscaling.triggers[2] (rabbitmq) needs exactly one of length (QueueLength mode) or messageRate (MessageRate mode)'),
      at("autoscaling.triggers[3] (rabbitmq).messageRate needs protocol 'http' (the management API): AMQP cannot see publish rates"),
      at('autoscaling.triggers[4] (kafka).bootstrapServers (["kafka"]) must list brokers as "host:port"'),
      at('autoscaling.triggers[4] (kafka).lagThreshold (0) must be a whole number ≥ 1'),
      at('autoscaling.triggers[4] (kafka).auth.sasl.mechanism ("gssapi") is not one of: plaintext, scram_sha256, scram_sha512'),
    ]);
  });

  test('more trigger props are checked', () => {
    expect(
      errors({
        min: 1,
        max: 5,
        triggers: [
          Trigger.prometheus({ serverAddress: 'not a url', query: 'up', threshold: 1, activationThreshold: -1 }),
          rabbit({ queue: '', length: 0, activationValue: -2, protocol: 'mqtt' as 'amqp' }),
          Trigger.kafka({ bootstrapServers: ['kafka:9092'], consumerGroup: '', topic: '', lagThreshold: 5, activationLagThreshold: -1, offsetResetPolicy: 'oldest' as 'latest' }),
          Trigger.sqs({ queueUrl: 'http://sqs.eu-west-1.amazonaws.com/123456789012/orders', queueLength: 5, activationQueueLength: -1 }),
          Trigger.cpu({ name: 'cpu-a' }),
          Trigger.cpu({ name: 'cpu-b', utilization: 0.5 }),
          Trigger.memory({ averageValue: 'much' }),
        ],
      }),
    ).toEqual([
      at('autoscaling.triggers[0] (prometheus).serverAddress ("not a url") is not a URL'),
      at('autoscaling.triggers[0] (prometheus).activationThreshold (-1) must be a number ≥ 0'),
      at('autoscaling.triggers[1] (rabbitmq).queue ("") must not be empty'),
      at('autoscaling.triggers[1] (rabbitmq).length (0) must be a number greater than 0'),
      at('autoscaling.triggers[1] (rabbitmq).activationValue (-2) must be a number ≥ 0'),
      at('autoscaling.triggers[1] (rabbitmq).protocol ("mqtt") is not one of: auto, amqp, http'),
      at('autoscaling.triggers[2] (kafka).consumerGroup ("") must not be empty'),
      at('autoscaling.triggers[2] (kafka).topic ("") must not be empty'),
      at('autoscaling.triggers[2] (kafka).activationLagThreshold (-1) must be a whole number ≥ 0'),
      at('autoscaling.triggers[2] (kafka).offsetResetPolicy ("oldest") is not one of: latest, earliest'),
      at('autoscaling.triggers[3] (sqs).queueUrl ("http://sqs.eu-west-1.amazonaws.com/123456789012/orders") must be an https URL'),
      at('autoscaling.triggers[3] (sqs).region is required: it cannot be read from queueUrl "http://sqs.eu-west-1.amazonaws.com/123456789012/orders"'),
      at('autoscaling.triggers[3] (sqs).activationQueueLength (-1) must be a whole number ≥ 0'),
      at('autoscaling.triggers[4] (cpu) needs exactly one of utilization (a percentage of requests) or averageValue (a quantity per pod)'),
      at('autoscaling.triggers[5] (cpu).utilization (0.5) must be a whole number ≥ 1'),
      at('autoscaling.triggers[6] (memory).averageValue ("much") is not a positive Kubernetes quantity (e.g. "500m", "2", "512Mi", "4Gi")'),
    ]);
  });

  test('sqs: region, role ARN, and pod identity only on AWS', () => {
    expect(
      errors({
        min: 1,
        max: 5,
        triggers: [
          Trigger.sqs({ name: 'a', queueUrl: 'https://vpce-1.sqs.example/123456789012/orders', queueLength: 5 }),
          Trigger.sqs({ name: 'b', queueUrl: SQS_URL, queueLength: 5, auth: { podIdentity: { roleArn: 'orders-role', identityOwner: 'workload' } } }),
        ],
      }),
    ).toEqual([
      at('autoscaling.triggers[0] (sqs).region is required: it cannot be read from queueUrl "https://vpce-1.sqs.example/123456789012/orders"'),
      at('autoscaling.triggers[1] (sqs).auth.podIdentity.roleArn ("orders-role") is not an IAM role ARN (arn:aws:iam::<account>:role/<name>)'),
      at('autoscaling.triggers[1] (sqs).auth.podIdentity: give roleArn or identityOwner, not both'),
    ]);
    expect(errorsOf(eventFleet({ min: 1, max: 5, triggers: [Trigger.sqs({ queueUrl: SQS_URL, queueLength: 5 })] }, { clusters: ['prod-us'] }))).toEqual([
      'prod-us/apps/shop/orders: autoscaling.triggers[0] (sqs).auth uses AWS pod identity, which only exists on AWS clusters (cluster "prod-us" runs on gcp): use accessKeyId and secretAccessKey Secret references',
    ]);
  });
});

describe('ScaledJob', () => {
  const podSpec: k8s.PodSpec = {
    securityContext: { runAsNonRoot: true },
    containers: [
      {
        name: 'encoder',
        image: 'ghcr.io/acme/encoder:3.1.0',
        env: [{ name: 'BUCKET', value: 'videos' }],
        resources: { requests: { cpu: k8s.Quantity.fromString('2'), memory: k8s.Quantity.fromString('4Gi') }, limits: { memory: k8s.Quantity.fromString('4Gi') } },
        securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true },
      },
    ],
  };
  const jobFleet = (props: Partial<ScaledJobProps> = {}, capabilities?: string[]) =>
    testFleet({
      capabilities,
      clusters: ['dev-eu', 'prod-eu'],
      apps: (apps) => new ScaledJob(apps, 'encode', { podSpec, max: perStage({ development: 2, production: 20 }), triggers: [Trigger.sqs({ queueUrl: SQS_URL, queueLength: 1 })], egress: [Egress.toAnyAddress({ ports: [443] })], ...props }),
    });
  const jobErrors = (props: Partial<ScaledJobProps>, capabilities?: string[]) => errorsOf(jobFleet(props, capabilities)).filter((e) => e.startsWith('dev-eu/'));

  test('one Job per queued message, with its TriggerAuthentication (snapshot)', () => {
    const fleet = jobFleet({ activeDeadline: Duration.hours(1) });
    expect({ ...filesOf(fleet, 'apps', 'shop/scaledjob-'), ...filesOf(fleet, 'apps', 'shop/triggerauthentication-') }).toMatchSnapshot();
  });

  test('job settings and their defaults', () => {
    const defaults = objectOf(jobFleet(), 'ScaledJob').spec;
    expect(defaults).toMatchObject({ minReplicaCount: 0, maxReplicaCount: 2, pollingInterval: 30, successfulJobsHistoryLimit: 3, failedJobsHistoryLimit: 5, rollout: { strategy: 'gradual' } });
    expect(defaults.jobTargetRef).toMatchObject({ parallelism: 1, completions: 1, backoffLimit: 6 });
    expect(defaults.jobTargetRef.activeDeadlineSeconds).toBeUndefined();
    const set = objectOf(
      jobFleet({
        parallelism: 2,
        completions: 4,
        backoffLimit: 0,
        activeDeadline: Duration.minutes(30),
        successfulJobsHistoryLimit: 1,
        failedJobsHistoryLimit: 10,
        rollout: 'immediate',
        scalingStrategy: { strategy: 'custom', customScalingQueueLengthDeduction: 1, customScalingRunningJobPercentage: 0.5, pendingPodConditions: ['Ready'], multipleScalersCalculation: 'sum' },
      }),
      'ScaledJob',
    ).spec;
    expect(set.jobTargetRef).toMatchObject({ parallelism: 2, completions: 4, backoffLimit: 0, activeDeadlineSeconds: 1800 });
    expect(set).toMatchObject({ successfulJobsHistoryLimit: 1, failedJobsHistoryLimit: 10, rollout: { strategy: 'immediate' } });
    expect(set.scalingStrategy).toEqual({ strategy: 'custom', customScalingQueueLengthDeduction: 1, customScalingRunningJobPercentage: '0.5', pendingPodConditions: ['Ready'], multipleScalersCalculation: 'sum' });
  });

  test('the pod spec is rendered as given, with "restricted" defaults where it says nothing and restartPolicy Never unless set', () => {
    const template = objectOf(jobFleet(), 'ScaledJob').spec.jobTargetRef.template;
    expect(template.metadata.labels).toEqual({ 'app.kubernetes.io/name': 'encode', 'app.kubernetes.io/instance': 'encode' });
    expect(template.spec).toEqual({
      restartPolicy: 'Never',
      securityContext: { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } },
      containers: [
        {
          name: 'encoder',
          image: 'ghcr.io/acme/encoder:3.1.0',
          env: [{ name: 'BUCKET', value: 'videos' }],
          resources: { requests: { cpu: '2', memory: '4Gi' }, limits: { memory: '4Gi' } },
          securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } },
        },
      ],
    });
    expect(objectOf(jobFleet({ podSpec: { ...podSpec, restartPolicy: 'OnFailure' } }), 'ScaledJob').spec.jobTargetRef.template.spec.restartPolicy).toBe('OnFailure');
  });

  test('max may differ per stage', () => {
    expect(objectOf(jobFleet(), 'ScaledJob', 'prod-eu').spec.maxReplicaCount).toBe(20);
  });

  test('errors', () => {
    expect(jobErrors({ podSpec: { containers: [], restartPolicy: 'Always' } })).toEqual([
      'dev-eu/apps/shop/encode: podSpec.containers is empty: a Job needs at least one container',
      'dev-eu/apps/shop/encode: podSpec.restartPolicy ("Always") must be Never or OnFailure for a Job',
    ]);
    expect(jobErrors({ max: 0, parallelism: 0, scalingStrategy: { customScalingRunningJobPercentage: 2 } })).toEqual([
      'dev-eu/apps/shop/encode: scaledJob.max (0) must be a whole number ≥ 1',
      'dev-eu/apps/shop/encode: parallelism (0) must be a whole number ≥ 1',
      'dev-eu/apps/shop/encode: scalingStrategy.customScalingRunningJobPercentage (2) must be between 0 and 1',
      "dev-eu/apps/shop/encode: scalingStrategy: customScalingQueueLengthDeduction and customScalingRunningJobPercentage apply only to strategy 'custom'",
    ]);
    expect(jobErrors({}, ['metrics-server'])).toEqual([
      'dev-eu/apps/shop/encode/trigger-auth-sqs: TriggerAuthentication encode-sqs (keda.sh) and 1 more object need keda, but cluster dev-eu does not install it (installed: metrics-server): add Components.keda() to its platform',
    ]);
    expect(jobErrors({ triggers: [Trigger.sqs({ queueUrl: SQS_URL, queueLength: 0 })] })).toEqual(['dev-eu/apps/shop/encode: triggers[0] (sqs).queueLength (0) must be a whole number ≥ 1']);
    expect(jobErrors({ scalingStrategy: { strategy: 'lazy' as 'eager' }, pollingInterval: Duration.millis(100) })).toEqual([
      'dev-eu/apps/shop/encode: pollingInterval (100ms) must be a whole number of seconds',
      'dev-eu/apps/shop/encode: scalingStrategy.strategy ("lazy") is not one of: default, accurate, eager, custom',
      'dev-eu/apps/shop/encode/scaled-job: ScaledJob encode: schema keda.sh/v1alpha1: /spec/scalingStrategy/strategy must be equal to one of the allowed values (valid: default, custom, accurate, eager)',
    ]);
    const badName = testFleet({ apps: (apps) => new ScaledJob(apps, 'Encode', { podSpec, max: 1, triggers: [Trigger.sqs({ queueUrl: SQS_URL, queueLength: 1 })] }) });
    // Names are checked by the structure check like any object's.
    expect(errorsOf(badName)).toEqual([
      `dev-eu/apps/shop/Encode/trigger-auth-sqs: TriggerAuthentication name "Encode-sqs" is not a DNS-1123 subdomain (lowercase letters, digits, '-' and '.', starting and ending with a letter or digit, at most 253 characters)`,
      `dev-eu/apps/shop/Encode/scaled-job: ScaledJob name "Encode" is not a DNS-1123 subdomain (lowercase letters, digits, '-' and '.', starting and ending with a letter or digit, at most 253 characters)`,
    ]);
  });
});
