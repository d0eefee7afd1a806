import { Worker } from '../lib/index.js';
import { BASE, errorsOf, oneCluster } from './support/fleets.js';

// A waiver silences the pod-security-restricted rule; it does not change what a namespace's
// Pod Security admission lets in. These pods would be rejected by the API server, so synth says so.
describe('Pod Security admission of tenant namespaces', () => {
  const worker = (security: object, podSecurity: 'restricted' | 'baseline' | 'privileged') =>
    oneCluster((apps) => new Worker(apps, 'app', { ...BASE, security: { ...security, reason: 'vendor image' } }), { podSecurity });

  test('"baseline" admits running as root, "restricted" does not', () => {
    expect(() => worker({ allowRoot: true }, 'baseline').render()).not.toThrow();
    expect(errorsOf(worker({ allowRoot: true }, 'restricted'))).toEqual([
      expect.stringMatching(/^dev-eu\/apps\/shop\/app\/deployment: Deployment app: namespace "shop" enforces Pod Security "restricted", so the API server rejects these pods/),
    ]);
  });

  test('"baseline" rejects capabilities beyond its default set and an unconfined seccomp profile; "privileged" admits them', () => {
    expect(errorsOf(worker({ addCapabilities: ['NET_ADMIN'] }, 'baseline'))).toEqual([
      `dev-eu/apps/shop/app/deployment: Deployment app: namespace "shop" enforces Pod Security "baseline", so the API server rejects these pods (container "app" adds NET_ADMIN) whatever the waiver says: let the tenant admit them with podSecurity: 'privileged'`,
    ]);
    expect(errorsOf(worker({ seccompUnconfined: true }, 'baseline'))).toEqual([
      `dev-eu/apps/shop/app/deployment: Deployment app: namespace "shop" enforces Pod Security "baseline", so the API server rejects these pods (pod seccompProfile is Unconfined) whatever the waiver says: let the tenant admit them with podSecurity: 'privileged'`,
    ]);
    expect(() => worker({ addCapabilities: ['NET_ADMIN'], seccompUnconfined: true }, 'privileged').render()).not.toThrow();
  });

  test('the tenant namespace carries the level it enforces; audit and warn stay "restricted"', async () => {
    const { Testing } = await import('../lib/index.js');
    const ns = Testing.synth(worker({ allowRoot: true }, 'baseline')).objects.find((o) => o.kind === 'Namespace' && o.metadata.name === 'shop')!;
    expect(ns.metadata.labels).toMatchObject({
      'pod-security.kubernetes.io/enforce': 'baseline',
      'pod-security.kubernetes.io/audit': 'restricted',
      'pod-security.kubernetes.io/warn': 'restricted',
    });
  });
});
