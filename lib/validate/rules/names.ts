// Names, keys and values the API server, the kubelet, the container runtime, Flux or kustomize
// refuse (or silently change), checked once over every rendered object, typed or hand-written.
// The rules are those of Kubernetes 1.27 (k8s.io/apimachinery/pkg/util/validation and
// pkg/apis/core/validation), the target version of strata's schemas. Not waivable: no annotation
// changes what the cluster admits.
// https://kubernetes.io/docs/concepts/overview/working-with-objects/labels/#syntax-and-character-set
import type { Finding } from '../../fleet/errors.js';
import { parseImage } from '../../fleet/image.js';
import { parseQuantity } from '../../fleet/quantity.js';
import type { FleetModel, ResolvedObject } from '../../synth/model.js';
import { unbuildableKeyProblem, unbuildableProblem } from '../../synth/yaml.js';
import { arr, containersOf, describe, podTemplate, rec, str, type Json } from '../objects.js';
import { MAYBE_UNUSUAL, screenOf } from '../strings.js';

const QUALIFIED_NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const DNS_1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const ENV_VAR_NAME = /^[-._a-zA-Z][-._a-zA-Z0-9]*$/;
const CONFIG_MAP_KEY = /^[-._a-zA-Z0-9]+$/;
/** Largest user and group id (libcontainer's limit, IsValidUserID / IsValidGroupID). */
const MAX_ID = 2147483647;
/** Annotations of one object may hold at most 256 KiB (keys and values, in bytes). */
const ANNOTATIONS_LIMIT = 256 * 1024;
/** Digest algorithms the container runtime knows (opencontainers/go-digest) and their hex lengths. */
const DIGEST_LENGTHS: Readonly<Record<string, number>> = { sha256: 64, sha384: 96, sha512: 128 };
/** ResourceQuota resources that count objects, so their quantities must be whole numbers. */
const COUNTED = /^(count\/.+|pods|services|services\.loadbalancers|services\.nodeports|secrets|configmaps|persistentvolumeclaims|replicationcontrollers|resourcequotas|(.+\.storageclass\.storage\.k8s\.io\/)?persistentvolumeclaims)$/;
// Git's check-ref-format: no control characters, space, ~^:?*[\, no "..", "@{", "//", no component
// starting with "." or ending with ".lock", not starting or ending with "/", not ending with ".".
const BAD_REF = /[\x00-\x20\x7f~^:?*[\\]|\.\.|@\{|\/\/|(^|\/)\.|\.lock(\/|$)|^\/|\/$|\.$|^-|^@$/;

/** Why `key` is not a qualified name (`[prefix/]name`), or undefined (IsQualifiedName). */
export function qualifiedNameProblem(key: string): string | undefined {
  const parts = key.split('/');
  if (parts.length > 2) return 'has more than one "/" (a qualified name is [prefix/]name)';
  const [prefix, name] = parts.length === 2 ? parts : [undefined, parts[0]];
  if (prefix !== undefined && (prefix === '' || prefix.length > 253 || !DNS_1123_SUBDOMAIN.test(prefix))) {
    return 'has a prefix that is not a DNS-1123 subdomain (lowercase letters, digits, "-" and ".", at most 253 characters)';
  }
  if (name === '' || name.length > 63 || !QUALIFIED_NAME.test(name)) {
    return 'has a name part that is not 1-63 letters, digits, "-", "_" or ".", starting and ending with a letter or digit';
  }
  return undefined;
}

/** Why `value` is not a label value (IsValidLabelValue), or undefined. */
export function labelValueProblem(value: unknown): string | undefined {
  if (typeof value !== 'string') return 'is not a string';
  if (value !== '' && (value.length > 63 || !QUALIFIED_NAME.test(value))) return 'must be empty or 1-63 letters, digits, "-", "_" or ".", starting and ending with a letter or digit';
  return undefined;
}

/** Names `.`, `..` and `..*` are reserved (hasChDirPrefix): the kubelet writes `..data` next to projected files. */
function chDirProblem(value: string): string | undefined {
  if (value === '.' || value === '..') return `must not be "${value}"`;
  if (value.startsWith('..')) return 'must not start with ".." (the kubelet keeps its own "..data" there)';
  return undefined;
}

/** Why `name` is not an environment variable name (IsEnvVarName, Kubernetes 1.27), or undefined. */
export function envVarNameProblem(name: string): string | undefined {
  if (!ENV_VAR_NAME.test(name)) return 'is not letters, digits, "_", "-" or ".", not starting with a digit';
  return chDirProblem(name);
}

/** Why `key` is not a ConfigMap or Secret key (IsConfigMapKey), or undefined. */
export function configMapKeyProblem(key: string): string | undefined {
  if (key.length > 253 || !CONFIG_MAP_KEY.test(key)) return 'is not 1-253 letters, digits, "-", "_" or "."';
  return chDirProblem(key);
}

/** Why a volume file path is not relative and inside the volume (validateLocalNonReservedPath), or undefined. */
export function volumePathProblem(path: string, reserved: boolean): string | undefined {
  if (path === '') return 'is empty';
  if (path.startsWith('/')) return 'is absolute: it must be relative to the mount';
  if (path.split('/').includes('..')) return 'contains "..": it must stay inside the mount';
  return reserved && path.startsWith('..') ? 'must not start with ".." (the kubelet keeps its own "..data" there)' : undefined;
}

/** Why a Git branch name is not one Git (and Flux) accepts (git check-ref-format), or undefined. */
export function branchProblem(branch: string): string | undefined {
  return branch === '' || BAD_REF.test(branch)
    ? 'is not a Git branch name (no spaces, control characters, ~^:?*[\\, "..", "@{" or "//"; no part starting with "." or ending with ".lock"; not starting with "-" or ending with "/" or ".")'
    : undefined;
}

/** Why an image digest is not one the container runtime accepts (algorithm and length), or undefined. */
export function digestProblem(digest: string): string | undefined {
  const [algorithm, hex = ''] = digest.split(':', 2);
  const length = DIGEST_LENGTHS[algorithm];
  if (length === undefined) return `has the digest algorithm ${JSON.stringify(algorithm)}; the runtime knows ${Object.keys(DIGEST_LENGTHS).join(', ')}`;
  if (hex.length !== length || !/^[0-9a-f]+$/.test(hex)) return `has a ${algorithm} digest that is not ${length} lowercase hex digits`;
  return undefined;
}

type Report = (field: string, message: string) => void;

/** `spec.template.metadata` from the keys and indices leading to a value. */
function fieldOf(path: readonly (string | number)[]): string {
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? p : `.${p}`)).join('');
}

