// The NetworkPolicy evaluator against the cases of the Kubernetes documentation:
// https://kubernetes.io/docs/concepts/services-networking/network-policies/
import type { ResolvedObject } from '../lib/synth/model.js';
import { cidrContains, parseCidr } from '../lib/validate/network/cidr.js';
import type { Endpoint, PodEndpoint, Port } from '../lib/validate/network/endpoints.js';
import { NetworkModel } from '../lib/validate/network/evaluator.js';
import { readPolicy } from '../lib/validate/network/policy.js';

function policy(name: string, namespace: string, spec: Record<string, unknown>): ResolvedObject {
  return { path: `test/${name}`, manifest: { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name, namespace }, spec } };
}

function pod(namespace: string, labels: Record<string, string>, named: Record<string, number> = {}): PodEndpoint {
  const object: ResolvedObject = { path: 'test/pod', manifest: { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace } } };
  const namedPorts = new Map(Object.entries(named).map(([n, port]) => [n, { protocol: 'TCP' as const, port }]));
  return { kind: 'pod', namespace, labels, namedPorts, ports: [...namedPorts.values()], object, name: `Pod ${namespace}/p` };
}

function address(cidr: string): Endpoint {
  return { kind: 'address', cidr: parseCidr(cidr)! };
}

const tcp = (port: number): Port => ({ protocol: 'TCP', port });
const NAMESPACES = new Map([
  ['shop', { team: 'shop' }],
  ['billing', { team: 'billing' }],
  ['monitoring', { team: 'platform' }],
]);

function model(...policies: ResolvedObject[]): NetworkModel {
  return new NetworkModel(policies.map(readPolicy), NAMESPACES);
}

const db = pod('shop', { app: 'db' });
const web = pod('shop', { app: 'web' });
const billingWeb = pod('billing', { app: 'web' });
const billingApi = pod('billing', { app: 'api' });

