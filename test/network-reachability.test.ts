// Reachability of declared flows: the example fleet, typed workloads, hand-written objects, the
// typed egress destinations, the tenants' DNS rule per provider, and generated fleets.
import { ApiObject } from 'cdk8s';
import type { Construct } from 'constructs';
import { k8s } from 'cdk8s-plus-27';
import fc from 'fast-check';
import { fleet as example } from '../main.js';
import {
  Autoscaling, CronTask, Egress, Peer, Provider, ScaledJob, SecretKey, Stage, StatefulService, Trigger, WebService, Worker, type Fleet, type IEgressTarget,
} from '../lib/index.js';
import type { ResolvedCluster } from '../lib/synth/model.js';
import { parseCidr } from '../lib/validate/network/cidr.js';
import { metadataPorts } from '../lib/validate/network/sources.js';
import { declaredFlows, podIndex } from '../lib/validate/network/flows.js';
import { NetworkModel } from '../lib/validate/network/evaluator.js';
import { ClusterObjects } from '../lib/validate/objects.js';
import { errorsOf, shopFleet } from './support/fleets.js';
import { fleetOf, labelsFor, reported, webWorkload } from './support/policy.js';

const image = 'ghcr.io/acme/app:1.0.0';
const resources = { cpu: '100m', memory: '128Mi' };

/** Every declared flow of a rendered cluster with its verdicts, as `from → to port: egress/ingress`. */
function flowsOf(cluster: ResolvedCluster, keep: (kind: string, name: string) => boolean = () => true): string[] {
  const filtered: ResolvedCluster = {
    ...cluster,
    folders: cluster.folders.map((f) => ({ ...f, objects: f.objects.filter((o) => keep(o.manifest.kind, o.manifest.metadata.name)) })),
  };
  const objects = new ClusterObjects(filtered);
  const model = NetworkModel.of(objects);
  return declaredFlows(objects, model).map((flow) => {
    const v = model.flow(flow.from, flow.to, flow.port);
    const verdict = (x: { allowed: boolean }) => (x.allowed ? 'allowed' : 'blocked');
    return `${flow.from.name ?? ''} → ${flow.to.name} ${flow.port.protocol}/${flow.port.port}: egress ${verdict(v.egress)}, ingress ${verdict(v.ingress)}`;
  }).sort();
}

function rendered(fleet: Fleet): readonly ResolvedCluster[] {
  return fleet.render().model.clusters;
}

describe('the example fleet', () => {
  const clusters = rendered(example);

  test.each(clusters.map((c) => [c.name, c] as const))('every declared flow of %s is allowed on both ends', (_name, cluster) => {
    const gateway = cluster.name === 'prod-us'
      ? ['the data plane of Gateway gateway/public (130.211.0.0/22)', 'the data plane of Gateway gateway/public (35.191.0.0/16)'] // GKE's front ends
      : ['the data plane of Gateway gateway/public']; // Envoy's pods
    expect(flowsOf(cluster)).toEqual([
      'Deployment shop/orders → StatefulSet shop/orders-db TCP/5432: egress allowed, ingress allowed',
      'Deployment shop/storefront → StatefulSet shop/orders-db TCP/5432: egress allowed, ingress allowed',
      ...gateway.map((g) => `${g} → Deployment shop/storefront TCP/8080: egress allowed, ingress allowed`),
    ].sort());
  });

  test('without the Egress policies strata now writes, the six client flows are blocked by the clients\' egress (the reported bug)', () => {
    const blocked = clusters.flatMap((c) => flowsOf(c, (kind, name) => !(kind === 'NetworkPolicy' && name.endsWith('-egress'))).map((f) => `${c.name}: ${f}`));
    expect(blocked.filter((f) => f.includes('egress blocked, ingress allowed'))).toHaveLength(6);
  });

  test('the queue worker reaches its broker: its Egress policy allows AMQP to the broker\'s range', () => {
    for (const cluster of clusters) {
      const objects = new ClusterObjects(cluster);
      const model = NetworkModel.of(objects);
      const orders = podIndex(objects).of(objects.find('Deployment', 'shop', 'orders')!)!;
      const broker = { kind: 'address' as const, cidr: parseCidr('10.64.0.17')! };
      expect(model.check('Egress', orders, broker, { protocol: 'TCP', port: 5672 })).toMatchObject({ allowed: true, allowedBy: { id: 'shop/orders-egress' } });
      expect(model.check('Egress', orders, broker, { protocol: 'TCP', port: 5671 }).allowed).toBe(false);
    }
  });
});

