import { ApiObject } from 'cdk8s';
import { k8s } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { Components, CronTask, Env, Fleet, Provider, Stage, Testing, Waivers, Worker } from '../lib/index.js';
import { credentialName } from '../lib/validate/rules/credentials.js';
import { BASE } from './support/fleets.js';
import { findingsOf, fleetOf, patch, reported, webWorkload } from './support/policy.js';

const RULE = 'plaintext-credential';
const ENV = 'spec.template.spec.containers[0].env';

/** `severity [rule] path: message` of this rule's findings in a production cluster holding `apps`. */
const found = (apps: Parameters<typeof fleetOf>[1]) => reported(fleetOf('production', apps), RULE);

/** A hand-written object of `kind` with `body` next to its metadata. */
const object = (scope: Construct, id: string, kind: string, apiVersion: string, body: Record<string, unknown>) =>
  new ApiObject(scope, id, { apiVersion, kind, metadata: { name: id }, ...body });

describe('plaintext-credential: typed workloads', () => {
  test('a literal password and a URL with a password in env are errors; the URL is masked', () => {
    const errors = found((apps) => new Worker(apps, 'orders', { ...BASE, env: { DB_PASSWORD: 'hunter2', DATABASE_URL: 'postgres://app:s3cr3t@db:5432/app' } }));
    expect(errors).toEqual([
      `error [${RULE}] c/apps/shop/orders/deployment: ${ENV}[0].value holds a password (DB_PASSWORD: ****) in plaintext`,
      `error [${RULE}] c/apps/shop/orders/deployment: ${ENV}[1].value holds a URL with a password (postgres://app:****@db:5432) in plaintext`,
    ]);
    expect(errors.join('\n')).not.toMatch(/hunter2|s3cr3t/);
  });

  test('the finding says how to fix it: Env.fromSecret and SOPS', () => {
    const fleet = fleetOf('production', (apps) => new Worker(apps, 'orders', { ...BASE, env: { API_KEY: 'abc123' } }));
    expect(() => fleet.render()).toThrow(/env \{ NAME: Env\.fromSecret\('<secret>', '<key>'\) \}.*SOPS/);
  });

  test('references, empty values, switches and names about a credential are not reported', () => {
    expect(found((apps) => new Worker(apps, 'orders', {
      ...BASE,
      env: {
        DB_PASSWORD: Env.fromSecret('orders-db', 'password'),
        API_TOKEN: '${API_TOKEN}',
        AUTH_TOKEN: '$(TOKEN_FROM_FILE)',
        DATABASE_URL: 'postgres://app:$(DB_PASSWORD)@db:5432/app',
        CACHE_URL: 'redis://:${REDIS_PASSWORD}@cache:6379',
        SESSION_SECRET: '',
        REQUIRE_TOKEN: 'true',
        TOKEN_URL: 'https://auth.example.com/oauth/token',
        PASSWORD_FILE: '/run/secrets/password',
        PASSWORD_MIN_LENGTH: '12',
        SECRET_NAME: 'orders-db',
        PASSWORD_KEY: 'password',
        GIT_URL: 'ssh://git@github.com/acme/orders.git',
        REPO_URL: 'https://${GIT_TOKEN}@github.com/acme/orders.git',
        HOME_URL: 'https://acme.dev/@orders',
        SQL_CONNECTION: 'Server=db;User Id=app;Password=$(DB_PASSWORD)',
      },
    }))).toEqual([]);
  });

  test('a CronTask (CronJob pod template) is read like any workload', () => {
    expect(found((apps) => new CronTask(apps, 'report', { ...BASE, schedule: '0 3 * * *', env: { SLACK_TOKEN: 'xoxb-1234567890-abcdefghij' } }))).toEqual([
      `error [${RULE}] c/apps/shop/report/cron-job: spec.jobTemplate.spec.template.spec.containers[0].env[0].value holds a Slack token (xoxb-****) in plaintext`,
    ]);
  });
});

