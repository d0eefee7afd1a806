// Helm values checked before Flux installs them: against the chart's own values.schema.json (what
// `helm install` would check, but only in the cluster, after the merge), and against a values file
// the user pins (the chart's values.yaml), so a misspelt key is an error rather than a value the
// chart silently ignores. JSON Schema validation is ajv's (drafts 07, 2019-09 and 2020-12).
import { readFileSync } from 'node:fs';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { Ajv2019 } from 'ajv/dist/2019.js';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { parse } from 'yaml';
import { unknownKey } from '../fleet/props.js';
import { isPlainObject, joinPath } from '../fleet/stage.js';

/** What Helm values are checked against. */
export interface ValuesChecks {
  /**
   * The chart's `values.schema.json`: a path (relative to the directory synth runs in) or the
   * schema itself. The rendered values must validate against it.
   * @default none
   * @see https://helm.sh/docs/topics/charts/#schema-files
   */
  readonly valuesSchema?: string | Readonly<Record<string, unknown>>;
  /**
   * A copy of the chart's `values.yaml` for the pinned version (a path, relative to the directory
   * synth runs in): every key of `values` must be a key of it, at any depth, except under a map
   * the file leaves empty (`podAnnotations: {}`), which takes any key.
   * @default none
   */
  readonly valuesFile?: string;
}

const schemas = new Map<string, ValidateFunction>();
const schemaObjects = new WeakMap<object, ValidateFunction>();
const valuesFiles = new Map<string, unknown>();

function compile(schema: Record<string, unknown>): ValidateFunction {
  const draft = String(schema.$schema ?? '');
  // verbose: an additionalProperties error carries its schema, whose properties are the known keys.
  const options = { strict: false, allErrors: true, verbose: true } as const;
  const ajv = draft.includes('2020-12') ? new Ajv2020(options) : draft.includes('2019-09') ? new Ajv2019(options) : new Ajv(options);
  return ajv.compile(schema);
}

/** The schema's validator (compiled once per path or object), or a problem loading it. */
function validatorOf(schema: string | Readonly<Record<string, unknown>>): ValidateFunction | string {
  try {
    if (typeof schema !== 'string') {
      let v = schemaObjects.get(schema);
      if (!v) schemaObjects.set(schema, (v = compile(schema as Record<string, unknown>)));
      return v;
    }
    let v = schemas.get(schema);
    if (!v) schemas.set(schema, (v = compile(JSON.parse(readFileSync(schema, 'utf8')) as Record<string, unknown>)));
    return v;
  } catch (e) {
    return `valuesSchema ${JSON.stringify(typeof schema === 'string' ? schema : '(object)')} cannot be used: ${(e as Error).message}`;
  }
}

/** `/a/0/b` → `values.a[0].b`. */
function valuesPath(pointer: string): string {
  return pointer
    .split('/')
    .slice(1)
    .map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'))
    .reduce((path, p) => joinPath(path, /^\d+$/.test(p) ? Number(p) : p), 'values');
}

function schemaMessage(e: ErrorObject): string {
  const path = valuesPath(e.instancePath);
  if (e.keyword === 'additionalProperties') {
    const key = String((e.params as { additionalProperty: string }).additionalProperty);
    const known = Object.keys((e.parentSchema as { properties?: object } | undefined)?.properties ?? {});
    return `${unknownKey(joinPath(path, key), key, known)} (values.schema.json)`;
  }
  return `${path} ${e.message ?? 'is invalid'} (values.schema.json)`;
}

/** Unknown keys of `values` against the parsed values file `known`, at any depth. */
function unknownValueKeys(values: unknown, known: unknown, path: string, problems: string[]): void {
  if (Array.isArray(values)) return; // lists replace the file's list whole; their items are the chart's to read
  if (!isPlainObject(values) || !isPlainObject(known) || Object.keys(known).length === 0) return;
  for (const [key, value] of Object.entries(values)) {
    if (key in known) unknownValueKeys(value, known[key], joinPath(path, key), problems);
    else problems.push(`${unknownKey(joinPath(path, key), key, Object.keys(known))} (values file)`);
  }
}

/** Every problem of `values` against the checks; each names its path under `values`. */
export function valuesProblems(values: Readonly<Record<string, unknown>>, checks: ValuesChecks): string[] {
  const problems: string[] = [];
  if (checks.valuesSchema !== undefined) {
    const validate = validatorOf(checks.valuesSchema);
    if (typeof validate === 'string') problems.push(validate);
    else if (!validate(values)) problems.push(...(validate.errors ?? []).map(schemaMessage));
  }
  if (checks.valuesFile !== undefined) {
    let known = valuesFiles.get(checks.valuesFile);
    if (known === undefined) {
      try {
        known = parse(readFileSync(checks.valuesFile, 'utf8')) ?? {};
      } catch (e) {
        problems.push(`valuesFile ${JSON.stringify(checks.valuesFile)} cannot be read: ${(e as Error).message}`);
        return problems;
      }
      valuesFiles.set(checks.valuesFile, known);
    }
    unknownValueKeys(values, known, 'values', problems);
  }
  return problems;
}