/**
 * Every string and key of the manifest: what kustomize cannot build unchanged, and numbers JSON
 * cannot hold. It visits every value of every object, so the field path is kept as a stack and
 * only joined for a report.
 */
function checkValues(value: unknown, path: (string | number)[], report: Report): void {
  if (typeof value === 'string') {
    if (MAYBE_UNUSUAL.test(value)) {
      const problem = unbuildableProblem(value);
      if (problem) report(fieldOf(path), `${show(value)} ${problem}`);
    }
  } else if (typeof value === 'number') {
    if (!Number.isFinite(value)) report(fieldOf(path), `is ${value}, which JSON and YAML cannot hold`);
  } else if (typeof value === 'bigint' || typeof value === 'symbol' || typeof value === 'function') {
    report(fieldOf(path), `is a ${typeof value}, which JSON and YAML cannot hold`);
  } else if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      path.push(i);
      checkValues(value[i], path, report);
      path.pop();
    }
  } else if (typeof value === 'object' && value !== null) {
    for (const key of Object.keys(value)) {
      if (key.length > 170 || key === '<<' || MAYBE_UNUSUAL.test(key)) {
        const problem = unbuildableKeyProblem(key);
        if (problem) report(fieldOf(path) || '(top level)', `key ${show(key)} ${problem}`);
      }
      path.push(key);
      checkValues((value as Json)[key], path, report);
      path.pop();
    }
  }
}

/**
 * Whether `checkValues` may report something in `manifest`: most objects have nothing to report,
 * and the screen (lib/validate/strings.ts, one walk shared with the credentials rule), which keeps
 * no field path, is much cheaper than the full walk. It used to stringify every object to JSON and search the text
 * (`mayBeUnbuildableText`), which was the largest single item of the validate phase: a string of
 * every object's JSON, allocated and scanned five times. It answers as that screen did for every
 * object whose problems it reports: JSON leaves out an object's `undefined`, function and symbol
 * values, so where the walk meets one that `checkValues` would report (or a value that is not plain
 * data, which JSON writes through `toJSON` or unboxes), it asks the JSON screen instead.
 */
