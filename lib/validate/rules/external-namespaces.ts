// Namespaces created by another repository (platform.externalNamespace, a tenant's
// externalNamespace): strata knows their labels only when declared. A NetworkPolicy selecting
// namespaces by a label could then match one of them or not, and the network checks cannot tell.
import { NAMESPACE_NAME_LABEL } from '../network/evaluator.js';
import { arr, rec, selectorMatches, type Json } from '../objects.js';
import { ALWAYS_WARNING, type Rule, type Violation } from '../rule.js';

/** The part of a label selector about the namespace's name, and whether it asks anything else. */
function splitSelector(selector: Json): { byName: Json; byOtherLabels: string[] } {
  const matchLabels = rec(selector.matchLabels);
  const expressions = arr(selector.matchExpressions).map(rec);
  const other = [
    ...Object.keys(matchLabels).filter((k) => k !== NAMESPACE_NAME_LABEL),
    ...expressions.map((e) => String(e.key)).filter((k) => k !== NAMESPACE_NAME_LABEL),
  ];
  const byName = {
    matchLabels: NAMESPACE_NAME_LABEL in matchLabels ? { [NAMESPACE_NAME_LABEL]: matchLabels[NAMESPACE_NAME_LABEL] } : {},
    matchExpressions: expressions.filter((e) => e.key === NAMESPACE_NAME_LABEL),
  };
  return { byName, byOtherLabels: [...new Set(other)].sort() };
}

/** Every `namespaceSelector` of a NetworkPolicy's peers, with its field path. */
function namespaceSelectors(spec: Json): { field: string; selector: Json }[] {
  const found: { field: string; selector: Json }[] = [];
  for (const [direction, peers] of [['ingress', 'from'], ['egress', 'to']] as const) {
    arr(spec[direction]).forEach((rule, i) => arr(rec(rule)[peers]).forEach((peer, j) => {
      const selector = rec(peer).namespaceSelector;
      if (selector !== undefined) found.push({ field: `spec.${direction}[${i}].${peers}[${j}].namespaceSelector`, selector: rec(selector) });
    }));
  }
  return found;
}

export const externalNamespaceLabels: Rule = {
  id: 'external-namespace-labels',
  summary: 'A NetworkPolicy namespaceSelector that selects by a label other than kubernetes.io/metadata.name, where a namespace declared external (created by another repository) has no declared labels and its name does not rule it out: whether the policy admits that namespace is unknown to the checks.',
  hint: 'declare the labels the namespace\'s owner sets (platform.externalNamespace(name, { labels }) or a tenant\'s externalNamespace.labels), or select the namespace by kubernetes.io/metadata.name',
  severity: ALWAYS_WARNING,
  check: (objects) => {
    const unknown = (objects.cluster.externalNamespaces ?? []).filter((ns) => ns.labels === undefined).map((ns) => ns.name);
    if (unknown.length === 0) return [];
    return objects.ofKind('NetworkPolicy').flatMap((policy): Violation[] =>
      namespaceSelectors(rec(policy.manifest.spec)).flatMap(({ field, selector }) => {
        const { byName, byOtherLabels } = splitSelector(selector);
        if (byOtherLabels.length === 0) return [];
        const undecided = unknown.filter((ns) => selectorMatches(byName, { [NAMESPACE_NAME_LABEL]: ns }));
        return undecided.map((ns) => ({
          object: policy,
          message: `${field} selects namespaces by label (${byOtherLabels.join(', ')}), and namespace ${ns} is external with no declared labels: whether this policy admits it is unknown`,
          hint: `declare the labels of namespace ${ns} (platform.externalNamespace('${ns}', { labels: {...} })), or select namespaces by ${NAMESPACE_NAME_LABEL}`,
        }));
      }),
    );
  },
};