describe('NetworkPolicy evaluation', () => {
  test('a pod no policy selects allows everything, in both directions', () => {
    const m = model(policy('other', 'shop', { podSelector: { matchLabels: { app: 'other' } }, policyTypes: ['Ingress', 'Egress'] }));
    expect(m.flow(web, db, tcp(5432))).toEqual({ egress: { allowed: true, isolating: [] }, ingress: { allowed: true, isolating: [] } });
  });

  test('namespaceSelector and podSelector in one peer select pods matching both; in two peers, pods matching either', () => {
    const ingress = (from: unknown[]) => model(policy('db', 'shop', { podSelector: { matchLabels: { app: 'db' } }, ingress: [{ from }] }));
    const one = ingress([{ namespaceSelector: { matchLabels: { team: 'billing' } }, podSelector: { matchLabels: { app: 'web' } } }]);
    expect(one.check('Ingress', db, billingWeb, tcp(5432)).allowed).toBe(true);
    expect(one.check('Ingress', db, billingApi, tcp(5432)).allowed).toBe(false);
    expect(one.check('Ingress', db, web, tcp(5432)).allowed).toBe(false);
    const two = ingress([{ namespaceSelector: { matchLabels: { team: 'billing' } } }, { podSelector: { matchLabels: { app: 'web' } } }]);
    expect(two.check('Ingress', db, billingApi, tcp(5432)).allowed).toBe(true);
    expect(two.check('Ingress', db, web, tcp(5432)).allowed).toBe(true);
    expect(two.check('Ingress', db, pod('monitoring', { app: 'web' }), tcp(5432)).allowed).toBe(false);
  });

  test('a podSelector alone selects in the policy\'s namespace; an empty one selects all its pods; an empty namespaceSelector all namespaces', () => {
    const ingress = (from: unknown[]) => model(policy('db', 'shop', { podSelector: { matchLabels: { app: 'db' } }, ingress: [{ from }] }));
    expect(ingress([{ podSelector: { matchLabels: { app: 'web' } } }]).check('Ingress', db, billingWeb, tcp(1)).allowed).toBe(false);
    const sameNamespace = ingress([{ podSelector: {} }]);
    expect(sameNamespace.check('Ingress', db, web, tcp(1)).allowed).toBe(true);
    expect(sameNamespace.check('Ingress', db, billingWeb, tcp(1)).allowed).toBe(false);
    expect(ingress([{ namespaceSelector: {} }]).check('Ingress', db, pod('elsewhere', {}), tcp(1)).allowed).toBe(true);
    expect(ingress([{ namespaceSelector: { matchExpressions: [{ key: 'team', operator: 'In', values: ['billing', 'platform'] }] } }])
      .check('Ingress', db, pod('monitoring', {}), tcp(1)).allowed).toBe(true);
  });

  test('a rule without from (or with an empty one) admits every source; a policy without rules admits none', () => {
    expect(model(policy('db', 'shop', { podSelector: {}, ingress: [{ ports: [{ port: 5432 }] }] })).check('Ingress', db, address('8.8.8.8'), tcp(5432)).allowed).toBe(true);
    const deny = model(policy('deny', 'shop', { podSelector: {}, policyTypes: ['Ingress'] }));
    expect(deny.check('Ingress', db, web, tcp(5432))).toMatchObject({ allowed: false, isolating: [{ id: 'shop/deny' }] });
  });

  test('ipBlock matches addresses in cidr outside except, and never pods', () => {
    const m = model(policy('out', 'shop', { podSelector: {}, policyTypes: ['Egress'], egress: [{ to: [{ ipBlock: { cidr: '10.0.0.0/8', except: ['10.1.0.0/16'] } }] }] }));
    expect(m.check('Egress', web, address('10.2.3.4'), tcp(443)).allowed).toBe(true);
    expect(m.check('Egress', web, address('10.2.0.0/24'), tcp(443)).allowed).toBe(true);
    expect(m.check('Egress', web, address('10.1.2.3'), tcp(443)).allowed).toBe(false);
    expect(m.check('Egress', web, address('10.0.0.0/7'), tcp(443)).allowed).toBe(false);
    expect(m.check('Egress', web, address('192.168.0.1'), tcp(443)).allowed).toBe(false);
    expect(m.check('Egress', web, db, tcp(443)).allowed).toBe(false);
    const v6 = model(policy('v6', 'shop', { podSelector: {}, policyTypes: ['Egress'], egress: [{ to: [{ ipBlock: { cidr: '2001:db8::/32' } }] }] }));
    expect(v6.check('Egress', web, address('2001:db8:1::5'), tcp(443)).allowed).toBe(true);
    expect(v6.check('Egress', web, address('10.2.3.4'), tcp(443)).allowed).toBe(false);
  });

  test('ports: number, range with endPort, protocol (TCP by default), named port of the destination pod', () => {
    const m = model(policy('db', 'shop', {
      podSelector: { matchLabels: { app: 'db' } },
      ingress: [{ ports: [{ port: 5000, endPort: 5010 }, { protocol: 'UDP', port: 53 }, { port: 'metrics' }] }],
    }));
    expect(m.check('Ingress', db, web, tcp(5000)).allowed).toBe(true);
    expect(m.check('Ingress', db, web, tcp(5010)).allowed).toBe(true);
    expect(m.check('Ingress', db, web, tcp(5011)).allowed).toBe(false);
    expect(m.check('Ingress', db, web, tcp(53)).allowed).toBe(false);
    expect(m.check('Ingress', db, web, { protocol: 'UDP', port: 53 }).allowed).toBe(true);
    const named = pod('shop', { app: 'db' }, { metrics: 9090 });
    expect(m.check('Ingress', named, web, tcp(9090)).allowed).toBe(true);
    expect(m.check('Ingress', db, web, tcp(9090)).allowed).toBe(false);
  });

  test('policyTypes, when absent, are Ingress plus Egress only when the policy has egress rules', () => {
    const egressOnly = { podSelector: {}, egress: [{ to: [{ podSelector: { matchLabels: { app: 'db' } } }] }] };
    const m = model(policy('inferred', 'shop', egressOnly));
    expect([...m.policiesSelecting(web).Egress.map((p) => p.id)]).toEqual(['shop/inferred']);
    expect(m.check('Egress', web, db, tcp(5432)).allowed).toBe(true);
    expect(m.check('Egress', web, billingWeb, tcp(5432)).allowed).toBe(false);
    // Inferred Ingress with no ingress rule: isolated, nothing admitted.
    expect(m.check('Ingress', web, db, tcp(80)).allowed).toBe(false);
    const noEgress = model(policy('ingress-only', 'shop', { podSelector: {}, egress: [] }));
    expect(noEgress.policiesSelecting(web).Egress).toEqual([]);
    const explicit = model(policy('egress', 'shop', { podSelector: {}, policyTypes: ['Egress'] }));
    expect(explicit.check('Ingress', web, db, tcp(80)).allowed).toBe(true);
    expect(explicit.check('Egress', web, db, tcp(80)).allowed).toBe(false);
  });

  test('policies add up: any policy selecting the pod may allow the connection, and the verdict names it', () => {
    const m = model(
      policy('deny', 'shop', { podSelector: {}, policyTypes: ['Ingress', 'Egress'] }),
      policy('db-ingress', 'shop', { podSelector: { matchLabels: { app: 'db' } }, policyTypes: ['Ingress'], ingress: [{ from: [{ podSelector: { matchLabels: { app: 'web' } } }], ports: [{ port: 5432 }] }] }),
    );
    const blocked = m.flow(web, db, tcp(5432));
    expect(blocked.ingress).toMatchObject({ allowed: true, allowedBy: { id: 'shop/db-ingress' } });
    expect(blocked.egress).toMatchObject({ allowed: false, isolating: [{ id: 'shop/deny' }] });
    const withEgress = model(
      policy('deny', 'shop', { podSelector: {}, policyTypes: ['Ingress', 'Egress'] }),
      policy('db-ingress', 'shop', { podSelector: { matchLabels: { app: 'db' } }, ingress: [{ from: [{ podSelector: { matchLabels: { app: 'web' } } }], ports: [{ port: 5432 }] }] }),
      policy('web-egress', 'shop', { podSelector: { matchLabels: { app: 'web' } }, policyTypes: ['Egress'], egress: [{ to: [{ podSelector: { matchLabels: { app: 'db' } } }], ports: [{ port: 5432 }] }] }),
    );
    expect(withEgress.flow(web, db, tcp(5432))).toMatchObject({ egress: { allowed: true, allowedBy: { id: 'shop/web-egress' } }, ingress: { allowed: true } });
    expect(withEgress.flow(web, db, tcp(5433)).egress.allowed).toBe(false);
  });

  test('a namespace the cluster does not declare is seen with its name label only', () => {
    const m = model(policy('db', 'shop', { podSelector: {}, ingress: [{ from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } } }] }] }));
    expect(m.check('Ingress', db, pod('kube-system', {}), tcp(1)).allowed).toBe(true);
    expect(m.labelsOfNamespace('shop')).toEqual({ team: 'shop', 'kubernetes.io/metadata.name': 'shop' });
  });
});

describe('CIDRs', () => {
  test('parse IPv4 and IPv6 and reject what is not one', () => {
    expect(parseCidr('10.0.0.0/8')).toMatchObject({ prefix: 8, v6: false });
    expect(parseCidr('::/0')).toMatchObject({ prefix: 0, v6: true });
    expect(parseCidr('169.254.20.10')).toMatchObject({ prefix: 32 });
    for (const bad of ['10.0.0.256/8', '10.0.0.0/33', '10.0.0/8', '2001:db8::1::/64', 'example.com', '10.0.0.0/8/1']) expect(parseCidr(bad)).toBeUndefined();
    expect(cidrContains(parseCidr('10.0.0.0/8')!, parseCidr('10.255.255.255')!)).toBe(true);
    expect(cidrContains(parseCidr('10.0.0.0/8')!, parseCidr('11.0.0.0')!)).toBe(false);
  });
});
