// Secrets never reach Git in plaintext: dist/ is readable by everyone who can read the repository.
// A Secret counts as SOPS-encrypted only when it really is: every value of data and stringData an
// `ENC[...]` envelope, and a `sops` block with the MAC over them and a key to decrypt them with.
// See https://github.com/getsops/sops#encrypted-file-format and https://fluxcd.io/flux/guides/mozilla-sops/
import type { ResolvedObject } from '../../synth/model.js';
import { arr, rec, str } from '../objects.js';
import { ALWAYS_ERROR, type Rule, type Violation } from '../rule.js';

/** A value SOPS encrypted: `ENC[AES256_GCM,data:...,iv:...,tag:...,type:str]`. */
const ENCRYPTED = /^ENC\[AES256_GCM,data:[A-Za-z0-9+/=]*,iv:[A-Za-z0-9+/=]+,tag:[A-Za-z0-9+/=]+,type:[a-z]+\]$/;
/** The `sops` keys holding master keys, one list per kind (SOPS 3 metadata). */
const KEY_KINDS = ['age', 'pgp', 'kms', 'gcp_kms', 'azure_kv', 'hc_vault'] as const;

/** Whether a `sops` block names at least one key the data can be decrypted with. */
function hasKeyGroup(sops: Record<string, unknown>): boolean {
  const groups = [sops, ...arr(sops.key_groups).map(rec)];
  return groups.some((group) => KEY_KINDS.some((kind) => arr(group[kind]).length > 0));
}

/** What is wrong with the `sops` metadata of a Secret that carries one. */
function sopsProblems(sops: unknown): string[] {
  const block = rec(sops);
  const problems: string[] = [];
  if (!ENCRYPTED.test(str(block.mac) ?? '')) problems.push('its sops block has no encrypted mac (sops.mac), so nothing proves SOPS encrypted it');
  if (!hasKeyGroup(block)) problems.push(`its sops block names no key to decrypt with (${KEY_KINDS.join(', ')} or key_groups)`);
  return problems;
}

function secretViolations(object: ResolvedObject): Violation[] {
  const { data, stringData } = object.manifest;
  const values = [...Object.entries(rec(data)), ...Object.entries(rec(stringData))];
  if (values.length === 0) return [];
  const plain = [...new Set(values.filter(([, v]) => typeof v !== 'string' || !ENCRYPTED.test(v)).map(([k]) => k))].sort();
  const violations: Violation[] = [];
  if (plain.length > 0) {
    violations.push({ object, message: `holds ${plain.length === 1 ? 'a value' : `${plain.length} values`} (${plain.join(', ')}) in plaintext${'sops' in object.manifest ? ' despite its sops block: each value must be an ENC[...] envelope' : ''}` });
  }
  if ('sops' in object.manifest) {
    for (const problem of sopsProblems(object.manifest.sops)) violations.push({ object, message: problem, hint: 'encrypt the file with `sops --encrypt` (e.g. --age <recipient> --encrypted-regex \'^(data|stringData)$\'), never by editing it' });
  } else if (plain.length === 0) {
    violations.push({ object, message: 'has ENC[...] values but no sops block: Flux cannot decrypt it', hint: 'commit the file exactly as `sops --encrypt` wrote it, sops block included' });
  }
  return violations;
}

export const secretPlaintext: Rule = {
  id: 'secret-plaintext',
  summary: 'No Secret carries data or stringData in plaintext: Git keeps every value forever. A SOPS-encrypted Secret passes only when every value is an `ENC[AES256_GCM,...]` envelope and its top-level `sops` block has an encrypted `mac` and at least one key (age, pgp, kms, gcp_kms, azure_kv, hc_vault or key_groups); Flux decrypts it. Cannot be waived.',
  hint: 'reference the value from a secret store (an ExternalSecret of external-secrets), or commit it encrypted with SOPS (the cluster\'s decryption key decrypts it)',
  severity: ALWAYS_ERROR,
  waivable: false,
  check: (objects) => objects.ofKind('Secret').flatMap(secretViolations),
};