describe('client-side Egress written for allowFrom', () => {
  test('a server admitting a workload gives that workload the mirrored Egress rule; a peer declared later counts', () => {
    const fleet = shopFleet((apps) => {
      const db = new StatefulService(apps, 'db', { image, resources, ports: [{ name: 'pg', port: 5432 }], storage: { data: { path: '/d', size: '1Gi' } }, allowFrom: [Peer.workload('api')] });
      void db;
      new Worker(apps, 'api', { image, resources });
    });
    const egress = fleet.render().model.clusters[0].folders.flatMap((f) => f.objects).find((o) => o.manifest.metadata.name === 'api-egress');
    expect(egress?.manifest.spec).toEqual({
      podSelector: { matchLabels: labelsFor('api') },
      policyTypes: ['Egress'],
      egress: [{ to: [{ podSelector: { matchLabels: labelsFor('db') } }], ports: [{ port: 5432, protocol: 'TCP' }] }],
    });
  });

  test('a workload of another namespace gets a rule naming the server\'s namespace; Peer.namespace gives every workload of it one', () => {
    const fleet = shopFleet((apps) => {
      new Worker(apps, 'api', { image, resources, ports: [{ name: 'http', port: 8080 }], allowFrom: [Peer.workload('reports', { namespace: 'billing' }), Peer.namespace('ops')] });
    }, { tenants: ['shop', 'billing', 'ops'] });
    fleet.apps('billing', (apps) => new Worker(apps, 'reports', { image, resources }));
    fleet.apps('ops', (apps) => new Worker(apps, 'toolbox', { image, resources }));
    const objects = fleet.render().model.clusters[0].folders.flatMap((f) => f.objects);
    const to = [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'shop' } }, podSelector: { matchLabels: labelsFor('api') } }];
    for (const name of ['reports-egress', 'toolbox-egress']) {
      expect(objects.find((o) => o.manifest.metadata.name === name)?.manifest.spec).toMatchObject({ egress: [{ to, ports: [{ port: 8080, protocol: 'TCP' }] }] });
    }
    for (const cluster of rendered(fleet)) expect(flowsOf(cluster).filter((f) => f.includes('blocked'))).toEqual([]);
  });

  test('a workload nobody admits and that declares no destination gets no Egress policy', () => {
    const fleet = shopFleet((apps) => new Worker(apps, 'lonely', { image, resources }));
    expect(fleet.render().model.clusters[0].folders.flatMap((f) => f.objects).map((o) => o.manifest.metadata.name)).not.toContain('lonely-egress');
  });

  test('reordering allowFrom renders the same policies (peers are canonical)', () => {
    const spec = (order: 'ab' | 'ba') => {
      const fleet = shopFleet((apps) => {
        const a = new Worker(apps, 'a', { image, resources });
        const b = new Worker(apps, 'b', { image, resources });
        new Worker(apps, 'server', { image, resources, ports: [{ name: 'http', port: 8080 }], allowFrom: order === 'ab' ? [a, b] : [b, a] });
      });
      return fleet.render().model.clusters[0].folders.flatMap((f) => f.objects).filter((o) => o.manifest.kind === 'NetworkPolicy').map((o) => o.manifest);
    };
    expect(spec('ba')).toEqual(spec('ab'));
    expect((spec('ab').find((m) => m.metadata.name === 'server-ingress')?.spec as { ingress: { from: unknown[] }[] }).ingress[0].from).toEqual([
      { podSelector: { matchLabels: labelsFor('a') } },
      { podSelector: { matchLabels: labelsFor('b') } },
    ]);
  });

  test('StatefulService replicas reach each other: the flow among them passes both ends', () => {
    const fleet = shopFleet((apps) => {
      new StatefulService(apps, 'kv', { image, resources, ports: [{ name: 'peer', port: 7000 }], storage: { data: { path: '/d', size: '1Gi' } }, replicas: 3 });
    });
    for (const cluster of rendered(fleet)) {
      expect(flowsOf(cluster)).toEqual(['StatefulSet shop/kv → StatefulSet shop/kv TCP/7000: egress allowed, ingress allowed']);
    }
  });
});

