import type { k8s } from 'cdk8s-plus-27';
import { show } from '../fleet/errors.js';
import { dnsSubdomainError } from '../fleet/names.js';
import { readOptions } from '../fleet/props.js';

const KEY = /^[-._a-zA-Z0-9]+$/;

/** Options of a reference to a ConfigMap or Secret key. */
export interface EnvReferenceOptions {
  /**
   * Start the container even when the object or key does not exist.
   * @default false: the pod waits until it exists
   */
  readonly optional?: boolean;
}

/** An environment variable read from a ConfigMap or Secret key: `Env.fromSecret('db', 'password')`. */
export class Env {
  /** The value of `key` in the ConfigMap `name` (same namespace). */
  static fromConfigMap(name: string, key: string, options: EnvReferenceOptions = {}): Env {
    return Env.reference('configMap', name, key, options, 'Env.fromConfigMap(...)');
  }

  /** The value of `key` in the Secret `name` (same namespace). */
  static fromSecret(name: string, key: string, options: EnvReferenceOptions = {}): Env {
    return Env.reference('secret', name, key, options, 'Env.fromSecret(...)');
  }

  private static reference(kind: Env['kind'], name: string, key: string, options: EnvReferenceOptions, label: string): Env {
    const given = readOptions('EnvReferenceOptions', options, label);
    return new Env(kind, name, key, given.options.optional, given.problems);
  }

  private constructor(
    /** Which kind of object holds the value: a ConfigMap (`configMapKeyRef`) or a Secret (`secretKeyRef`). */
    readonly kind: 'configMap' | 'secret',
    /** Name of the ConfigMap or Secret, in the workload's namespace (a DNS subdomain). */
    readonly name: string,
    /** The data key holding the value (letters, digits, '-', '_' and '.'). */
    readonly key: string,
    /** Whether the container starts even when the object or key does not exist. @default false (left unset, Kubernetes' default) */
    readonly optional?: boolean,
    /** Problems of the options it was made with (unknown keys, not an object). */
    private readonly optionProblems: readonly string[] = [],
  ) {}


  /** Problems of the reference, for the variable `variable`. */
  problems(variable: string): string[] {
    const what = `env ${variable}: ${this.kind === 'secret' ? 'Secret' : 'ConfigMap'}`;
    const problems = [...this.optionProblems.map((p) => `env ${variable}: ${p}`), dnsSubdomainError(`${what} name`, this.name)].filter((p): p is string => p !== undefined);
    if (typeof this.key !== 'string' || !KEY.test(this.key) || this.key.length > 253) {
      problems.push(`${what} key ${show(this.key)} is not a valid key (letters, digits, '-', '_' and '.')`);
    }
    return problems;
  }

  /** The `valueFrom` of the variable. */
  toSource(): k8s.EnvVarSource {
    const ref = { name: this.name, key: this.key, optional: this.optional };
    return this.kind === 'secret' ? { secretKeyRef: ref } : { configMapKeyRef: ref };
  }
}

/** An environment variable's value: a literal (numbers and booleans become strings) or a reference. */
export type EnvValue = string | number | boolean | Env;
