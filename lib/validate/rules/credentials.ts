// Credentials never reach Git in plaintext, wherever an object carries strings: dist/ is readable
// by everyone who can read the repository, and Git keeps every value forever. Secret objects are
// the rule secret-plaintext's; this rule covers every other place a credential slips into.
import type { ResolvedObject } from '../../synth/model.js';
import { arr, containersOf, rec, str, type ClusterObjects, type Json } from '../objects.js';
import { ALWAYS_ERROR, type Rule, type Violation } from '../rule.js';
import { mayHoldCredentialShape, screenOf } from '../strings.js';

/** Id of the rule; waivers of it name the field (see `CREDENTIAL_WAIVER_ANNOTATION`). */
export const PLAINTEXT_CREDENTIAL = 'plaintext-credential';

/**
 * Annotation holding the per-field waivers of an object, as a JSON object of field → reason,
 * e.g. `{"spec.template.spec.containers[0].env[1].value":"public demo token of the sandbox API"}`.
 */
export const CREDENTIAL_WAIVER_ANNOTATION = `strata.dev/waive-fields.${PLAINTEXT_CREDENTIAL}`;

/** Kinds left alone: Secrets are secret-plaintext's, CRDs hold schemas and examples, no values. */
const SKIPPED_KINDS: ReadonlySet<string> = new Set(['Secret', 'CustomResourceDefinition']);

/** A credential found in one string field. */
export interface Hit {
  /** JSON path of the field, e.g. `spec.template.spec.containers[0].env[1]`. */
  readonly field: string;
  /** What was found, with the secret part masked: `a password (DB_PASSWORD)`, `a GitHub token (ghp_****)`. */
  readonly what: string;
  readonly hint: string;
}

// --- by name -----------------------------------------------------------------------------------

/** Words of a key: `DB_PASSWORD`, `dbPassword`, `db-password` and `db.password` all give db, password. */
function words(key: string): string[] {
  return key
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((w) => w.toLowerCase());
}

/** Word sequences that name a credential. */
const SECRET_WORDS: readonly (readonly string[])[] = [
  ['password'], ['passwd'], ['passphrase'], ['secret'], ['token'], ['credential'], ['credentials'],
  ['apikey'], ['api', 'key'], ['privatekey'], ['private', 'key'], ['secretkey'], ['accesstoken'], ['authtoken'],
];

/**
 * Last words that make a key *about* a credential rather than the credential: where it is
 * (`TOKEN_URL`, `PASSWORD_FILE`), what it is called (`secretName`, `passwordKey`, `tokenRef`),
 * or a setting of it (`TOKEN_TTL`, `PASSWORD_MIN_LENGTH`).
 */
const ABOUT_WORDS: ReadonlySet<string> = new Set([
  'url', 'uri', 'endpoint', 'host', 'file', 'path', 'dir', 'name', 'names', 'ref', 'key', 'keys', 'env', 'from',
  'length', 'ttl', 'expiry', 'expiration', 'lifetime', 'timeout', 'type', 'header', 'field', 'enabled', 'required', 'policy',
]);

/** Words before a final "key" that make it a key itself rather than the name of one. */
const KEY_QUALIFIERS: ReadonlySet<string> = new Set(['private', 'api', 'secret', 'access', 'signing', 'encryption', 'master']);

/** The credential a key names (`password`, `token`, ...), or undefined for keys that do not name one. */
export function credentialName(key: string): string | undefined {
  const w = words(key);
  const last = w[w.length - 1];
  // `passwordKey` names a key in a Secret, `PRIVATE_KEY` and `API_KEY` are the key itself.
  const keyItself = last === 'key' && KEY_QUALIFIERS.has(w[w.length - 2]);
  if (w.length === 0 || (ABOUT_WORDS.has(last) && !keyItself) || w[0] === 'existing') return undefined;
  for (const seq of SECRET_WORDS) {
    for (let i = 0; i + seq.length <= w.length; i++) {
      if (seq.every((s, j) => w[i + j] === s)) return seq.join(' ');
    }
  }
  return undefined;
}

