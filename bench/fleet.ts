import { k8s } from 'cdk8s-plus-27';
import { Fleet, Provider, Stage } from '../lib/index.js';

/** A generated fleet: `clusters` clusters with `perCluster` workloads each. */
export function benchFleet(clusters: number, perCluster: number, outdir: string): Fleet {
  const fleet = new Fleet({ name: 'bench', domain: 'bench.example', outdir });
  for (let c = 0; c < clusters; c++) {
    fleet.addCluster(`cluster-${c}`, { stage: c % 2 ? Stage.PRODUCTION : Stage.DEVELOPMENT, region: `region-${c % 3}`, provider: c % 2 ? Provider.aws() : Provider.gcp() });
  }
  fleet.apps('bench', (apps) => {
    for (let w = 0; w < perCluster; w++) {
      const labels = { 'app.kubernetes.io/name': `svc-${w}` };
      new k8s.KubeDeployment(apps, `svc-${w}`, {
        metadata: { name: `svc-${w}` },
        spec: { selector: { matchLabels: labels }, template: { metadata: { labels }, spec: { containers: [{ name: 'app', image: 'nginx:1.27' }] } } },
      });
    }
  });
  return fleet;
}