describe('typed egress destinations', () => {
  test('toCidr, toAnyAddress and toWorkload render Egress rules the evaluator allows', () => {
    const fleet = shopFleet((apps) => {
      new Worker(apps, 'sync', {
        image, resources,
        egress: [Egress.toCidr('10.64.0.0/24', { ports: [5432], except: ['10.64.0.128/25'] }), Egress.toAnyAddress({ ports: [443] })],
      }).egressTo(Egress.toWorkload('ledger', { namespace: 'billing', ports: [{ port: 9000, endPort: 9010 }] }));
    });
    const cluster = rendered(fleet)[0];
    const objects = new ClusterObjects(cluster);
    const model = NetworkModel.of(objects);
    const sync = podIndex(objects).of(objects.find('Deployment', 'shop', 'sync')!)!;
    const at = (a: string) => ({ kind: 'address' as const, cidr: parseCidr(a)! });
    expect(model.check('Egress', sync, at('10.64.0.5'), { protocol: 'TCP', port: 5432 }).allowed).toBe(true);
    expect(model.check('Egress', sync, at('10.64.0.200'), { protocol: 'TCP', port: 5432 }).allowed).toBe(false);
    expect(model.check('Egress', sync, at('203.0.113.9'), { protocol: 'TCP', port: 443 }).allowed).toBe(true);
    expect(model.check('Egress', sync, at('2001:db8::1'), { protocol: 'TCP', port: 443 }).allowed).toBe(true);
    expect(model.check('Egress', sync, at('203.0.113.9'), { protocol: 'TCP', port: 80 }).allowed).toBe(false);
    const ledger = { ...sync, namespace: 'billing', labels: labelsFor('ledger'), name: 'ledger' };
    expect(model.check('Egress', sync, ledger, { protocol: 'TCP', port: 9005 }).allowed).toBe(true);
    expect(model.check('Egress', sync, ledger, { protocol: 'TCP', port: 9011 }).allowed).toBe(false);
  });

  test('a bad destination is an error naming it and what is valid', () => {
    const fleet = shopFleet((apps) => {
      new Worker(apps, 'sync', {
        image, resources,
        egress: [
          Egress.toCidr('db.example.com', { ports: [5432] }),
          Egress.toCidr('10.0.0.0/8', { ports: [5432], except: ['10.300.0.0/16'] }),
          Egress.toAnyAddress({ ports: [] }),
          Egress.toAnyAddress({ ports: [70000] }),
          Egress.toAnyAddress({ ports: [{ port: 9000, endPort: 8000 }] }),
          Egress.toWorkload('Ledger', { namespace: 'billing', ports: [9000] }),
        ],
      });
    }, { clusters: { 'dev-eu': { stage: Stage.DEVELOPMENT } } });
    expect(errorsOf(fleet)).toEqual([
      'dev-eu/apps/shop/sync: Egress.toCidr("db.example.com"): cidr "db.example.com" is not a CIDR, e.g. "10.64.0.0/24" or "2001:db8::/32" (NetworkPolicy matches addresses, never DNS names)',
      'dev-eu/apps/shop/sync: Egress.toCidr("10.0.0.0/8"): except "10.300.0.0/16" is not an IPv4 CIDR (four numbers 0-255, a prefix 0-32)',
      'dev-eu/apps/shop/sync: Egress.toAnyAddress(): ports is empty; name the destination ports (a NetworkPolicy rule without ports allows every port)',
      'dev-eu/apps/shop/sync: Egress.toAnyAddress(): port 70000 is not a port number (1-65535)',
      'dev-eu/apps/shop/sync: Egress.toAnyAddress(): endPort 8000 is not a port number from port (9000) to 65535',
      expect.stringMatching(/^dev-eu\/apps\/shop\/sync: Egress.toWorkload\("Ledger"\): name "Ledger" /),
    ]);
  });
});

