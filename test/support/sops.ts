// A Secret value and `sops` block shaped as `sops --encrypt` writes them, for tests that need a
// Secret the secret-plaintext rule accepts (it checks the envelope, not the cryptography).

/** `value` inside a SOPS envelope; `value` must be base64 characters (letters, digits, + / =). */
export function encrypted(value: string): string {
  return `ENC[AES256_GCM,data:${value},iv:aXY=,tag:dGFn,type:str]`;
}

/** A `sops` block with an encrypted MAC and one age recipient. */
export const SOPS_BLOCK = { version: '3.9.0', mac: encrypted('bWFj'), age: [{ recipient: 'age1example', enc: 'x' }] };
