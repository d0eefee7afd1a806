#!/usr/bin/env node
// `npm run props-keys [-- --check]` (node scripts/props-keys.mjs): derives the known keys of every props and options type of
// the public API (lib/index.ts) from the TypeScript declarations, with the TypeScript compiler API,
// and writes them to lib/fleet/props-keys.generated.ts. Synth checks every props object against
// them (lib/fleet/props.ts), so a misspelled key is an error even where nothing type-checks
// (`npm run synth` strips types). Run after changing a props type; test/props.test.ts fails while
// the file is out of date. `--check` prints whether it is and exits 1 when it is not.
import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve, sep } from 'node:path';
import { parseArgs } from 'node:util';
import ts from 'typescript';

export const OUTPUT = join('lib', 'fleet', 'props-keys.generated.ts');

/**
 * A shape: `0` (not checked: primitives, functions, class instances, types from other packages),
 * the name of a shape in the table, or `{ k: known keys and their shapes, i: the shape of any other
 * key's value, r: the keys that must be given }` (`i` present: any key is allowed, e.g.
 * `Record<string, string>`), and the others of lib/fleet/props-shape.ts.
 */
function generate(root = process.cwd()) {
  const config = ts.getParsedCommandLineOfConfigFile(join(root, 'tsconfig.json'), {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => {} });
  const entry = join(root, 'lib', 'index.ts');
  const program = ts.createProgram({ rootNames: [entry], options: { ...config.options, noEmit: true } });
  const checker = program.getTypeChecker();
  const own = [join(root, 'lib') + sep, join(root, 'imports') + sep].map((p) => p.split(sep).join('/'));
  const table = {};

  const isOwn = (symbol) => (symbol?.declarations ?? []).some((d) => own.some((p) => d.getSourceFile().fileName.startsWith(p)));
  const isStageDependent = (t) => t.symbol?.name === 'StageDependent';
  const isObjectLike = (t) => (t.flags & ts.TypeFlags.Object) !== 0 || (t.flags & ts.TypeFlags.Intersection) !== 0;
  const implementedByClasses = (t) =>
    t.getCallSignatures().length > 0 ||
    t.getConstructSignatures().length > 0 ||
    (t.symbol && (t.symbol.flags & ts.SymbolFlags.Class) !== 0) ||
    checker.getPropertiesOfType(t).some((p) => (p.flags & ts.SymbolFlags.Method) !== 0);

  const keys = new Map(); // symbol -> its name in the table (a name two symbols share gets its file)
  function nameOf(t) {
    const symbol = t.aliasSymbol ?? t.symbol;
    if (!symbol || symbol.name.startsWith('__') || !isOwn(symbol)) return undefined;
    let key = keys.get(symbol);
    if (!key) {
      const taken = [...keys.values()].includes(symbol.name);
      const file = symbol.declarations[0].getSourceFile().fileName.slice(root.length + 1).replace(/\.ts$/, '');
      keys.set(symbol, (key = taken ? `${file}#${symbol.name}` : symbol.name));
    }
    const args = t.aliasSymbol ? t.aliasTypeArguments : checker.isArrayType(t) ? undefined : t.typeArguments ?? (t.target && checker.getTypeArguments?.(t));
    return args?.length ? `${key}<${args.map((a) => checker.typeToString(a)).join(', ')}>` : key;
  }

  /**
   * The shape of a value of `type`: what kinds of value it may be (an object with known keys, a
   * list, a string, a number, true or false, an instance with given methods), or 0 when anything goes. `undefined` is
   * always allowed (a left-out optional field), `StageDependent` too (checked stage by stage).
   */
  function shapeOf(type) {
    const members = type.isUnion() ? type.types : [type];
    const objects = [];
    const instances = [];
    const booleans = new Set(); // the boolean literals of the union: both is \`boolean\`, one is \`true\` or \`false\` alone
    const arrays = [];
    const primitives = new Set();
    for (const m of members) {
      const f = m.flags;
      if (f & (ts.TypeFlags.Undefined | ts.TypeFlags.Void | ts.TypeFlags.Never)) continue;
      if (isStageDependent(m)) continue;
      if (f & (ts.TypeFlags.Any | ts.TypeFlags.Unknown | ts.TypeFlags.BigIntLike | ts.TypeFlags.ESSymbolLike | ts.TypeFlags.NonPrimitive | ts.TypeFlags.TypeParameter)) return 0;
      if (f & ts.TypeFlags.Null) primitives.add('null');
      else if (f & ts.TypeFlags.BooleanLiteral) (primitives.add('boolean'), booleans.add(m.intrinsicName === 'true'));
      else if (f & ts.TypeFlags.StringLike) primitives.add('string');
      else if (f & ts.TypeFlags.NumberLike) primitives.add('number');
      else if (f & ts.TypeFlags.BooleanLike) primitives.add('boolean');
      else if (checker.isArrayType(m) || checker.isTupleType(m)) {
        const elements = checker.getTypeArguments(m);
        arrays.push(checker.isArrayType(m) && elements.length === 1 ? shapeOf(elements[0]) : 0);
      } else if (isObjectLike(m)) {
        if (implementedByClasses(m)) {
          const instance = instanceShape(m);
          if (instance === 0) return 0;
          instances.push(instance);
        } else objects.push(named(m));
      } else return 0;
    }
    const alternatives = [];
    if (objects.length > 0) alternatives.push(objects.length === 1 ? objects[0] : merge(objects.map(expand)));
    alternatives.push(...instances);
    if (arrays.length > 0) alternatives.push({ a: arrays.length === 1 ? arrays[0] : 0 });
    // Literal unions (`'a' | 'b'`) are left to the constructs, whose messages say what each value means.
    if (primitives.size > 0) alternatives.push(booleans.size === 1 ? { t: [...primitives].sort(), b: [...booleans][0] } : { t: [...primitives].sort() });
    if (alternatives.length === 0) return 0;
    if (alternatives.includes(0)) return 0;
    return alternatives.length === 1 ? alternatives[0] : { u: alternatives };
  }

  /**
   * A class or an interface with methods (`Trigger`, `IEgressTarget`, `Probe`): an object with
   * its required methods, `{ m, n }`, `n` its name for messages. Functions, and such types of other
   * packages, are 0 (not checked).
   */
  function instanceShape(t) {
    if (t.getCallSignatures().length > 0 || t.getConstructSignatures().length > 0) return 0;
    const symbol = t.aliasSymbol ?? t.symbol;
    if (!symbol || !isOwn(symbol)) return 0;
    const methods = checker.getPropertiesOfType(t)
      .filter((p) => (p.flags & ts.SymbolFlags.Method) !== 0 && (p.flags & ts.SymbolFlags.Optional) === 0 && !p.name.startsWith('__'))
      .filter((p) => !(p.valueDeclaration && ts.getCombinedModifierFlags(p.valueDeclaration) & (ts.ModifierFlags.Private | ts.ModifierFlags.Protected | ts.ModifierFlags.Static)))
      .map((p) => p.name)
      .sort();
    return methods.length === 0 ? 0 : { m: methods, n: symbol.name.replace(/^I(?=[A-Z])/, '') };
  }

  /** The shape of a named type as its name (entered in the table once), or inline. */
  function named(t) {
    const symbol = t.aliasSymbol ?? t.symbol;
    const foreign = symbol && !symbol.name.startsWith('__') && !isOwn(symbol) && !symbol.declarations?.some((d) => d.getSourceFile().hasNoDefaultLib);
    if (foreign && !t.aliasSymbol) return 0; // another package's type (k8s.PodSpec): its own binding checks it
    const name = nameOf(t);
    if (!name) return objectShape(t);
    if (!(name in table)) {
      table[name] = 0; // a placeholder while the type is being described: types may refer to themselves
      table[name] = objectShape(t);
    }
    return name;
  }

  function expand(ref) {
    return typeof ref === 'string' ? table[ref] : ref;
  }

  /** The union of several shapes' keys: a value of any member is accepted; a key is required when every member requires it. */
  function merge(shapes) {
    if (shapes.some((s) => s === 0 || s.i !== undefined)) return 0;
    const k = {};
    for (const s of shapes) {
      for (const [key, ref] of Object.entries(s.k)) k[key] = key in k && JSON.stringify(k[key]) !== JSON.stringify(ref) ? 0 : ref;
    }
    const r = (shapes[0].r ?? []).filter((key) => shapes.every((s) => (s.r ?? []).includes(key)));
    return r.length > 0 ? { k, r } : { k };
  }

  function objectShape(t) {
    const properties = checker.getPropertiesOfType(t);
    const infos = checker.getIndexInfosOfType(t);
    if (properties.length === 0 && infos.length === 0) return 0; // `{}`: anything but null
    const k = {};
    const r = [];
    for (const p of checker.getPropertiesOfType(t)) {
      if (p.name.startsWith('__@')) continue; // symbol-keyed
      const type = checker.getTypeOfSymbol(p);
      k[p.name] = shapeOf(type);
      if ((p.flags & ts.SymbolFlags.Optional) === 0 && !allowsUndefined(type)) r.push(p.name);
    }
    const index = infos.find((info) => (info.keyType.flags & ts.TypeFlags.String) !== 0);
    const shape = index ? { k, i: shapeOf(index.type) } : { k };
    return r.length > 0 ? { ...shape, r: r.sort() } : shape;
  }

  /** Whether a property of `type` may be left undefined although it is not optional (`x: T | undefined`, `unknown`). */
  function allowsUndefined(type) {
    const undefinedLike = ts.TypeFlags.Undefined | ts.TypeFlags.Void | ts.TypeFlags.Any | ts.TypeFlags.Unknown;
    return (type.flags & undefinedLike) !== 0 || (type.isUnion() && type.types.some((m) => (m.flags & undefinedLike) !== 0));
  }

  const module = checker.getSymbolAtLocation(program.getSourceFile(entry));
  const roots = [];
  for (const exported of checker.getExportsOfModule(module)) {
    const symbol = exported.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(exported) : exported;
    if (!(symbol.flags & (ts.SymbolFlags.Interface | ts.SymbolFlags.TypeAlias)) || !isOwn(symbol)) continue;
    if (symbol.declarations.some((d) => d.typeParameters?.length)) continue; // generic: described where used
    const type = checker.getDeclaredTypeOfSymbol(symbol);
    if (!isObjectLike(type) || implementedByClasses(type) || checker.isArrayType(type)) continue;
    const name = named(type);
    if (name === 0) continue;
    if (name !== exported.name) table[exported.name] = name; // an alias (`KedaProps = ComponentOptions`) or a mapped type
    roots.push(exported.name);
  }
  return { table, roots: roots.sort() };
}

