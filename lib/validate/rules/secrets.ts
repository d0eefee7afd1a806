// Secrets never reach Git in plaintext: dist/ is readable by everyone who can read the repository.
import { rec } from '../objects.js';
import { ALWAYS_ERROR, type Rule } from '../rule.js';

export const secretPlaintext: Rule = {
  id: 'secret-plaintext',
  summary: 'No Secret carries data or stringData in plaintext: Git keeps every value forever. A SOPS-encrypted Secret (with its top-level `sops` key) is allowed, Flux decrypts it.',
  hint: 'reference the value from a secret store (an ExternalSecret of external-secrets), or commit it encrypted with SOPS (the cluster\'s decryption key decrypts it)',
  severity: ALWAYS_ERROR,
  check: (objects) =>
    objects.ofKind('Secret').flatMap((object) => {
      const { data, stringData } = object.manifest;
      const keys = [...Object.keys(rec(data)), ...Object.keys(rec(stringData))];
      if (keys.length === 0 || 'sops' in object.manifest) return [];
      return [{ object, message: `holds ${keys.length === 1 ? 'a value' : `${keys.length} values`} (${[...new Set(keys)].sort().join(', ')}) in plaintext` }];
    }),
};
