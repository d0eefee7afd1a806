import { k8s } from 'cdk8s-plus-27';
import { Capability, Fleet, NodePool, Provider, Stage } from './lib/index.js';

export const fleet = new Fleet({
  name: 'acme',
  domain: 'acme.dev',
  repository: { url: 'ssh://git@github.com/acme/fleet.git', branch: 'main' },
});

fleet.addCluster('dev-eu', { stage: Stage.DEVELOPMENT, region: 'eu-west-1', provider: Provider.aws() });
fleet.addCluster('prod-eu', { stage: Stage.PRODUCTION, region: 'eu-west-1', provider: Provider.aws() });
fleet.addCluster('prod-us', { stage: Stage.PRODUCTION, region: 'us-east1', provider: Provider.gcp() });

fleet.platform((platform, cluster) => {
  new k8s.KubeNamespace(platform.configs, 'shop', { metadata: { name: 'shop' } });
  // TODO(platform): Components.nodeAutoscaler() adds this capability (and installs Karpenter) once it exists.
  if (cluster.provider.nodeAutoscaler === 'karpenter') cluster.capabilities.add(Capability.KARPENTER);
  // Karpenter NodePool + EC2NodeClass on aws; on gcp the node group is cloud-managed and only recorded.
  new NodePool(platform, 'general', {
    capacityTypes: cluster.stage.pick({ development: ['spot'], production: ['spot', 'on-demand'] }),
    cpu: { min: 2, max: 16 },
    memory: { max: '64Gi' },
    limits: cluster.stage.pick({ development: { cpu: 64, memory: '256Gi' }, production: { cpu: 400, memory: '1600Gi' } }),
  });
});

fleet.apps('shop', (apps, cluster) => {
  new k8s.KubeConfigMap(apps, 'settings', {
    metadata: { name: 'settings' },
    data: { replicas: String(cluster.stage.pick({ development: 1, production: 3 })), host: `shop.${cluster.domain}` },
  });
});

fleet.synth();