describe('network-flow-allowed on hand-written objects', () => {
  /** A hand-written server policy admitting `web` on 8080, as an escape hatch would. */
  const admitWeb = (apps: Construct) => new ApiObject(apps, 'api-ingress', {
    apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'api-ingress' },
    spec: { podSelector: { matchLabels: labelsFor('api') }, policyTypes: ['Ingress'], ingress: [{ from: [{ podSelector: { matchLabels: labelsFor('web') } }], ports: [{ port: 8080 }] }] },
  });

  test('an Ingress rule naming a client whose egress is denied is an error on the client naming both policies', () => {
    const fleet = fleetOf('production', (apps) => { webWorkload(apps, 'web'); webWorkload(apps, 'api'); admitWeb(apps); });
    expect(reported(fleet, 'network-flow-allowed')).toEqual([
      'error [network-flow-allowed] c/apps/shop/web: Deployment shop/web → Deployment shop/api on TCP 8080 (declared by NetworkPolicy shop/api-ingress) is blocked at the client: NetworkPolicies shop/allow-dns, shop/default-deny limit the egress of Deployment shop/web and none allows it; the server side is allowed by NetworkPolicy shop/api-ingress',
    ]);
  });

  test('an Egress rule naming a server that does not admit the client is an error on the server', () => {
    const fleet = fleetOf('production', (apps) => {
      webWorkload(apps, 'web');
      webWorkload(apps, 'api');
      new k8s.KubeNetworkPolicy(apps, 'web-egress', {
        metadata: { name: 'web-egress' },
        spec: { podSelector: { matchLabels: labelsFor('web') }, policyTypes: ['Egress'], egress: [{ to: [{ podSelector: { matchLabels: labelsFor('api') } }], ports: [{ port: k8s.IntOrString.fromString('http') }] }] },
      });
    });
    expect(reported(fleet, 'network-flow-allowed')).toEqual([
      'error [network-flow-allowed] c/apps/shop/api: Deployment shop/web → Deployment shop/api on TCP 8080 (declared by NetworkPolicy shop/web-egress) is blocked at the server: NetworkPolicy shop/default-deny limits the ingress of Deployment shop/api and none admits it; the client side is allowed by NetworkPolicy shop/web-egress',
    ]);
  });

  test('an Egress rule with a port range declares flows on the server\'s ports inside it, not on its first port', () => {
    const egress = (apps: Construct, ports: { port: number; endPort?: number }[]) => new ApiObject(apps, 'web-egress', {
      apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'web-egress' },
      spec: { podSelector: { matchLabels: labelsFor('web') }, policyTypes: ['Egress'], egress: [{ to: [{ podSelector: { matchLabels: labelsFor('api') } }], ports }] },
    });
    const fleetWith = (ports: { port: number; endPort?: number }[]) => fleetOf('production', (apps) => {
      webWorkload(apps, 'web');
      webWorkload(apps, 'api'); // serves http on 8080
      admitWeb(apps);
      egress(apps, ports);
    });
    const inRange = fleetWith([{ port: 8000, endPort: 8090 }]);
    expect(reported(inRange, 'network-flow-allowed')).toEqual([]);
    expect(flowsOf(rendered(inRange)[0]).filter((f) => f.startsWith('Deployment shop/web'))).toEqual(['Deployment shop/web → Deployment shop/api TCP/8080: egress allowed, ingress allowed']);
    // A range that covers none of the server's ports declares no flow of its own, and does not let 8080 out.
    expect(reported(fleetWith([{ port: 9000, endPort: 9100 }]), 'network-flow-allowed')).toEqual([
      'error [network-flow-allowed] c/apps/shop/web: Deployment shop/web → Deployment shop/api on TCP 8080 (declared by NetworkPolicy shop/api-ingress) is blocked at the client: NetworkPolicies shop/allow-dns, shop/default-deny, shop/web-egress limit the egress of Deployment shop/web and none allows it; the server side is allowed by NetworkPolicy shop/api-ingress',
    ]);
  });

  test('a hand-written StatefulSet with a headless Service and several replicas must let its replicas reach each other', () => {
    const fleet = fleetOf('production', (apps) => {
      const labels = labelsFor('kv');
      new ApiObject(apps, 'kv-headless', { apiVersion: 'v1', kind: 'Service', metadata: { name: 'kv', labels }, spec: { clusterIP: 'None', selector: labels, ports: [{ name: 'peer', port: 7000, targetPort: 'peer' }] } });
      new ApiObject(apps, 'kv', {
        apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: { name: 'kv', labels },
        spec: { serviceName: 'kv', replicas: 3, selector: { matchLabels: labels }, template: { metadata: { labels }, spec: { containers: [{ name: 'kv', image, ports: [{ name: 'peer', containerPort: 7000 }] }] } } },
      });
    });
    expect(reported(fleet, 'network-flow-allowed').map((r) => r.replace(/: StatefulSet.*is blocked at the (\w+).*/, ' $1'))).toEqual([
      'error [network-flow-allowed] c/apps/shop/kv client',
      'error [network-flow-allowed] c/apps/shop/kv server',
    ]);
    expect(reported(fleet, 'network-flow-allowed')[0]).toContain('StatefulSet shop/kv → StatefulSet shop/kv on TCP 7000 (declared by StatefulSet shop/kv (replicas through headless Service kv))');
  });
});

