import type { ApiObject } from 'cdk8s';
import { addCheck, show } from '../fleet/errors.js';
import { UNCHECKED_ANNOTATION } from './schema.js';

/**
 * The visible escape from schema validation: marks `obj` as not checked against a schema (a kind
 * whose CRD is not in the repository, a field the pinned schema does not know yet), with the
 * reason. Rendered as the annotation `strata.dev/unchecked: <reason>`, so the output says it too;
 * `npm run synth` and `npm run validate` count such objects and list them. Every other check
 * (names, scope, references, policies) still runs.
 * @param reason why it cannot be checked, e.g. "CRD of vendor X is not published"
 * @returns `obj`
 * @example markUnchecked(new ApiObject(apps, 'probe', { apiVersion: 'example.com/v1', kind: 'Probe' }), 'vendor CRD not published')
 */
export function markUnchecked<T extends ApiObject>(obj: T, reason: string): T {
  if (typeof reason !== 'string' || reason.trim() === '') {
    addCheck(obj, () => [`markUnchecked(${obj.kind} ${show(obj.name)}): reason ${show(reason)} is empty: say why the object cannot be schema-checked`]);
    return obj;
  }
  obj.metadata.addAnnotation(UNCHECKED_ANNOTATION, reason.trim());
  return obj;
}
