// The cdk8s bindings' generated `toJson_<Type>` functions (cdk8s-plus-27's k8s module, imports/)
// drop undefined fields with `Object.entries(result).reduce((r, i) => i[1] === undefined ? r :
// ({ ...r, [i[0]]: i[1] }), {})`, and maps the same way: an array per declared field and a copy of
// the object per kept one (a Deployment's props: ~26 µs). strata compiles each function once more
// with a loop in those two places and every field expression unchanged, so it returns the same
// object, key for key (~3 µs; test/binding-json.test.ts compares them on every function of every
// binding module). A function whose text is not of that shape, or that names anything but its
// module's `toJson_` functions, is used as it is; so is a class whose `manifest` is not
// `{ ...GVK, ...toJson_<Kind>Props(props) }`.

/** A function of a binding module that converts a props object to JSON. */
type ToJson = (obj: unknown) => unknown;

/** `undefined`, as tsc leaves it and esbuild or SWC print it. */
const UNDEFINED = String.raw`(?:undefined|void 0)`;

/**
 * The generated filter of `result` and its reduce over a map field, whitespace and optional
 * parentheses aside: tsc (cdk8s-plus-27, a built package), esbuild (`npm run synth`'s bundle) and
 * SWC (jest) print the same code differently.
 */
const REDUCE = String.raw`\.reduce\(\s*\(r,\s*i\)\s*=>\s*\(?\s*i\[1\]\s*===\s*${UNDEFINED}\s*\)?\s*\?\s*r\s*:\s*\(?\s*\{\s*\.\.\.r,\s*\[i\[0\]\]:\s*`;
const REDUCE_END = String.raw`\s*,?\s*\}\s*\)?\s*,\s*\{\s*\}\s*\)`;
const FILTER = new RegExp(String.raw`return\s+Object\.entries\(result\)${REDUCE}i\[1\]${REDUCE_END}\s*;`);
/** A map field (`labels`, Quantity maps); group 1 is the prop, group 2 the value's expression of `i[1]`. */
const MAP = new RegExp(String.raw`\(?\s*\(?\s*obj\.(\w+)\s*\)?\s*===\s*${UNDEFINED}\s*\)?\s*\?\s*${UNDEFINED}\s*:\s*\(?\s*Object\.entries\(\s*obj\.\1\s*\)${REDUCE}([^{}]*?)${REDUCE_END}\s*\)?`, 'g');

/** Identifiers a rewritten function may name (its module's `toJson_` functions aside). */
const ALLOWED = new Set(['function', 'if', 'return', 'undefined', 'void', 'const', 'obj', 'result', 'y', 'i', '__keep', '__map']);

/** Defines `key` on `target` as the object spread `{ ...r, [key]: value }` does (`__proto__` included). */
function put(target: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__') Object.defineProperty(target, key, { value, writable: true, enumerable: true, configurable: true });
  else target[key] = value;
}

/** `result` without its undefined fields, in its order: the generated filter, without its copies. */
function keep(result: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(result)) {
    const value = result[key];
    if (value !== undefined) put(out, key, value);
  }
  return out;
}

/**
 * A map field as the generated reduce makes it: entries whose value is undefined are left out
 * (before `convert`). `convert` is the generated expression of the entry `i`, unchanged, so an
 * error it throws says what the generated one says (`i[1]?.map is not a function`).
 */
function map(source: Record<string, unknown> | undefined, convert: (entry: [string, unknown]) => unknown): Record<string, unknown> | undefined {
  if (source === undefined) return undefined;
  const out: Record<string, unknown> = {};
  for (const entry of Object.entries(source)) if (entry[1] !== undefined) put(out, entry[0], convert(entry));
  return out;
}

