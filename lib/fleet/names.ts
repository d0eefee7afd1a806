import type { IConstruct } from 'constructs';
import { show } from './errors.js';

const DNS_1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS_1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/**
 * Checks a DNS-1123 label (namespaces, services, cluster and layer names): lowercase
 * alphanumerics and '-', starting and ending alphanumeric, at most 63 characters.
 * Returns an error message, or undefined when the name is valid. Names are never truncated.
 */
export function dnsLabelError(what: string, name: string): string | undefined {
  if (typeof name !== 'string' || !DNS_1123_LABEL.test(name) || name.length > 63) {
    return `${what} ${show(name)} is not a DNS-1123 label (lowercase letters, digits and '-', starting and ending with a letter or digit, at most 63 characters)`;
  }
  return undefined;
}

/** Checks a DNS-1123 subdomain (most object names): labels joined by '.', at most 253 characters. */
export function dnsSubdomainError(what: string, name: string): string | undefined {
  if (typeof name !== 'string' || !DNS_1123_SUBDOMAIN.test(name) || name.length > 253) {
    return `${what} ${show(name)} is not a DNS-1123 subdomain (lowercase letters, digits, '-' and '.', starting and ending with a letter or digit, at most 253 characters)`;
  }
  return undefined;
}

const PATH_SEGMENT = /^[A-Za-z0-9_][A-Za-z0-9._-]*$/;

/**
 * Checks the folder of dist/ inside the Git repository: relative segments of letters, digits,
 * '.', '_' and '-', none starting with '.'. It becomes a line of the GitRepository's ignore rules
 * (gitignore syntax, where a newline adds a rule and `!`, `#`, `*`, `[`, `\` and spaces mean
 * something) and part of every Flux Kustomization's path.
 */
export function repositoryPathError(path: string): string | undefined {
  if (typeof path !== 'string' || path === '' || !path.split('/').every((s) => PATH_SEGMENT.test(s))) {
    return `repositoryPath ${show(path)} is not a relative folder (segments of letters, digits, '.', '_' and '-' separated by '/', none starting with '.'): it becomes a line of the GitRepository's ignore rules and part of every Flux Kustomization path`;
  }
  return undefined;
}

/**
 * Checks a name strata gives a construct as its id. The constructs library takes an id named like
 * a member of `Object.prototype` (`constructor`, `toString`, `__proto__`, ...) for an existing
 * child, and refuses an empty one, so those are reported here rather than thrown from inside it.
 */
export function constructIdError(what: string, id: string): string | undefined {
  if (id === '') return `${what} is empty`;
  if (id in Object.prototype) {
    return `${what} ${show(id)} is reserved: the constructs library takes ids named like members of Object.prototype (constructor, toString, __proto__, ...) for existing children; choose another`;
  }
  return undefined;
}

/** An id the constructs library accepts for `name`: the name itself, or `(name)` when `constructIdError` refuses it (and reports why). */
export function constructId(name: string): string {
  return typeof name === 'string' && constructIdError('', name) === undefined ? name : `(${String(name)})`;
}

/** Path components cdk8s leaves out of generated names (the default child of a construct). */
const HIDDEN_IDS: ReadonlySet<string> = new Set(['Resource', 'Default']);

/**
 * The name of an object declared without `metadata.name` inside `chart`: the ids of the
 * constructs from the chart down to it, joined with '-' (`new kplus.ConfigMap(apps, 'settings')`
 * is `settings`), never the cluster, layer or namespace above it, so the same code gives the same
 * name on every cluster. Never hashed nor truncated: an id that is not a valid name is reported by
 * the structure check, which names the construct.
 */
export function nameBelow(chart: IConstruct, obj: IConstruct): string {
  const ids: string[] = [];
  for (let s: IConstruct | undefined = obj; s && s !== chart; s = s.node.scope) {
    if (!HIDDEN_IDS.has(s.node.id)) ids.unshift(s.node.id);
  }
  return ids.join('-');
}