function mayBeUnbuildable(manifest: Json): boolean {
  const found = screenOf(manifest).unbuildable;
  return found === 'ask-json' ? mayBeUnbuildableText(manifest) : found;
}

/**
 * What in an object's JSON text may hide a problem `checkValues` reports: an unusual character, the
 * escape JSON writes for a lone surrogate, a `"<<"` key, a `null` (which is also what JSON writes
 * for NaN and Infinity) or a key longer than 170 characters. The tests are kept apart because one
 * regular expression with all of them as alternatives tried each at every character of the text.
 */
const UNUSUAL_TEXT = /[\x7f-\x9f\u2028\u2029\ufffe\uffff]|\\u[dD][89a-fA-F]/;
/** A key (or string) of more than 170 characters, escapes included; only needed when a `\"` escape hides a quote. */
const LONG_KEY = /"(?:[^"\\]|\\.){171,}":/;

function mayBeUnbuildableText(manifest: Json): boolean {
  let text: string;
  try {
    text = JSON.stringify(manifest);
  } catch {
    return true; // a bigint, say: let checkValues name it
  }
  return UNUSUAL_TEXT.test(text) || text.includes('"<<"') || text.includes('null') || hasLongKey(text);
}

/**
 * Whether a key in JSON `text` may be longer than 170 characters. A key that long has at least
 * 171 characters between its quotes, so two quote characters that far apart exist unless an
 * escaped quote (`\"`) sits between them; only then is the full pattern needed.
 */
function hasLongKey(text: string): boolean {
  if (text.includes('\\"')) return LONG_KEY.test(text);
  for (let at = text.indexOf('"'); at >= 0;) {
    const next = text.indexOf('"', at + 1);
    if (next < 0) return false;
    if (next - at > 171) return true;
    at = next;
  }
  return false;
}


