// lib/fleet/binding-json.ts runs the bindings' generated `toJson_` functions with a loop where they
// drop undefined fields: the same result, key for key, for every function of every binding module,
// on random props (fast-check), on the objects of the example fleet, and the same error when one
// throws.
import { describe, expect, test } from '@jest/globals';
import { ApiObject } from 'cdk8s';
import { k8s } from 'cdk8s-plus-27';
import fc from 'fast-check';
import { bindingManifest, compiledFunctions, rewrittenFunctions } from '../lib/fleet/binding-json.js';
import { BINDING_MODULES } from '../lib/fleet/manifests.js';
import { apiObjectJson } from '../lib/fleet/object-json.js';
import { fleet } from '../main.js';

type ToJson = (obj: unknown) => unknown;

const functionsOf = (module: Record<string, unknown>): ToJson[] =>
  Object.values(module).filter((fn): fn is ToJson => typeof fn === 'function' && fn.name.startsWith('toJson_'));

const classesOf = (module: Record<string, unknown>) =>
  Object.values(module).filter((c): c is { GVK: Record<string, unknown>; manifest(props: unknown): Record<string, unknown> } => typeof c === 'function' && 'GVK' in c);

/**
 * A value as a list of what it holds, in order, undefined and prototypes included: `toEqual` takes
 * `{ a: undefined }` for `{}` and ignores key order, JSON drops undefined; this does neither.
 */
function exactly(value: unknown): unknown {
  if (Array.isArray(value)) return ['array', value.length, ...value.map(exactly)];
  if (value === null || typeof value !== 'object') return value === undefined ? '<undefined>' : value;
  const proto = Object.getPrototypeOf(value);
  const kind = proto === Object.prototype ? 'object' : proto === null ? 'null-prototype' : `instance of ${proto?.constructor?.name}`;
  return [kind, ...Reflect.ownKeys(value).map((k) => [String(k), Object.getOwnPropertyDescriptor(value, k)?.enumerable, exactly((value as Record<string | symbol, unknown>)[k])])];
}

/** What a call returns, or the error it throws (its type and message). */
function outcome(run: () => unknown): unknown {
  try {
    return exactly(run());
  } catch (e) {
    return ['threw', (e as Error)?.constructor?.name, (e as Error)?.message];
  }
}

describe('the bindings’ toJson_ functions, rewritten', () => {
  test.each(BINDING_MODULES.map((m, i) => [i, m] as const))('module %p: every function is of the generated shape, so every one is rewritten', (_, module) => {
    const all = functionsOf(module).map((fn) => fn.name);
    expect(all.length).toBeGreaterThan(0);
    expect(rewrittenFunctions(module).sort()).toEqual(all.sort());
  });

  test('every binding class’s manifest is recognized and runs the rewritten function', () => {
    for (const module of BINDING_MODULES) {
      for (const cls of classesOf(module)) {
        const fast = bindingManifest(cls, module);
        expect(fast).not.toBe(cls.manifest);
        expect(exactly(fast({}))).toEqual(exactly(cls.manifest({})));
        expect(exactly(fast(undefined))).toEqual(exactly(cls.manifest(undefined)));
      }
    }
  });

  test.each(BINDING_MODULES.map((m, i) => [i, m] as const))('module %p: random props give what the generated functions give, or the same error', (_, module) => {
    const originals = functionsOf(module);
    const compiled = compiledFunctions(module);
    // The props the module's functions read, so nested conversions meet their own fields.
    const props = [...new Set(originals.flatMap((fn) => [...fn.toString().matchAll(/obj\.(\w+)/g)].map((m) => m[1])))];
    const keys = fc.oneof(fc.constantFrom(...props), fc.constantFrom('__proto__', 'constructor', '0', '10', 'a-b', ''));
    const { value } = fc.letrec((tie) => ({
      value: fc.oneof(
        { depthSize: 'small', withCrossShrink: true },
        fc.constantFrom(undefined, null, '', 'text', 0, 3, -1.5, true, false),
        fc.constantFrom(k8s.Quantity.fromString('250m'), k8s.IntOrString.fromNumber(8080), k8s.IntOrString.fromString('http'), new Date(0)),
        fc.array(tie('value'), { maxLength: 3 }),
        fc.dictionary(keys, tie('value'), { maxKeys: 5 }),
      ),
    }));
    const input = fc.dictionary(keys, value, { maxKeys: 8 });
    fc.assert(
      fc.property(fc.integer({ min: 0, max: originals.length - 1 }), input, (at, obj) => {
        const fn = originals[at];
        expect(outcome(() => compiled.get(fn.name)!(obj))).toEqual(outcome(() => fn(obj)));
      }),
      { numRuns: 3000, seed: 20261130 },
    );
  });

  test('a map value that converts to undefined keeps its key, as the generated reduce does (it tests the value before converting it)', () => {
    const resources = { limits: { cpu: 'not a Quantity', memory: k8s.Quantity.fromString('1Gi'), gone: undefined } };
    const fast = compiledFunctions(k8s as unknown as Record<string, unknown>).get('toJson_ResourceRequirements')!;
    expect(exactly(fast(resources))).toEqual(exactly(k8s.toJson_ResourceRequirements(resources as never)));
    expect(Object.keys((fast(resources) as { limits: object }).limits)).toEqual(['cpu', 'memory']);
  });

  test('every object of the example fleet: the manifest of the rewritten functions is the generated one', () => {
    fleet.render();
    let compared = 0;
    for (const obj of fleet.node.findAll().filter(ApiObject.isApiObject)) {
      const module = BINDING_MODULES.find((m) => classesOf(m).includes(obj.constructor as never));
      if (!module) continue;
      const cls = obj.constructor as never as { GVK: Record<string, unknown>; manifest(props: unknown): Record<string, unknown> };
      const props = apiObjectJson(obj);
      expect(exactly(bindingManifest(cls, module)(props))).toEqual(exactly(cls.manifest(props)));
      compared++;
    }
    expect(compared).toBeGreaterThan(150);
  });
});
