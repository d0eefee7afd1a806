// Rules on what the kubelet puts into a pod's environment behind the app's back.
import { namespaceOf, nameOf, type ClusterObjects } from '../objects.js';
import { ALWAYS_WARNING, type Rule, type Violation } from '../rule.js';

/** `REDIS_PORT`-style prefix the kubelet derives from a Service name. */
function envPrefix(service: string): string {
  return service.toUpperCase().replace(/-/g, '_');
}

export const serviceLinks: Rule = {
  id: 'service-links',
  summary: 'Every pod template in a namespace with Services sets enableServiceLinks: false. Otherwise the kubelet injects `<SERVICE>_SERVICE_HOST`, `<SERVICE>_PORT=tcp://...` and more for every Service of the namespace into every container, so a Service named redis sets REDIS_PORT in every pod and overrides what the app reads (DNS finds Services without them).',
  hint: 'set spec.enableServiceLinks: false on the pod template (strata workloads do), and find Services by DNS name',
  severity: ALWAYS_WARNING,
  check: (objects: ClusterObjects) =>
    objects.workloads().flatMap(({ object, template }): Violation[] => {
      if (template.spec.enableServiceLinks === false) return [];
      const services = objects.ofKindIn('Service', namespaceOf(object)).map(nameOf).sort();
      if (services.length === 0) return [];
      const shown = services.slice(0, 3).map((s) => `${envPrefix(s)}_PORT (Service ${s})`).join(', ');
      const more = services.length > 3 ? ` and ${services.length - 3} more` : '';
      return [{ object, message: `leaves enableServiceLinks on: every container gets variables such as ${shown}${more}, which override settings of the same name` }];
    }),
};