describe('every kind that runs pods', () => {
  test('a typed CronTask and WebService admitted by a server get the mirrored Egress rule; the flows pass', () => {
    const fleet = shopFleet((apps) => {
      const report = new CronTask(apps, 'report', { image, resources, schedule: '@daily' });
      const web = new WebService(apps, 'web', { image, resources });
      new StatefulService(apps, 'db', { image, resources, ports: [{ name: 'pg', port: 5432 }], storage: { data: { path: '/d', size: '1Gi' } }, allowFrom: [report, web] });
    });
    for (const cluster of rendered(fleet)) {
      expect(flowsOf(cluster)).toEqual([
        'CronJob shop/report → StatefulSet shop/db TCP/5432: egress allowed, ingress allowed',
        'Deployment shop/web → StatefulSet shop/db TCP/5432: egress allowed, ingress allowed',
      ]);
    }
  });

  test.each([
    ['CronJob', 'batch/v1', (labels: Record<string, string>) => ({ schedule: '@daily', jobTemplate: { spec: { template: { metadata: { labels }, spec: { restartPolicy: 'Never', containers: [{ name: 'c', image }] } } } } })],
    ['DaemonSet', 'apps/v1', (labels: Record<string, string>) => ({ selector: { matchLabels: labels }, template: { metadata: { labels }, spec: { containers: [{ name: 'c', image }] } } })],
    ['Job', 'batch/v1', (labels: Record<string, string>) => ({ template: { metadata: { labels }, spec: { restartPolicy: 'Never', containers: [{ name: 'c', image }] } } })],
  ] as const)('a hand-written %s named by an Ingress rule is checked as a client', (kind, apiVersion, spec) => {
    const fleet = fleetOf('production', (apps) => {
      webWorkload(apps, 'api');
      new ApiObject(apps, 'client', { apiVersion, kind, metadata: { name: 'client' }, spec: spec(labelsFor('client')) });
      new ApiObject(apps, 'api-ingress', {
        apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'api-ingress' },
        spec: { podSelector: { matchLabels: labelsFor('api') }, ingress: [{ from: [{ podSelector: { matchLabels: labelsFor('client') } }], ports: [{ port: 8080 }] }] },
      });
    });
    expect(reported(fleet, 'network-flow-allowed')).toEqual([
      `error [network-flow-allowed] c/apps/shop/client: ${kind} shop/client → Deployment shop/api on TCP 8080 (declared by NetworkPolicy shop/api-ingress) is blocked at the client: NetworkPolicies shop/allow-dns, shop/default-deny limit the egress of ${kind} shop/client and none allows it; the server side is allowed by NetworkPolicy shop/api-ingress`,
    ]);
  });

  test('a GRPCRoute is a flow like an HTTPRoute', () => {
    const fleet = fleetOf('production', (apps) => {
      webWorkload(apps, 'web');
      new ApiObject(apps, 'gw', {
        apiVersion: 'gateway.networking.k8s.io/v1', kind: 'Gateway',
        metadata: { name: 'edge', annotations: { 'strata.dev/data-plane': JSON.stringify({ namespace: 'envoy', podLabels: { app: 'envoy' } }) } },
        spec: { gatewayClassName: 'envoy', listeners: [{ name: 'http', protocol: 'HTTP', port: 80 }] },
      });
      new ApiObject(apps, 'route', {
        apiVersion: 'gateway.networking.k8s.io/v1', kind: 'GRPCRoute', metadata: { name: 'web' },
        spec: { parentRefs: [{ name: 'edge' }], rules: [{ backendRefs: [{ name: 'web', port: 80 }] }] },
      });
      new ApiObject(apps, 'web-ingress', {
        apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'web-ingress' },
        spec: { podSelector: { matchLabels: labelsFor('web') }, ingress: [{ from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'envoy' } }, podSelector: { matchLabels: { app: 'envoy' } } }], ports: [{ port: 'http' }] }] },
      });
    }, (_platform, cluster) => cluster.capabilities.add('gateway-api'));
    expect(reported(fleet, 'network-flow-allowed')).toEqual([]);
    expect(flowsOf(fleet.render().model.clusters[0])).toEqual(['the data plane of Gateway shop/edge → Deployment shop/web TCP/8080: egress allowed, ingress allowed']);
  });
});

describe('route flows', () => {
  test('an HTTPRoute is a flow from its Gateway\'s data plane to the backend pods on the Service\'s target port, checked at the server', () => {
    const fleet = fleetOf('production', (apps) => {
      webWorkload(apps, 'web');
      new ApiObject(apps, 'gw', {
        apiVersion: 'gateway.networking.k8s.io/v1', kind: 'Gateway',
        metadata: { name: 'edge', annotations: { 'strata.dev/data-plane': JSON.stringify({ cidrs: ['35.191.0.0/16'] }) } },
        spec: { gatewayClassName: 'gke-l7-global-external-managed', listeners: [{ name: 'http', protocol: 'HTTP', port: 80 }] },
      });
      new ApiObject(apps, 'route', {
        apiVersion: 'gateway.networking.k8s.io/v1', kind: 'HTTPRoute', metadata: { name: 'web' },
        spec: { parentRefs: [{ name: 'edge' }], rules: [{ backendRefs: [{ name: 'web', port: 80 }] }] },
      });
    }, (_platform, cluster) => cluster.capabilities.add('gateway-api'));
    expect(reported(fleet, 'network-flow-allowed')).toEqual([
      'error [network-flow-allowed] c/apps/shop/web: the data plane of Gateway shop/edge (35.191.0.0/16) → Deployment shop/web on TCP 8080 (declared by HTTPRoute shop/web) is blocked at the server: NetworkPolicy shop/default-deny limits the ingress of Deployment shop/web and none admits it; the client side does not restrict it',
    ]);
  });
});

