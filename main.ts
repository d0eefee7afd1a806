import { k8s } from 'cdk8s-plus-27';
import { Components, Fleet, Provider, Stage } from './lib/index.js';

export const fleet = new Fleet({
  name: 'acme',
  domain: 'acme.dev',
  repository: { url: 'ssh://git@github.com/acme/fleet.git', branch: 'main' },
});

fleet.addCluster('dev-eu', { stage: Stage.DEVELOPMENT, region: 'eu-west-1', provider: Provider.aws() });
fleet.addCluster('prod-eu', { stage: Stage.PRODUCTION, region: 'eu-west-1', provider: Provider.aws() });
fleet.addCluster('prod-us', { stage: Stage.PRODUCTION, region: 'us-east1', provider: Provider.gcp() });

fleet.platform((platform) => {
  platform.install(Components.metricsServer());
  platform.install(Components.certManager({ email: 'platform@acme.dev' }));
  platform.install(Components.ingress());
  platform.install(Components.externalDns());
  platform.install(Components.keda());
  platform.install(Components.nodeAutoscaler()); // the provider picks Karpenter or cluster-autoscaler
  platform.install(Components.externalSecrets());
  platform.addTenant('shop', { quota: { cpu: '20', memory: '64Gi' }, group: 'team-shop' });
  platform.alerts({ type: 'slack', secretName: 'slack-webhook', channel: '#platform-alerts' });
});

fleet.apps('shop', (apps, cluster) => {
  new k8s.KubeConfigMap(apps, 'settings', {
    metadata: { name: 'settings' },
    data: { replicas: String(cluster.stage.pick({ development: 1, production: 3 })), host: `shop.${cluster.domain}` },
  });
});

fleet.synth();