/** `source` with its strings emptied and its line comments removed: what is left is code. */
function codeOf(source: string): string {
  return source.replace(/'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*"|\/\/[^\n]*/g, '""');
}

/** The identifiers of `source` outside strings, line comments and property names. */
function identifiers(source: string): string[] {
  const code = codeOf(source);
  return code.match(/(?<![.\w$])[A-Za-z_$][\w$]*/g) ?? [];
}

/** `fn`'s text with the loop in place of the generated filters, or undefined when it is not of the generated shape. */
function rewrite(fn: ToJson, names: ReadonlySet<string>): string | undefined {
  let source = fn.toString();
  if (!source.startsWith(`function ${fn.name}(obj) {`) || !FILTER.test(source)) return undefined;
  source = source.replace(FILTER, 'return __keep(result);');
  source = source.replace(MAP, (_, prop: string, value: string) => `__map(obj.${prop}, (i) => ${value.trim()})`);
  return balanced(source) && identifiers(source).every((id) => ALLOWED.has(id) || names.has(id)) ? source : undefined;
}

/** True when `source`'s parentheses, brackets and braces (outside strings) pair up: a replacement took whole expressions. */
function balanced(source: string): boolean {
  const code = codeOf(source);
  const open: string[] = [];
  const pairs: Record<string, string> = { ')': '(', ']': '[', '}': '{' };
  for (const c of code) {
    if (c === '(' || c === '[' || c === '{') open.push(c);
    else if (c in pairs && open.pop() !== pairs[c]) return false;
  }
  return open.length === 0;
}

/** The `toJson_` functions a binding module exports. */
function toJsonFunctions(module: Record<string, unknown>): ToJson[] {
  return Object.entries(module).filter((e): e is [string, ToJson] => e[0].startsWith('toJson_') && typeof e[1] === 'function').map(([, fn]) => fn);
}

/**
 * A binding module's `toJson_` functions, by name, each rewritten where it is of the generated
 * shape (the others as they are); they call each other by their names in the module's text.
 */
function compileModule(module: Record<string, unknown>): Map<string, ToJson> {
  const functions = toJsonFunctions(module);
  const names = new Set(functions.map((fn) => fn.name));
  const rewritten: string[] = [];
  const asTheyAre: ToJson[] = [];
  for (const fn of functions) {
    const source = rewrite(fn, names);
    if (source) rewritten.push(source);
    else asTheyAre.push(fn);
  }
  const scope = asTheyAre.map((fn) => fn.name);
  const body = `${rewritten.join('\n')}\nreturn { ${[...names].join(', ')} };`;
  // The module's own generated text, checked above: the same functions, only the two filters differ.
  try {
    const compiled = new Function('__keep', '__map', ...scope, body)(keep, map, ...asTheyAre) as Record<string, ToJson>;
    return new Map(Object.entries(compiled));
  } catch {
    // Text that does not compile after all: the module's functions as they are.
    return new Map(functions.map((fn) => [fn.name, fn]));
  }
}

/** A generated binding class, as far as this module needs it. */
interface BindingClass {
  readonly GVK: Record<string, unknown>;
  manifest(props: unknown): Record<string, unknown>;
}

const modules = new WeakMap<object, Map<string, ToJson>>();
const manifests = new WeakMap<object, (props: unknown) => Record<string, unknown>>();

/** What `cls.manifest` is when it is the generated `{ ...GVK, ...toJson_<Kind>Props(props) }`: the function's name. */
const MANIFEST = /^(?:static )?manifest\(props = \{\}\) \{\s*return \{\s*\.\.\.[\w$]+\.GVK,\s*\.\.\.(toJson_\w+)\(props\),?\s*\};\s*\}$/;

/**
 * `cls.manifest`, with the module's functions rewritten (see above); `cls.manifest` itself when
 * its text is not the generated one.
 */
export function bindingManifest(cls: BindingClass, module: Record<string, unknown>): (props: unknown) => Record<string, unknown> {
  let manifest = manifests.get(cls);
  if (!manifest) {
    const name = MANIFEST.exec(cls.manifest.toString())?.[1];
    const toJson = name ? compiledFunctions(module).get(name) : undefined;
    manifest = toJson ? (props) => ({ ...cls.GVK, ...(toJson(props === undefined ? {} : props) as Record<string, unknown>) }) : (props) => cls.manifest(props);
    manifests.set(cls, manifest);
  }
  return manifest;
}

/** The names of a binding module's `toJson_` functions that are rewritten (the rest run as they are). */
export function rewrittenFunctions(module: Record<string, unknown>): string[] {
  const functions = toJsonFunctions(module);
  const names = new Set(functions.map((fn) => fn.name));
  return functions.filter((fn) => rewrite(fn, names) !== undefined).map((fn) => fn.name);
}

/** A binding module's `toJson_` functions as strata runs them, by name (rewritten or not). */
export function compiledFunctions(module: Record<string, unknown>): ReadonlyMap<string, ToJson> {
  let functions = modules.get(module);
  if (!functions) modules.set(module, (functions = compileModule(module)));
  return functions;
}