/** The generated module's text. */
export function render(root = process.cwd()) {
  const { table, roots } = generate(root);
  const sorted = Object.fromEntries(Object.keys(table).sort().map((name) => [name, sortDeep(table[name])]));
  return [
    '// Generated by `node scripts/props-keys.mjs` from the TypeScript declarations of lib/index.ts: do not edit.',
    '// The known keys of every props and options type, checked at synth time (lib/fleet/props.ts).',
    "import type { PropsShape } from './props-shape.js';",
    '',
    '/** The public props and options types, by name. */',
    `export type PropsTypeName =\n${roots.map((r) => `  | ${JSON.stringify(r)}`).join('\n')};`,
    '',
    '/** Every shape, by type name: roots and the named types they refer to. */',
    `export const PROPS_SHAPES: Readonly<Record<string, PropsShape>> = {\n${Object.entries(sorted).map(([name, shape]) => ` ${JSON.stringify(name)}: ${JSON.stringify(shape)},`).join('\n')}\n};`,
    '',
  ].join('\n');
}

function sortDeep(value) {
  if (typeof value !== 'object' || value === null) return value;
  if (Array.isArray(value)) return value.map(sortDeep);
  return Object.fromEntries(Object.keys(value).sort().map((k) => [k, sortDeep(value[k])]));
}

const USAGE = 'usage: npm run props-keys [-- --check]';
const HELP = `${USAGE}
Regenerates ${OUTPUT}, the known keys of every props type of lib/index.ts, after a props type changed.

options:
  --check      write nothing: say whether the file is up to date
  -h, --help   this text

exit codes:
  0  written (with --check: up to date)
  1  with --check: out of date
  2  usage`;

if (process.argv[1] && resolve(process.argv[1]) === resolve(new URL(import.meta.url).pathname)) {
  let values;
  try {
    ({ values } = parseArgs({ options: { check: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } } }));
  } catch (e) {
    console.error(`strata props-keys: ${e.message.replace(/\s*\n\s*/g, ' ')}\n${USAGE}`);
    process.exit(2);
  }
  if (values.help) {
    console.log(HELP);
    process.exit(0);
  }
  const text = render();
  if (values.check) {
    const current = readFileSync(OUTPUT, 'utf8');
    if (current !== text) {
      console.error(`${OUTPUT} is out of date: run npm run props-keys`);
      process.exit(1);
    }
    console.log(`${OUTPUT} is up to date`);
  } else {
    writeFileSync(OUTPUT, text);
    console.log(`wrote ${OUTPUT}`);
  }
}