/** `${VAR}` (Flux post-build, shell), `$(VAR)` (Kubernetes env expansion), `{{ ... }}` (templates): a reference, not a value. */
const REFERENCE = /\$\{[^}]*\}|\$\([^)]*\)|\{\{.*\}\}/;

/** A value worth reporting under a credential name: not empty, not a reference, not a switch. */
function isLiteral(value: string): boolean {
  const v = value.trim();
  return v !== '' && !REFERENCE.test(v) && !/^(true|false|yes|no|on|off|null|none)$/i.test(v);
}

// --- by shape ----------------------------------------------------------------------------------

interface Shape {
  readonly what: string;
  readonly pattern: RegExp;
  /** The match with its secret part masked. */
  readonly mask: (match: RegExpExecArray) => string;
  /** The secret part, when it may be a reference (`${PASSWORD}`): then the match is none. @default none */
  readonly secret?: (match: RegExpExecArray) => string;
}

const keep = (n: number) => (m: RegExpExecArray) => `${m[0].slice(0, n)}****`;

/** Credentials recognisable by their form alone, whatever the key. */
const SHAPES: readonly Shape[] = [
  {
    what: 'a URL with a password',
    // scheme://user:password@host; a password that is a reference is not one.
    pattern: /\b([a-z][a-z0-9+.-]*:\/\/)([^\s/:@]*):([^\s/@]+)@([^\s/?#]*)/i,
    mask: (m) => `${m[1]}${m[2]}:****@${m[4]}`,
    secret: (m) => m[3],
  },
  {
    what: 'a URL with credentials in its userinfo',
    // https://<token>@host: a user alone in an HTTP(S) URL is a token (ssh://git@host is not HTTP).
    pattern: /\bhttps?:\/\/([^\s/:@]+)@([^\s/?#]*)/i,
    mask: (m) => `${m[0].slice(0, m[0].indexOf('://') + 3)}****@${m[2]}`,
    secret: (m) => m[1],
  },
  { what: 'a PEM private key', pattern: /-----BEGIN ([A-Z0-9]+ )*PRIVATE KEY-----/, mask: (m) => `${m[0]} …` },
  { what: 'an AWS access key id', pattern: /\b(AKIA|ASIA)[0-9A-Z]{16}\b/, mask: keep(4) },
  { what: 'a GitHub token', pattern: /\bgh[pousr]_[A-Za-z0-9]{30,}\b/, mask: keep(4) },
  { what: 'a GitHub token', pattern: /\bgithub_pat_[A-Za-z0-9_]{40,}\b/, mask: keep(11) },
  { what: 'a GitLab token', pattern: /\bglpat-[A-Za-z0-9_-]{20,}\b/, mask: keep(6) },
  { what: 'a Slack token', pattern: /\bxox[abposr]-[A-Za-z0-9-]{10,}/, mask: keep(5) },
  { what: 'a Google API key', pattern: /\bAIza[0-9A-Za-z_-]{35}\b/, mask: keep(4) },
  { what: 'a Stripe secret key', pattern: /\b[sr]k_live_[0-9A-Za-z]{20,}\b/, mask: keep(8) },
  { what: 'a JSON Web Token', pattern: /\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*/, mask: keep(3) },
  {
    what: 'a connection string with a key or password',
    pattern: /(?:^|;)\s*(AccountKey|SharedAccessKey|Password|Pwd)=([^;]+)/i,
    mask: (m) => `${m[1]}=****`,
    secret: (m) => m[2],
  },
];

function shapeOf(value: string): string | undefined {
  // The cheap pre-filter (lib/validate/strings.ts): a string it rejects matches none of the shapes.
  if (!mayHoldCredentialShape(value)) return undefined;
  for (const shape of SHAPES) {
    const m = shape.pattern.exec(value);
    if (!m || (shape.secret && REFERENCE.test(shape.secret(m)))) continue;
    return `${shape.what} (${shape.mask(m)})`;
  }
  return undefined;
}

// --- where strings are -------------------------------------------------------------------------

/** `a.b`, or `a["b.c"]` for a key that is not an identifier. */
function child(path: string, key: string | number): string {
  if (typeof key === 'number') return `${path}[${key}]`;
  if (/^[A-Za-z_][A-Za-z0-9_-]*$/.test(key)) return path ? `${path}.${key}` : key;
  return `${path}[${JSON.stringify(key)}]`;
}

const HINTS = {
  env: 'read it from a Secret: env { NAME: Env.fromSecret(\'<secret>\', \'<key>\') } (valueFrom.secretKeyRef), the Secret committed encrypted with SOPS or made by external-secrets',
  args: 'pass it through an environment variable read from a Secret (Env.fromSecret) and refer to it as $(NAME) in args',
  configMap: 'move it to a Secret (committed encrypted with SOPS, or made by external-secrets) and mount or reference that instead',
  helm: 'move it to a Secret and give it to the chart with spec.valuesFrom (kind: Secret), the Secret committed encrypted with SOPS',
  keda: 'give it to the trigger through a TriggerAuthentication with secretTargetRef (SecretKey.of(\'<secret>\', \'<key>\'))',
  annotation: 'annotations are readable by everyone who can read the object: keep the credential in a Secret and name the Secret instead',
  source: 'take the credentials out of the URL and give them to Flux with spec.secretRef (a Secret committed encrypted with SOPS)',
  other: 'keep the credential in a Secret (committed encrypted with SOPS, or made by external-secrets) and reference it',
} as const;

/** What credential one string holds (by its shape, or by its key when given), or undefined. */
function credentialIn(value: string, key: string | undefined): string | undefined {
  const shape = shapeOf(value);
  if (shape) return shape;
  const name = key === undefined ? undefined : credentialName(key);
  return name && isLiteral(value) ? `${/^[aeiou]/.test(name) ? 'an' : 'a'} ${name} (${key}: ****)` : undefined;
}

/** One string with the context a finding needs. */
function scan(field: string, value: string, key: string | undefined, hint: string, out: Hit[]): void {
  const what = credentialIn(value, key);
  if (what) out.push({ field, what, hint });
}

/** A Kubernetes object name: what chart values such as `tls.certificatesSecret: db-tls` hold. */
const OBJECT_NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/**
 * Chart values name Secrets with keys ending in "secret" (`existingSecret`, `tls.certificatesSecret`,
 * `auth.secret`): with a value shaped like an object name, such a key names a Secret, not a credential.
 */
function namesSecret(key: string | undefined, value: string): boolean {
  return key !== undefined && /secret$/i.test(key) && value.length <= 253 && OBJECT_NAME.test(value);
}

/**
 * Every string leaf below `node` (at `path`); the key names a credential when `byName`. It visits
 * every value of every object and nearly none holds a credential, so the keys below `path` are
 * kept as a stack and the field path is only written for a finding.
 */
function walk(node: unknown, path: string, key: string | undefined, byName: boolean, hint: string, out: Hit[], below: (string | number)[] = []): void {
  if (typeof node === 'string') {
    const what = credentialIn(node, byName && !namesSecret(key, node) ? key : undefined);
    if (what) out.push({ field: below.reduce<string>(child, path), what, hint });
  } else if (Array.isArray(node)) {
    for (let i = 0; i < node.length; i++) {
      below.push(i);
      walk(node[i], path, key, byName, hint, out, below);
      below.pop();
    }
  } else if (typeof node === 'object' && node !== null) {
    // `for...in` makes no array of keys per object (every object of a cluster is walked).
    for (const k in node) {
      if (!Object.prototype.hasOwnProperty.call(node, k)) continue;
      below.push(k);
      walk((node as Json)[k], path, k, byName, hint, out, below);
      below.pop();
    }
  }
}

/** `--db-password=x`, `-token=x` or `--password x`: a flag naming a credential with a literal value. */
function scanArgs(field: string, args: unknown[], out: Hit[]): void {
  args.forEach((arg, i) => {
    if (typeof arg !== 'string') return;
    const at = child(field, i);
    const inline = /^--?([A-Za-z][A-Za-z0-9._-]*)=(.*)$/s.exec(arg);
    if (inline) return scan(at, inline[2], inline[1], HINTS.args, out);
    const previous = i > 0 ? /^--?([A-Za-z][A-Za-z0-9._-]*)$/.exec(String(args[i - 1])) : null;
    scan(at, arg, previous && !arg.startsWith('-') ? previous[1] : undefined, HINTS.args, out);
  });
}

function scanContainers(at: string, pod: Json, out: Hit[]): void {
  const index = { containers: 0, initContainers: 0, ephemeralContainers: 0 };
  for (const c of containersOf(pod)) {
    const base = child(child(at, c.field), index[c.field]++);
    arr(c.spec.env).forEach((e, i) => {
      const value = rec(e).value;
      if (typeof value === 'string') scan(child(child(child(base, 'env'), i), 'value'), value, str(rec(e).name), HINTS.env, out);
    });
    for (const list of ['command', 'args'] as const) scanArgs(child(base, list), arr(c.spec[list]), out);
  }
}

/** A ConfigMap value: by its key, and each `key: value` / `key = value` line of a config file in it. */
function scanConfigValue(field: string, key: string, value: string, out: Hit[]): void {
  const before = out.length;
  scan(field, value, key, HINTS.configMap, out);
  if (out.length > before || !value.includes('\n')) return;
  value.split('\n').forEach((line, i) => {
    const m = /^\s*["']?([A-Za-z][A-Za-z0-9_.-]*)["']?\s*[:=]\s*["']?([^"'\s#,]+)["']?\s*,?\s*$/.exec(line);
    if (m) scan(`${field} line ${i + 1}`, m[2], m[1], HINTS.configMap, out);
  });
}

/** The fields of `spec` that are read by name (everything else by shape only), per kind. */
function byNameSpec(obj: ResolvedObject, out: Hit[]): void {
  const spec = rec(obj.manifest.spec);
  switch (obj.manifest.kind) {
    case 'HelmRelease':
      walk(spec.values, 'spec.values', undefined, true, HINTS.helm, out);
      break;
    case 'ScaledObject':
    case 'ScaledJob':
      arr(spec.triggers).forEach((t, i) => {
        walk(rec(t).metadata, `spec.triggers[${i}].metadata`, undefined, true, HINTS.keda, out);
      });
      break;
    default:
  }
}

const SOURCE_KINDS: ReadonlySet<string> = new Set(['GitRepository', 'HelmRepository', 'OCIRepository', 'Bucket']);

/** Every credential in plaintext in one object (Secrets and CRDs aside). */
export function credentialsIn(obj: ResolvedObject, objects: ClusterObjects): Hit[] {
  const out: Hit[] = [];
  const { kind } = obj.manifest;
  if (SKIPPED_KINDS.has(kind)) return out;
  const meta = rec(obj.manifest.metadata);
  // Annotations mostly name Secrets (`auth-secret: basic-auth`): by shape only, never by key.
  for (const [k, v] of Object.entries(rec(meta.annotations))) {
    if (typeof v === 'string' && !k.startsWith('strata.dev/waive')) scan(child('metadata.annotations', k), v, undefined, HINTS.annotation, out);
  }
  if (kind === 'ConfigMap') {
    for (const [k, v] of Object.entries(rec(obj.manifest.data))) if (typeof v === 'string') scanConfigValue(child('data', k), k, v, out);
    for (const [k, v] of Object.entries(rec(obj.manifest.binaryData))) {
      const shape = typeof v === 'string' ? shapeOf(Buffer.from(v, 'base64').toString('utf8')) : undefined;
      if (shape) out.push({ field: child('binaryData', k), what: shape, hint: HINTS.configMap });
    }
    return out;
  }
  const template = objects.template(obj);
  if (template) scanContainers(template.at, template.spec, out);
  byNameSpec(obj, out);
  // The rest of the object, by shape (URLs of Flux sources, any custom resource); a field read
  // above already has its finding, with the hint of its place.
  // The object's one shared screen saw no string of a credential's shape: the walk would find none.
  if (!screenOf(obj.manifest).credentialShape) return out;
  const hint = SOURCE_KINDS.has(kind) ? HINTS.source : HINTS.other;
  const rest: Hit[] = [];
  for (const k of Object.keys(obj.manifest)) if (k !== 'metadata' && k !== 'apiVersion' && k !== 'kind') walk(obj.manifest[k], k, undefined, false, hint, rest);
  // Nearly every object has no hit: the set of fields is only made for one that has.
  if (rest.length === 0) return out;
  const seen = new Set(out.map((h) => h.field));
  out.push(...rest.filter((h) => !seen.has(h.field)));
  return out;
}

/** The field waivers of an object: field → reason; undefined when the annotation is not a JSON object of strings. */
export function credentialWaivers(obj: ResolvedObject): Map<string, string> | undefined {
  const raw = rec(rec(obj.manifest.metadata).annotations)[CREDENTIAL_WAIVER_ANNOTATION];
  if (raw === undefined) return new Map();
  try {
    const parsed: unknown = JSON.parse(String(raw));
    const entries = Object.entries(rec(parsed));
    if (entries.length === 0 || entries.some(([, r]) => typeof r !== 'string')) return undefined;
    return new Map(entries as [string, string][]);
  } catch {
    return undefined;
  }
}

const NO_VIOLATIONS: readonly Violation[] = Object.freeze([]);

function violations(obj: ResolvedObject, objects: ClusterObjects): readonly Violation[] {
  const hits = credentialsIn(obj, objects);
  // The common case, without the maps and sets below: nothing found and no waiver to check.
  if (hits.length === 0 && rec(rec(obj.manifest.metadata).annotations)[CREDENTIAL_WAIVER_ANNOTATION] === undefined) return NO_VIOLATIONS;
  const result: Violation[] = [];
  let waivers = credentialWaivers(obj);
  if (!waivers) {
    waivers = new Map();
    result.push({
      object: obj,
      message: `annotation ${CREDENTIAL_WAIVER_ANNOTATION} is not a JSON object of field → reason, e.g. {"spec.template.spec.containers[0].env[1].value":"<why this is no credential>"}`,
      hint: 'declare it with Waivers.allowPlaintextCredential(scope, { kind, field, reason })',
    });
  }
  const found = new Set(hits.map((h) => h.field));
  for (const [field, reason] of waivers) {
    if (reason.trim() === '') result.push({ object: obj, message: `waiver of ${PLAINTEXT_CREDENTIAL} for ${field} has an empty reason: say why the value is no credential`, hint: 'give the reason, or remove the waiver' });
    else if (!found.has(field)) result.push({ object: obj, severity: 'warning', message: `waiver of ${PLAINTEXT_CREDENTIAL} for ${field} (${JSON.stringify(reason)}) waives nothing: the field holds no credential`, hint: 'remove the waiver, or name the field as the error did' });
  }
  for (const hit of hits) {
    if ((waivers.get(hit.field) ?? '').trim() !== '') continue;
    result.push({ object: obj, message: `${hit.field} holds ${hit.what} in plaintext`, hint: hit.hint });
  }
  return result;
}

export const plaintextCredential: Rule = {
  id: PLAINTEXT_CREDENTIAL,
  summary: 'No object carries a credential in plaintext: not in container env, command or args, ConfigMap data (config files line by line), HelmRelease values, KEDA trigger metadata, Flux source URLs or annotations. Found by name (a key such as DB_PASSWORD, apiKey or auth.token with a literal value; not `*_URL`, `*_FILE`, `*Name`, `*Key`, `*Ref`, `existing*`, an empty value or a `${VAR}`/`$(VAR)` reference) and by shape anywhere (URL userinfo with a password, any userinfo of an HTTP(S) URL, PEM private keys, AWS, GitHub, GitLab, Slack, Google and Stripe keys, JWTs, connection strings with AccountKey or Password). Waived per object and field only, never for a whole object.',
  hint: HINTS.other,
  severity: ALWAYS_ERROR,
  waivedPerField: true,
  check: (objects) => objects.all.flatMap((obj) => violations(obj, objects)),
};