describe('trigger-source-reachable', () => {
  const worker = (egress?: IEgressTarget[]) => (apps: Construct) => new Worker(apps as never, 'orders', {
    image, resources, egress,
    autoscaling: Autoscaling.events({ min: 0, max: 5, triggers: [Trigger.rabbitmq({ queue: 'orders', length: 20, auth: { host: SecretKey.of('rabbitmq', 'url') } })] }),
  });

  test('a typed worker scaled on RabbitMQ without egress to 5672 is a warning in development, an error in production, saying what to declare', () => {
    const message = 'c/apps/shop/orders/scaled-object: trigger "rabbitmq" (rabbitmq) scales Deployment shop/orders, which cannot open TCP 5672 anywhere: NetworkPolicies shop/allow-dns, shop/default-deny limit its egress and none allows that port, so it cannot reach its source';
    expect(reported(fleetOf('development', worker()), 'trigger-source-reachable')).toEqual([`warning [trigger-source-reachable] ${message}`]);
    expect(reported(fleetOf('production', worker()), 'trigger-source-reachable')).toEqual([`error [trigger-source-reachable] ${message}`]);
  });

  test('declared egress on the port satisfies it', () => {
    expect(reported(fleetOf('production', worker([Egress.toCidr('10.64.0.0/24', { ports: [5672] })])), 'trigger-source-reachable')).toEqual([]);
  });

  test('a hand-written ScaledObject with a Kafka trigger and a port in its metadata is checked on that port', () => {
    const fleet = fleetOf('production', (apps) => {
      webWorkload(apps, 'consumer');
      new ApiObject(apps, 'consumer-scaler', {
        apiVersion: 'keda.sh/v1alpha1', kind: 'ScaledObject', metadata: { name: 'consumer' },
        spec: { scaleTargetRef: { name: 'consumer' }, triggers: [{ type: 'kafka', metadata: { topic: 't', port: '19092' } }] },
      });
    });
    expect(reported(fleet, 'trigger-source-reachable')).toEqual([
      expect.stringContaining('trigger "kafka" (kafka) scales Deployment shop/consumer, which cannot open TCP 19092 anywhere'),
    ]);
  });
});

describe('network-peer-selects-pods', () => {
  test('Peer.workload naming no workload of the namespace is a warning with the closest name; an existing one is none', () => {
    const fleet = (peer: string) => fleetOf('production', (apps) => {
      new Worker(apps, 'scaler', { image, resources });
      new StatefulService(apps, 'db', { image, resources, ports: [{ name: 'pg', port: 5432 }], storage: { data: { path: '/d', size: '1Gi' } }, allowFrom: [Peer.workload(peer)] });
    });
    expect(reported(fleet('caler'), 'network-peer-selects-pods')).toEqual([
      'warning [network-peer-selects-pods] c/apps/shop/db/network-policy: ingress rule 1 admits the pods of namespace shop labelled app.kubernetes.io/instance=caler, app.kubernetes.io/name=caler, and no workload of the namespace has them (did you mean "scaler"?): the rule allows a flow to or from nobody',
    ]);
    expect(reported(fleet('scaler'), 'network-peer-selects-pods')).toEqual([]);
  });

  test('Egress.toWorkload to no workload of its own namespace is one too', () => {
    const fleet = fleetOf('production', (apps) => {
      new StatefulService(apps, 'db', { image, resources, ports: [{ name: 'pg', port: 5432 }], storage: { data: { path: '/d', size: '1Gi' } } });
      new Worker(apps, 'sync', { image, resources, egress: [Egress.toWorkload('dbb', { namespace: 'shop', ports: [5432] })] });
    });
    expect(reported(fleet, 'network-peer-selects-pods')).toEqual([
      'warning [network-peer-selects-pods] c/apps/shop/sync/egress-policy: egress rule 1 lets out to the pods of namespace shop labelled app.kubernetes.io/instance=dbb, app.kubernetes.io/name=dbb, and no workload of the namespace has them (did you mean "db"?): the rule allows a flow to or from nobody',
    ]);
  });

  test('a hand-written policy: a peer of another namespace, or selecting every pod, is not this rule\'s', () => {
    const fleet = fleetOf('production', (apps) => {
      webWorkload(apps, 'web');
      new ApiObject(apps, 'web-ingress', {
        apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'web-ingress' },
        spec: {
          podSelector: { matchLabels: labelsFor('web') }, policyTypes: ['Ingress'],
          ingress: [{ from: [{ podSelector: { matchLabels: { role: 'monitoring' } } }, { podSelector: {} }, { namespaceSelector: {}, podSelector: { matchLabels: { role: 'x' } } }] }],
        },
      });
    });
    expect(reported(fleet, 'network-peer-selects-pods')).toEqual([
      'warning [network-peer-selects-pods] c/apps/shop/web-ingress: ingress rule 1 admits the pods of namespace shop labelled role=monitoring, and no workload of the namespace has them: the rule allows a flow to or from nobody',
    ]);
  });
});