/** Shows a value for a message, escaping what a terminal would not show. */
function show(value: string): string {
  const s = value.length > 80 ? `${value.slice(0, 60)}…` : value;
  return JSON.stringify(s).replace(/[\x7f-\x9f\u2028\u2029\ufffe\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/**
 * `check` with its answers kept: a fleet repeats the same label and annotation keys and label
 * values (`app.kubernetes.io/name`, tenant names) on every object, and each answer takes a split
 * and regular expressions. Bounded, since keys and values are open-ended.
 */
function remembered(check: (s: string) => string | undefined): (s: string) => string | undefined {
  const answers = new Map<string, string | undefined>();
  return (s) => {
    if (answers.has(s)) return answers.get(s);
    const answer = check(s);
    if (answers.size >= 10_000) answers.clear();
    answers.set(s, answer);
    return answer;
  };
}

const labelKeyProblem = remembered(qualifiedNameProblem);
const stringLabelValueProblem = remembered(labelValueProblem);
const annotationKeyProblem = remembered((key) => qualifiedNameProblem(key.toLowerCase()));

function checkLabels(labels: unknown, field: string, report: Report): void {
  for (const [key, value] of Object.entries(rec(labels))) {
    const keyProblem = labelKeyProblem(key);
    if (keyProblem) report(field, `key ${show(key)} ${keyProblem}`);
    const valueProblem = typeof value === 'string' ? stringLabelValueProblem(value) : labelValueProblem(value);
    if (valueProblem) report(`${field}[${show(key)}]`, `value ${typeof value === 'string' ? show(value) : JSON.stringify(value)} ${valueProblem}`);
  }
}

function checkAnnotations(annotations: unknown, field: string, report: Report): void {
  let bytes = 0;
  for (const [key, value] of Object.entries(rec(annotations))) {
    const problem = annotationKeyProblem(key);
    if (problem) report(field, `key ${show(key)} ${problem}`);
    bytes += Buffer.byteLength(key) + Buffer.byteLength(typeof value === 'string' ? value : '');
  }
  if (bytes > ANNOTATIONS_LIMIT) report(field, `hold ${bytes} bytes; the API server takes at most ${ANNOTATIONS_LIMIT} (256 KiB)`);
}

function checkMetadata(metadata: unknown, field: string, report: Report): void {
  checkLabels(rec(metadata).labels, `${field}.labels`, report);
  checkAnnotations(rec(metadata).annotations, `${field}.annotations`, report);
}

function checkId(value: unknown, field: string, report: Report): void {
  if (value === undefined) return;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > MAX_ID) {
    report(field, `${JSON.stringify(value)} is not a user or group id: an integer from 0 to ${MAX_ID}`);
  }
}

function checkSecurityContext(ctx: unknown, field: string, report: Report): void {
  const c = rec(ctx);
  checkId(c.runAsUser, `${field}.runAsUser`, report);
  checkId(c.runAsGroup, `${field}.runAsGroup`, report);
  checkId(c.fsGroup, `${field}.fsGroup`, report);
  arr(c.supplementalGroups).forEach((g, i) => checkId(g, `${field}.supplementalGroups[${i}]`, report));
}

/** Memory in whole bytes: the kubelet cannot give a container a fraction of a byte. */
function checkMemory(value: unknown, field: string, report: Report): void {
  const bytes = parseQuantity(value);
  if (bytes !== undefined && !Number.isInteger(bytes)) {
    const hint = typeof value === 'string' && value.endsWith('m') ? ` (did you mean ${JSON.stringify(`${value}i`.replace(/mi$/, 'Mi'))}?)` : '';
    report(field, `${JSON.stringify(value)} is ${bytes} bytes, not a whole number of bytes${hint}`);
  }
}

function checkItems(items: unknown, field: string, report: Report, withKeys: boolean): void {
  arr(items).forEach((item, i) => {
    const { key, path } = rec(item);
    if (withKeys && typeof key === 'string') {
      const problem = configMapKeyProblem(key);
      if (problem) report(`${field}[${i}].key`, `${show(key)} ${problem}`);
    }
    if (typeof path === 'string') {
      const problem = volumePathProblem(path, true);
      if (problem) report(`${field}[${i}].path`, `${show(path)} ${problem}`);
    }
  });
}

function checkVolume(volume: unknown, field: string, report: Report): void {
  const v = rec(volume);
  checkItems(rec(v.configMap).items, `${field}.configMap.items`, report, true);
  checkItems(rec(v.secret).items, `${field}.secret.items`, report, true);
  checkItems(rec(v.downwardAPI).items, `${field}.downwardAPI.items`, report, false);
  arr(rec(v.projected).sources).forEach((source, i) => {
    const s = rec(source);
    const at = `${field}.projected.sources[${i}]`;
    checkItems(rec(s.configMap).items, `${at}.configMap.items`, report, true);
    checkItems(rec(s.secret).items, `${at}.secret.items`, report, true);
    checkItems(rec(s.downwardAPI).items, `${at}.downwardAPI.items`, report, false);
  });
}

function checkContainer(container: Json, field: string, report: Report): void {
  arr(container.env).forEach((env, i) => {
    const { name, valueFrom } = rec(env);
    if (typeof name === 'string') {
      const problem = envVarNameProblem(name);
      if (problem) report(`${field}.env[${i}].name`, `${show(name)} ${problem}`);
    }
    for (const ref of ['configMapKeyRef', 'secretKeyRef'] as const) {
      const key = str(rec(rec(valueFrom)[ref]).key);
      const problem = key === undefined ? undefined : configMapKeyProblem(key);
      if (problem) report(`${field}.env[${i}].valueFrom.${ref}.key`, `${show(key!)} ${problem}`);
    }
  });
  arr(container.envFrom).forEach((from, i) => {
    const prefix = str(rec(from).prefix);
    const problem = prefix ? envVarNameProblem(prefix) : undefined;
    if (problem) report(`${field}.envFrom[${i}].prefix`, `${show(prefix!)} ${problem}`);
  });
  arr(container.volumeMounts).forEach((mount, i) => {
    const subPath = str(rec(mount).subPath);
    const problem = subPath ? volumePathProblem(subPath, false) : undefined;
    if (problem) report(`${field}.volumeMounts[${i}].subPath`, `${show(subPath!)} ${problem}`);
  });
  checkSecurityContext(container.securityContext, `${field}.securityContext`, report);
  const resources = rec(container.resources);
  for (const kind of ['requests', 'limits'] as const) checkMemory(rec(resources[kind]).memory, `${field}.resources.${kind}.memory`, report);
  const image = str(container.image);
  const digest = image === undefined ? undefined : parseImage(image).digest;
  const problem = digest === undefined ? undefined : digestProblem(digest);
  if (problem) report(`${field}.image`, `${show(image!)} ${problem}`);
}

function checkPod(pod: Json, at: string, report: Report): void {
  checkSecurityContext(pod.securityContext, `${at}.securityContext`, report);
  arr(pod.volumes).forEach((v, i) => checkVolume(v, `${at}.volumes[${i}]`, report));
  for (const c of containersOf(pod)) {
    const index = arr(pod[c.field]).indexOf(c.spec);
    checkContainer(c.spec, `${at}.${c.field}[${index}]`, report);
  }
}

function checkDataKeys(manifest: Json, fields: readonly string[], report: Report): void {
  const seen = new Map<string, string>();
  for (const field of fields) {
    for (const key of Object.keys(rec(manifest[field]))) {
      const problem = configMapKeyProblem(key);
      if (problem) report(field, `key ${show(key)} ${problem}`);
      const other = seen.get(key);
      if (other && !(manifest.kind === 'Secret' && field === 'stringData')) report(field, `key ${show(key)} is also in ${other}: a key may appear once`);
      seen.set(key, field);
    }
  }
}

function checkQuota(manifest: Json, report: Report): void {
  for (const [resource, value] of Object.entries(rec(rec(manifest.spec).hard))) {
    const amount = parseQuantity(value);
    const field = `spec.hard[${show(resource)}]`;
    // A malformed quantity is the schema's to report; a negative one passes the schema.
    if (amount === undefined) {
      if (typeof value === 'string' ? value.startsWith('-') : typeof value === 'number' && value < 0) report(field, `${JSON.stringify(value)} is negative: a quota is at least 0`);
    } else if (COUNTED.test(resource) && !Number.isInteger(amount)) report(field, `${JSON.stringify(value)} is not a whole number: ${resource} counts objects`);
    else if (/(^|\.)memory$/.test(resource)) checkMemory(value, field, report);
  }
}

/** Every problem of one object, as `field: message`. */
export function objectNameProblems(obj: ResolvedObject): { field: string; message: string }[] {
  const problems: { field: string; message: string }[] = [];
  const report: Report = (field, message) => problems.push({ field, message });
  const manifest = obj.manifest as unknown as Json;
  if (mayBeUnbuildable(manifest)) checkValues(manifest, [], report);
  checkMetadata(manifest.metadata, 'metadata', report);
  const kind = obj.manifest.kind;
  const template = podTemplate(obj);
  if (template) {
    if (kind !== 'Pod') checkMetadata(templateMetadata(manifest, template.at), template.at.replace(/\.spec$/, '.metadata'), report);
    checkPod(template.spec, template.at, report);
  }
  const selector = rec(manifest.spec).selector;
  if (kind === 'Service') checkLabels(selector, 'spec.selector', report);
  else checkLabels(rec(selector).matchLabels, 'spec.selector.matchLabels', report);
  if (kind === 'CronJob') checkMetadata(rec(rec(manifest.spec).jobTemplate).metadata, 'spec.jobTemplate.metadata', report);
  if (kind === 'ConfigMap') checkDataKeys(manifest, ['data', 'binaryData'], report);
  if (kind === 'Secret') checkDataKeys(manifest, ['data', 'stringData'], report);
  if (kind === 'ResourceQuota') checkQuota(manifest, report);
  if (kind === 'GitRepository') {
    const branch = str(rec(rec(manifest.spec).ref).branch);
    const problem = branch === undefined ? undefined : branchProblem(branch);
    if (problem) report('spec.ref.branch', `${show(branch!)} ${problem}`);
  }
  return problems;
}

/** The metadata next to a pod spec at `at` (e.g. `spec.template.spec` → `spec.template.metadata`). */
function templateMetadata(manifest: Json, at: string): unknown {
  let node: unknown = manifest;
  for (const key of at.split('.').slice(0, -1)) node = rec(node)[key];
  return rec(node).metadata;
}

/**
 * Names, keys and values Kubernetes, the container runtime, Flux or kustomize refuse, on every
 * rendered object of every cluster: label keys and values, annotation keys and size, environment
 * variable names, ConfigMap and Secret keys, volume item paths and subPaths, user and group ids,
 * ResourceQuota amounts, memory in whole bytes, image digests, Git branch names, and strings or
 * keys kustomize cannot build unchanged. Each finding names the field and what is valid.
 */
export function checkNames(model: FleetModel): Finding[] {
  const findings: Finding[] = [];
  for (const cluster of model.clusters) {
    for (const obj of [...cluster.folders.flatMap((f) => f.objects), ...cluster.layers, ...cluster.sources]) {
      for (const { field, message } of objectNameProblems(obj)) findings.push({ path: obj.path, object: describe(obj), message: `${field}: ${message}` });
    }
  }
  return findings;
}