describe('plaintext-credential: typed platform and Flux objects', () => {
  test('Helm values of a component, and the fleet repository URL of its GitRepository', () => {
    const fleet = new Fleet({ name: 'acme', domain: 'acme.dev', repository: { url: 'https://robot:t0ken@git.acme.dev/acme/fleet.git' } });
    fleet.addCluster('c', { stage: Stage.PRODUCTION, region: 'eu-west-1', provider: Provider.aws() });
    fleet.platform((platform) => platform.install(Components.keda({ values: { webhooks: { apiToken: 'k-123' } } })));
    expect(reported(fleet, RULE)).toEqual([
      `error [${RULE}] c/infrastructure/controllers/keda/release: spec.values.webhooks.apiToken holds a token (apiToken: ****) in plaintext`,
      `error [${RULE}] c/flux/acme: spec.url holds a URL with a password (https://robot:****@git.acme.dev) in plaintext`,
    ]);
    const hints = findingsOf(fleet).filter((f) => f.rule === RULE).map((f) => f.hint);
    expect(hints).toEqual([expect.stringContaining('spec.valuesFrom'), expect.stringContaining('spec.secretRef')]);
  });
});

describe('plaintext-credential: hand-written objects', () => {
  test('env, command and args of a hand-written Deployment, by name and by shape', () => {
    const errors = found((apps) => {
      const { deployment } = webWorkload(apps);
      patch.set(deployment, '/spec/template/spec/containers/0/env', [{ name: 'GITHUB_TOKEN', value: `ghp_${'a'.repeat(36)}` }, { name: 'LOG_LEVEL', value: 'debug' }]);
      patch.set(deployment, '/spec/template/spec/containers/0/command', ['/app', '--db-password=hunter2']);
      patch.set(deployment, '/spec/template/spec/containers/0/args', ['--api-key', 'k-123', '--aws-key', 'AKIAIOSFODNN7EXAMPLE', '--name', 'web']);
    });
    expect(errors).toEqual([
      `error [${RULE}] c/apps/shop/web: ${ENV}[0].value holds a GitHub token (ghp_****) in plaintext`,
      `error [${RULE}] c/apps/shop/web: spec.template.spec.containers[0].command[1] holds a password (db-password: ****) in plaintext`,
      `error [${RULE}] c/apps/shop/web: spec.template.spec.containers[0].args[1] holds an api key (api-key: ****) in plaintext`,
      `error [${RULE}] c/apps/shop/web: spec.template.spec.containers[0].args[3] holds an AWS access key id (AKIA****) in plaintext`,
    ]);
  });

  test('a ConfigMap: a key naming a credential, and a config file line by line', () => {
    const errors = found((apps) => new k8s.KubeConfigMap(apps, 'settings', {
      metadata: { name: 'settings' },
      data: {
        smtp_password: 'mail-pw',
        'app.properties': 'server.port=8080\nspring.datasource.password=hunter2\nlog.level=info',
        'config.yaml': 'auth:\n  secretName: orders-auth\n  token: "${TOKEN}"\n',
        'id_rsa': '-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\n-----END OPENSSH PRIVATE KEY-----\n',
      },
      binaryData: { 'key.pem': Buffer.from('-----BEGIN RSA PRIVATE KEY-----\nMIIE\n-----END RSA PRIVATE KEY-----\n').toString('base64') },
    }));
    expect(errors).toEqual([
      `error [${RULE}] c/apps/shop/settings: data["app.properties"] line 2 holds a password (spring.datasource.password: ****) in plaintext`,
      `error [${RULE}] c/apps/shop/settings: data.id_rsa holds a PEM private key (-----BEGIN OPENSSH PRIVATE KEY----- …) in plaintext`,
      `error [${RULE}] c/apps/shop/settings: data.smtp_password holds a password (smtp_password: ****) in plaintext`,
      `error [${RULE}] c/apps/shop/settings: binaryData["key.pem"] holds a PEM private key (-----BEGIN RSA PRIVATE KEY----- …) in plaintext`,
    ]);
  });

  test('HelmRelease values are walked deeply, by key and by shape; a *Secret key holding an object name names a Secret', () => {
    const errors = found((apps) => object(apps, 'db', 'HelmRelease', 'helm.toolkit.fluxcd.io/v2', {
      spec: {
        interval: '1h',
        chart: { spec: { chart: 'postgresql', sourceRef: { kind: 'HelmRepository', name: 'bitnami' } } },
        values: {
          auth: { postgresPassword: 'pg-admin', existingSecret: '', username: 'app', secret: 'Xk9#mP2qLw' },
          primary: { extraEnvVars: [{ name: 'JWT', value: 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhcHAifQ.c2lnbmF0dXJl' }] },
          tls: { certificatesSecret: 'db-tls', certFilename: 'tls.crt' },
        },
      },
    }));
    expect(errors.filter((e) => e.includes('spec.values'))).toEqual([
      `error [${RULE}] c/apps/shop/db: spec.values.auth.postgresPassword holds a password (postgresPassword: ****) in plaintext`,
      `error [${RULE}] c/apps/shop/db: spec.values.auth.secret holds a secret (secret: ****) in plaintext`,
      `error [${RULE}] c/apps/shop/db: spec.values.primary.extraEnvVars[0].value holds a JSON Web Token (eyJ****) in plaintext`,
    ]);
  });

  test('KEDA trigger metadata, Flux source URLs and annotations', () => {
    const errors = found((apps) => {
      object(apps, 'queue', 'ScaledObject', 'keda.sh/v1alpha1', {
        spec: { scaleTargetRef: { name: 'web' }, triggers: [{ type: 'rabbitmq', metadata: { queueName: 'orders', password: 'guest', hostFromEnv: 'RABBIT_URL' } }] },
      });
      object(apps, 'charts', 'HelmRepository', 'source.toolkit.fluxcd.io/v1', { spec: { interval: '1h', url: 'https://robot:t0ken@charts.example.com/stable' } });
      new k8s.KubeConfigMap(apps, 'noted', {
        metadata: { name: 'noted', annotations: { 'nginx.ingress.kubernetes.io/auth-secret': 'basic-auth', 'example.com/endpoint': 'amqp://user:pass@mq:5672/' } },
      });
    });
    expect(errors).toEqual([
      `error [${RULE}] c/apps/shop/queue: spec.triggers[0].metadata.password holds a password (password: ****) in plaintext`,
      `error [${RULE}] c/apps/shop/charts: spec.url holds a URL with a password (https://robot:****@charts.example.com) in plaintext`,
      `error [${RULE}] c/apps/shop/noted: metadata.annotations["example.com/endpoint"] holds a URL with a password (amqp://user:****@mq:5672) in plaintext`,
    ]);
  });

  test('a shape deep in a list of a custom object, and one after a string the shared screen stops at, are found', () => {
    // The walk by shape only runs where the object's one string screen (lib/validate/strings.ts,
    // shared with the names check) saw a string of a credential's shape, or stopped before its end.
    const errors = found((apps) => {
      object(apps, 'mirrors', 'Widget', 'example.com/v1', { spec: { upstreams: [{ name: 'a' }, { endpoints: ['https://example.com', 'https://robot:t0ken@mirror.example.com/'] }] } });
      object(apps, 'charts', 'HelmRepository', 'source.toolkit.fluxcd.io/v1', {
        metadata: { name: 'charts', annotations: { 'example.com/note': 'line\u2028break' } },
        spec: { interval: '1h', url: 'https://robot:t0ken@charts.example.com/stable' },
      });
    });
    expect(errors).toEqual([
      `error [${RULE}] c/apps/shop/mirrors: spec.upstreams[1].endpoints[1] holds a URL with a password (https://robot:****@mirror.example.com) in plaintext`,
      `error [${RULE}] c/apps/shop/charts: spec.url holds a URL with a password (https://robot:****@charts.example.com) in plaintext`,
    ]);
  });

  test('Secrets are left to secret-plaintext: one check per mistake', () => {
    const fleet = fleetOf('production', (apps) => new k8s.KubeSecret(apps, 'db', { metadata: { name: 'db' }, stringData: { password: 'hunter2' } }));
    expect(reported(fleet, RULE)).toEqual([]);
    expect(reported(fleet, 'secret-plaintext')).toHaveLength(1);
  });
});

describe('credential shapes, whatever the key', () => {
  test.each([
    ['a GitLab token', `glpat-${'x'.repeat(20)}`, 'glpat-****'],
    ['a Google API key', `AIza${'B'.repeat(35)}`, 'AIza****'],
    ['a Stripe secret key', `sk_live_${'0'.repeat(24)}`, 'sk_live_****'],
    ['a connection string with a key or password', 'Endpoint=sb://bus.servicebus.windows.net/;SharedAccessKeyName=app;SharedAccessKey=abc123=', 'SharedAccessKey=****'],
    ['a GitHub token', `github_pat_${'A'.repeat(82)}`, 'github_pat_****'],
  ])('%s', (what, value, masked) => {
    expect(found((apps) => new k8s.KubeConfigMap(apps, 'settings', { metadata: { name: 'settings' }, data: { note: `see ${value}` } }))).toEqual([
      `error [${RULE}] c/apps/shop/settings: data.note holds ${what} (${masked}) in plaintext`,
    ]);
  });
});

describe('credential names', () => {
  test.each([
    ['DB_PASSWORD', 'password'], ['dbPassword', 'password'], ['api-key', 'api key'], ['X_API_KEY', 'api key'], ['apikey', 'apikey'],
    ['PRIVATE_KEY', 'private key'], ['AWS_SECRET_ACCESS_KEY', 'secret'], ['client_secret', 'secret'], ['GITHUB_TOKEN', 'token'],
    ['SECRET_KEY_BASE', 'secret'], ['credentials', 'credentials'],
  ])('%s names a credential (%s)', (key, name) => expect(credentialName(key)).toBe(name));

  test.each([
    'TOKEN_URL', 'tokenEndpoint', 'PASSWORD_FILE', 'secretName', 'passwordKey', 'tokenSecretRef', 'existingSecret', 'TOKEN_TTL',
    'PASSWORD_MIN_LENGTH', 'AWS_ACCESS_KEY_ID', 'passwordFromEnv', 'PWD', 'LOG_LEVEL', 'cacheKey',
  ])('%s does not', (key) => expect(credentialName(key)).toBeUndefined());
});

describe('plaintext-credential waivers', () => {
  const DEMO = { API_TOKEN: 'demo-token-for-the-public-sandbox' };

  test('a field waiver with a reason waives that field of that object only, rendered as an annotation', () => {
    const fleet = fleetOf('production', (apps) => {
      const api = new Worker(apps, 'api', { ...BASE, env: { ...DEMO, DB_PASSWORD: 'hunter2' } });
      Waivers.allowPlaintextCredential(api, { kind: 'Deployment', field: `${ENV}[0].value`, reason: 'public sandbox token, published in the API docs' });
      new Worker(apps, 'other', { ...BASE, env: DEMO });
    });
    expect(reported(fleet, RULE)).toEqual([
      `error [${RULE}] c/apps/shop/api/deployment: ${ENV}[1].value holds a password (DB_PASSWORD: ****) in plaintext`,
      `error [${RULE}] c/apps/shop/other/deployment: ${ENV}[0].value holds a token (API_TOKEN: ****) in plaintext`,
    ]);
    const fleetOk = fleetOf('production', (apps) => {
      const api = new Worker(apps, 'api', { ...BASE, env: DEMO });
      Waivers.allowPlaintextCredential(api, { kind: 'Deployment', field: `${ENV}[0].value`, reason: 'public sandbox token' });
    });
    const deployment = Testing.synth(fleetOk, { cluster: 'c', layer: 'apps' }).objects.find((o) => o.kind === 'Deployment')!;
    expect(deployment.metadata.annotations?.['strata.dev/waive-fields.plaintext-credential']).toBe(`{"${ENV}[0].value":"public sandbox token"}`);
  });

  test('a field waiver of a field that holds no credential is a warning', () => {
    const fleet = fleetOf('production', (apps) => {
      const api = new Worker(apps, 'api', { ...BASE, env: { LOG_LEVEL: 'info' } });
      Waivers.allowPlaintextCredential(api, { kind: 'Deployment', field: `${ENV}[0].value`, reason: 'was a token once' });
    });
    expect(reported(fleet, RULE)).toEqual([
      `warning [${RULE}] c/apps/shop/api/deployment: waiver of ${RULE} for ${ENV}[0].value ("was a token once") waives nothing: the field holds no credential`,
    ]);
  });

  test('a whole-object waiver, an empty reason or field and a kind the scope lacks are errors', () => {
    const fleet = fleetOf('production', (apps) => {
      const api = new Worker(apps, 'api', { ...BASE, env: DEMO });
      Waivers.waive(api, RULE, 'it is only a demo');
      Waivers.allowPlaintextCredential(api, { kind: 'Deployment', field: `${ENV}[0].value`, reason: ' ' });
      Waivers.allowPlaintextCredential(api, { kind: 'Deployment', field: '', reason: 'why' });
      Waivers.allowPlaintextCredential(api, { kind: 'StatefulSet', field: `${ENV}[0].value`, reason: 'why' });
    });
    expect(reported(fleet).filter((e) => e.includes('c/apps/shop/api:'))).toEqual([
      `error [] c/apps/shop/api: ${RULE} cannot be waived for whole objects: name the field with Waivers.allowPlaintextCredential(scope, { kind, field, reason })`,
      `error [] c/apps/shop/api: waiver of ${RULE} for "${ENV}[0].value" has an empty reason: say why the value is no credential`,
      `error [] c/apps/shop/api: waiver of ${RULE} for "" names no field: give the JSON path the error names, e.g. "spec.template.spec.containers[0].env[1].value"`,
      `error [] c/apps/shop/api: waiver of ${RULE} for "${ENV}[0].value" covers no "StatefulSet": no object of that kind is under c/apps/shop/api`,
    ]);
  });

  test('hand-written annotations: a whole-object waiver, a malformed or an empty field waiver are errors', () => {
    const fleet = fleetOf('production', (apps) => {
      const annotated = (name: string, annotations: Record<string, string>) =>
        new k8s.KubeConfigMap(apps, name, { metadata: { name, annotations }, data: { api_token: 'abc' } });
      annotated('whole', { [`strata.dev/waive.${RULE}`]: 'demo' });
      annotated('malformed', { [`strata.dev/waive-fields.${RULE}`]: 'data.api_token' });
      annotated('empty', { [`strata.dev/waive-fields.${RULE}`]: '{"data.api_token":""}' });
      annotated('waived', { [`strata.dev/waive-fields.${RULE}`]: '{"data.api_token":"a test fixture"}' });
    });
    expect(reported(fleet).filter((e) => !e.startsWith('warning'))).toEqual([
      `error [] c/apps/shop/whole: annotation strata.dev/waive.${RULE} waives ${RULE} for the whole object, but ${RULE} is waived per field only: name the field (Waivers.allowPlaintextCredential)`,
      `error [${RULE}] c/apps/shop/whole: data.api_token holds a token (api_token: ****) in plaintext`,
      `error [${RULE}] c/apps/shop/malformed: annotation strata.dev/waive-fields.${RULE} is not a JSON object of field → reason, e.g. {"spec.template.spec.containers[0].env[1].value":"<why this is no credential>"}`,
      `error [${RULE}] c/apps/shop/malformed: data.api_token holds a token (api_token: ****) in plaintext`,
      `error [${RULE}] c/apps/shop/empty: waiver of ${RULE} for data.api_token has an empty reason: say why the value is no credential`,
      `error [${RULE}] c/apps/shop/empty: data.api_token holds a token (api_token: ****) in plaintext`,
    ]);
  });
});