describe('trigger-source-reachable: the ports a trigger names', () => {
  test.each([
    ['kafka', { bootstrapServers: 'kafka-0.example.com:9093,kafka-1.example.com:9094,kafka-2.example.com:9093' }, [9093, 9094]],
    ['kafka', { bootstrapServers: 'kafka.example.com' }, [9092]],
    ['apache-kafka', { bootstrapServers: '[2001:db8::1]:19092' }, [19092]],
    ['redis', { address: 'cache.example.com:6380' }, [6380]],
    ['redis-cluster', { addresses: 'a:7000, b:7001' }, [7000, 7001]],
    ['redis-cluster', { hosts: 'a,b', ports: '7000,7001' }, [7000, 7001]],
    ['rabbitmq', { host: 'amqps://mq.example.com/orders' }, [5671]],
    ['rabbitmq', { host: 'amqp://guest@mq.example.com:5673' }, [5673]],
    ['rabbitmq', { host: 'http://mq.example.com:15672', protocol: 'http' }, []], // the management API: the consumer's port is the default
    ['postgresql', { host: 'db', port: '6432' }, [6432]],
    ['kafka', { bootstrapServers: 'kafka:99999' }, []],
  ] as const)('%s %j names %j', (type, metadata, ports) => {
    expect(metadataPorts(type, metadata)).toEqual(ports);
  });

  const consumer = (egressPort: number) => (apps: Construct) => new Worker(apps as never, 'orders', {
    image, resources,
    egress: [Egress.toCidr('10.0.0.0/8', { ports: [egressPort] })],
    autoscaling: Autoscaling.events({ min: 1, max: 5, triggers: [Trigger.kafka({ bootstrapServers: ['kafka.example.com:9093'], consumerGroup: 'orders', topic: 'orders', lagThreshold: 50 })] }),
  });

  test('a typed Kafka trigger is checked on the port of its brokers, not the default 9092', () => {
    expect(reported(fleetOf('production', consumer(9093)), 'trigger-source-reachable')).toEqual([]);
    expect(reported(fleetOf('production', consumer(9092)), 'trigger-source-reachable')).toEqual([
      expect.stringContaining('trigger "kafka" (kafka) scales Deployment shop/orders, which cannot open TCP 9093 anywhere'),
    ]);
  });
});

describe('allow-dns matches where each provider\'s resolvers run', () => {
  test.each(['aws', 'gcp', 'azure', 'onPremises'] as const)('%s: a tenant pod reaches every resolver of the provider on UDP and TCP 53', (name) => {
    const provider = Provider[name]({ acmeDns01: { cloudDns: { project: 'acme-dns' } } });
    const fleet = shopFleet((apps) => new Worker(apps, 'app', { image, resources }), { clusters: { c: { stage: Stage.PRODUCTION, provider } } });
    const objects = new ClusterObjects(rendered(fleet)[0]);
    const model = NetworkModel.of(objects);
    const app = podIndex(objects).of(objects.find('Deployment', 'shop', 'app')!)!;
    const resolvers = [
      ...provider.dns.pods.map((p) => ({ ...app, namespace: p.namespace, labels: { ...p.podLabels }, name: 'resolver' })),
      ...provider.dns.cidrs.map((c) => ({ kind: 'address' as const, cidr: parseCidr(c)! })),
    ];
    for (const resolver of resolvers) {
      for (const protocol of ['UDP', 'TCP'] as const) expect(model.check('Egress', app, resolver, { protocol, port: 53 })).toMatchObject({ allowed: true, allowedBy: { id: 'shop/allow-dns' } });
    }
    expect(model.check('Egress', app, { kind: 'address', cidr: parseCidr('8.8.8.8')! }, { protocol: 'UDP', port: 53 }).allowed).toBe(false);
  });

  test('node-local DNS caches are admitted where the provider runs them (a kube-dns selector alone misses them)', () => {
    expect(Provider.aws().dns.cidrs).toContain('169.254.20.10/32');
    expect(Provider.gcp().dns.cidrs).toEqual(['169.254.20.10/32', '169.254.169.254/32']);
  });
});

