import { show } from '../fleet/errors.js';
import { dnsSubdomainError } from '../fleet/names.js';

const KEY = /^[-._a-zA-Z0-9]+$/;

/**
 * A key of a Kubernetes Secret in the workload's namespace, e.g. `SecretKey.of('rabbitmq', 'url')`.
 * Credentials are only ever referenced this way: the Secret comes from elsewhere (SOPS,
 * external-secrets, sealed-secrets), so no password or connection string is ever committed.
 */
export class SecretKey {
  /** The key `key` of the Secret named `secret`. */
  static of(secret: string, key: string): SecretKey {
    return new SecretKey(secret, key);
  }

  /** Problems of a value given where a Secret reference belongs (named `what` in messages). */
  static problems(what: string, value: unknown): string[] {
    if (!(value instanceof SecretKey)) {
      const given = typeof value === 'string' ? 'a literal string' : show(value);
      return [`${what} must be SecretKey.of('<secret>', '<key>'), a reference to a Secret, not ${given}: credentials are never written to Git`];
    }
    const problems: string[] = [];
    const name = dnsSubdomainError(`${what}: Secret name`, value.secret);
    if (name) problems.push(name);
    if (typeof value.key !== 'string' || !KEY.test(value.key) || value.key.length > 253) {
      problems.push(`${what}: Secret key ${show(value.key)} is invalid (letters, digits, '-', '_' and '.')`);
    }
    return problems;
  }

  private constructor(
    /** Name of the Secret. */
    readonly secret: string,
    /** Key inside the Secret. */
    readonly key: string,
  ) {}
}