describe('generated fleets', () => {
  test('every flow declared through allowFrom among generated workloads passes both ends', () => {
    const names = ['a', 'b', 'c', 'd', 'e'];
    const graph = fc.record({
      kinds: fc.array(fc.constantFrom('worker', 'stateful'), { minLength: 5, maxLength: 5 }),
      edges: fc.uniqueArray(fc.tuple(fc.integer({ min: 0, max: 4 }), fc.integer({ min: 0, max: 4 }), fc.boolean()), { maxLength: 8, selector: ([a, b]) => `${a}>${b}` }),
      namespaces: fc.array(fc.constantFrom('shop', 'billing'), { minLength: 5, maxLength: 5 }),
    });
    fc.assert(fc.property(graph, ({ kinds, edges: generated, namespaces }) => {
      const edges = generated.filter(([from, to]) => from !== to);
      const fleet = shopFleet(() => undefined, { tenants: ['shop', 'billing'], clusters: { c: { stage: Stage.PRODUCTION } } });
      for (const ns of ['shop', 'billing']) {
        fleet.apps(ns, (apps) => {
          names.forEach((name, i) => {
            if (namespaces[i] !== ns) return;
            const peers = edges.filter(([, to]) => to === i).map(([from, , byName]) => (byName || namespaces[from] !== ns ? Peer.workload(names[from], { namespace: namespaces[from] }) : Peer.workload(names[from])));
            const ports = [{ name: 'tcp', port: 7000 + i }];
            if (kinds[i] === 'worker') new Worker(apps, name, { image, resources, ports, allowFrom: peers });
            else new StatefulService(apps, name, { image, resources, ports, storage: { data: { path: '/d', size: '1Gi' } }, allowFrom: peers });
          });
        });
      }
      const cluster = rendered(fleet)[0];
      const flows = flowsOf(cluster);
      expect(flows.filter((f) => f.includes('blocked'))).toEqual([]);
      const declared = new Set(edges.map(([from, to]) => `${from}>${to}`));
      expect(flows.filter((f) => !/StatefulSet shop\/(\w) → StatefulSet shop\/\1 /.test(f))).toHaveLength(declared.size);
    }), { numRuns: 15 });
  });
});

describe('ScaledJob egress', () => {
  const podSpec = { containers: [{ name: 'enc', image, resources: { requests: { cpu: k8s.Quantity.fromString('1'), memory: k8s.Quantity.fromString('1Gi') }, limits: { memory: k8s.Quantity.fromString('1Gi') } } }] };
  const jobFleet = (egress?: IEgressTarget[]) => shopFleet((apps, cluster) => {
    cluster.capabilities.add('keda');
    new ScaledJob(apps, 'encode', {
      podSpec, max: 5, egress, triggers: [Trigger.sqs({ queueUrl: 'https://sqs.eu-west-1.amazonaws.com/123456789012/videos', queueLength: 1 })],
    });
  }, { clusters: { c: { stage: Stage.PRODUCTION } } });

  test('renders <id>-egress for its pods, which lets the trigger\'s source be reached', () => {
    const fleet = jobFleet([Egress.toAnyAddress({ ports: [443] })]);
    const objects = rendered(fleet)[0].folders.flatMap((f) => f.objects);
    expect(objects.find((o) => o.manifest.metadata.name === 'encode-egress')?.manifest.spec).toEqual({
      podSelector: { matchLabels: labelsFor('encode') },
      policyTypes: ['Egress'],
      egress: [{ to: [{ ipBlock: { cidr: '0.0.0.0/0' } }, { ipBlock: { cidr: '::/0' } }], ports: [{ protocol: 'TCP', port: 443 }] }],
    });
  });

  test('without it, the SQS source is unreachable; a bad destination is an error', () => {
    expect(errorsOf(jobFleet())).toEqual([
      'c/apps/shop/encode/scaled-job: trigger "aws-sqs-queue" (aws-sqs-queue) scales ScaledJob shop/encode, which cannot open TCP 443 anywhere: NetworkPolicies shop/allow-dns, shop/default-deny limit its egress and none allows that port, so it cannot reach its source',
    ]);
    expect(errorsOf(jobFleet([Egress.toAnyAddress({ ports: [0] })]))).toContain('c/apps/shop/encode: Egress.toAnyAddress(): port 0 is not a port number (1-65535)');
  });
});
