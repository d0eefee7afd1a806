// What the API reference (`npm run docs`, from the doc comments) promises, checked on lib/ with
// TypeScript's own parser and checker.
//
// @throws: every public function, constructor, method and getter of the package (what lib/index.ts exports)
// that can throw says so in its doc comment with `@throws`, which the API reference (`npm run docs`)
// shows. "Can throw": a `throw` in its body, or a call of a function, constructor, method or
// getter of lib/ that can throw, followed transitively. Not counted: a throw the same function
// catches (inside a `try` with a `catch`), a rethrow of a caught error it does not handle
// (`if (!(e instanceof StrataError)) throw e`), and callbacks, which throw when they are called.
import { join, resolve, sep } from 'node:path';
import ts from 'typescript';

const LIB = resolve('lib') + sep;
const ENTRY = join(LIB, 'index.ts');

type Callable = ts.FunctionLikeDeclaration;

function program(): ts.Program {
  const config = ts.getParsedCommandLineOfConfigFile(resolve('tsconfig.build.json'), {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => undefined });
  return ts.createProgram([ENTRY], { ...config!.options, noEmit: true });
}

const inLib = (node: ts.Node): boolean => node.getSourceFile().fileName.startsWith(LIB.split(sep).join('/')) || node.getSourceFile().fileName.startsWith(LIB);

/** A rethrow of the error a `catch` clause caught: not a new error of this function. */
function isRethrow(node: ts.ThrowStatement): boolean {
  if (!ts.isIdentifier(node.expression)) return false;
  for (let p: ts.Node | undefined = node.parent; p && !ts.isFunctionLike(p); p = p.parent) {
    if (ts.isCatchClause(p)) return p.variableDeclaration?.name.getText() === node.expression.text;
  }
  return false;
}

/** True inside the `try` block of a try statement with a `catch`, below `root`. */
function caught(node: ts.Node, root: ts.Node): boolean {
  for (let p = node; p !== root; p = p.parent) {
    if (ts.isTryStatement(p.parent) && p.parent.tryBlock === p && p.parent.catchClause) return true;
  }
  return false;
}

/** The lib/ callable a call, `new` or property read runs, if the checker can tell. */
function target(checker: ts.TypeChecker, node: ts.Node): Callable | undefined {
  let decl: ts.Declaration | undefined;
  if (ts.isCallExpression(node) || ts.isNewExpression(node) || ts.isDecorator(node)) {
    decl = checker.getResolvedSignature(node)?.declaration;
  } else if (ts.isPropertyAccessExpression(node)) {
    decl = checker.getSymbolAtLocation(node.name)?.declarations?.find(ts.isGetAccessorDeclaration);
  }
  return decl && ts.isFunctionLike(decl) && 'body' in decl && decl.body && inLib(decl) ? (decl as Callable) : undefined;
}

/** Whether `fn` can throw, and the first throw site found, as `file:line`. */
function thrower(checker: ts.TypeChecker): (fn: Callable) => string | undefined {
  const memo = new Map<Callable, string | undefined>();
  const visit = (fn: Callable): string | undefined => {
    if (memo.has(fn)) return memo.get(fn);
    memo.set(fn, undefined); // a cycle adds nothing new
    let site: string | undefined;
    const walk = (node: ts.Node): void => {
      if (site) return;
      if (node !== fn && ts.isFunctionLike(node)) return;
      if (!caught(node, fn)) {
        if (ts.isThrowStatement(node) && !isRethrow(node)) {
          const { line } = node.getSourceFile().getLineAndCharacterOfPosition(node.getStart());
          site = `${node.getSourceFile().fileName.slice(LIB.length - 4)}:${line + 1}`;
          return;
        }
        const callee = target(checker, node);
        if (callee && callee !== fn) site = visit(callee);
      }
      ts.forEachChild(node, walk);
    };
    walk(fn);
    memo.set(fn, site);
    return site;
  };
  return visit;
}

/** The public callables of every export of lib/index.ts: `Name` or `Name.member`. */
function publicCallables(checker: ts.TypeChecker, entry: ts.SourceFile): Map<string, Callable> {
  const found = new Map<string, Callable>();
  const isPublic = (m: ts.ClassElement): boolean =>
    !ts.getCombinedModifierFlags(m as ts.Declaration) || !(ts.getCombinedModifierFlags(m as ts.Declaration) & (ts.ModifierFlags.Private | ts.ModifierFlags.Protected));
  for (let symbol of checker.getExportsOfModule(checker.getSymbolAtLocation(entry)!)) {
    if (symbol.flags & ts.SymbolFlags.Alias) symbol = checker.getAliasedSymbol(symbol);
    for (const decl of symbol.declarations ?? []) {
      if (!inLib(decl)) continue;
      if (ts.isFunctionDeclaration(decl) && decl.body) found.set(symbol.name, decl);
      if (ts.isClassDeclaration(decl)) {
        for (const m of decl.members) {
          if (!isPublic(m) || m.name?.getText().startsWith('_')) continue;
          if (ts.isConstructorDeclaration(m) && m.body) found.set(`${symbol.name}.constructor`, m);
          if ((ts.isMethodDeclaration(m) || ts.isGetAccessorDeclaration(m)) && m.body) found.set(`${symbol.name}.${m.name.getText()}`, m);
        }
      }
    }
  }
  return found;
}

/** The text of a node's doc comments, and of its `@default` tags. */
function docsOf(node: ts.Node): { text: string; defaults: string[] } {
  const text = ts.getJSDocCommentsAndTags(node).map((d) => d.getText()).join('\n');
  const defaults = ts.getJSDocTags(node).filter((t) => t.tagName.text === 'default').map((t) => ts.getTextOfJSDocComment(t.comment) ?? '');
  return { text, defaults };
}

/** Every property signature of every interface and object type in lib/. */
function propsOf(program: ts.Program): { name: string; prop: ts.PropertySignature }[] {
  const found: { name: string; prop: ts.PropertySignature }[] = [];
  for (const file of program.getSourceFiles().filter(inLib)) {
    const walk = (node: ts.Node, owner: string): void => {
      const name = ts.isInterfaceDeclaration(node) || ts.isTypeAliasDeclaration(node) ? node.name.text : owner;
      if (ts.isPropertySignature(node)) found.push({ name: `${name}.${node.name.getText()}`, prop: node });
      ts.forEachChild(node, (c) => walk(c, name));
    };
    walk(file, '');
  }
  return found;
}

const documentsThrows = (fn: Callable): boolean => ts.getJSDocTags(fn).some((t) => t.tagName.text === 'throws');

const p = program();
const checker = p.getTypeChecker();

describe('@throws in the API reference', () => {
  const callables = publicCallables(checker, p.getSourceFile(ENTRY)!);
  const canThrow = thrower(checker);

  test('the public API is found (the check has something to check)', () => {
    expect(callables.has('Fleet.cluster')).toBe(true);
    expect(callables.has('Fleet.constructor')).toBe(true);
    expect(callables.has('Testing.synth')).toBe(true);
    expect(canThrow(callables.get('Fleet.cluster')!)).toMatch(/^lib\/fleet\/fleet\.ts:\d+$/);
  });

  test('every public function, constructor, method and getter that can throw has @throws', () => {
    const missing = [...callables]
      .map(([name, fn]) => [name, canThrow(fn)] as const)
      .filter(([name, site]) => site !== undefined && !documentsThrows(callables.get(name)!))
      .map(([name, site]) => `${name} (throws at ${site})`)
      .sort();
    expect(missing).toEqual([]);
  });
});

// Durations: one convention, the value as the prop takes it. A Flux or Gateway API field is a Go
// duration string (`'5m'`, said so in its doc comment); a KEDA, Karpenter or HPA one a cdk8s
// `Duration` (`Duration.minutes(5)`); a Kubernetes `…Seconds` field a number of seconds, named so.
// So no doc comment of a duration prop, and no `@default` anywhere, spells one out in words.
describe('durations in the API reference', () => {
  const props = propsOf(p);
  const WORDS = /\d\s*(ms|milliseconds?|seconds?|minutes?|hours?|days?)\b|\bper (second|minute|hour|day)\b/i;
  const GO_DURATION = /^'(\d+(\.\d+)?(h|m|s|ms))+'/;
  const typeOf = (prop: ts.PropertySignature): string => (prop.type ? prop.type.getText() : checker.typeToString(checker.getTypeAtLocation(prop)));
  const isGoDuration = ({ name, prop }: { name: string; prop: ts.PropertySignature }): boolean =>
    /^(string|StageValue<string>)$/.test(typeOf(prop)) && (/\.(interval|retryInterval|timeout)$/.test(name) || name.startsWith('RouteTimeouts.'));

  test('the props it checks are found', () => {
    const names = props.map((x) => x.name);
    expect(names).toEqual(expect.arrayContaining(['ReconcileOptions.interval', 'EventAutoscalingProps.pollingInterval', 'ProbeOptions.periodSeconds', 'RouteTimeouts.request']));
  });

  test('no @default spells a duration out in words', () => {
    const worded = props.flatMap(({ name, prop }) => docsOf(prop).defaults.filter((d) => WORDS.test(d)).map((d) => `${name}: @default ${d}`));
    expect(worded).toEqual([]);
  });

  test("a Go duration prop says so, and its @default is one ('5m') or the upstream's", () => {
    const wrong = props.filter(isGoDuration).filter(({ prop }) => {
      const { text, defaults } = docsOf(prop);
      return !/(Go|Gateway API) duration/.test(text) || defaults.some((d) => !GO_DURATION.test(d) && !/^(the implementation's|Flux's)/.test(d));
    });
    expect(wrong.map((x) => x.name)).toEqual([]);
  });

  test('a cdk8s Duration prop writes durations as Duration.<unit>(n), never in words', () => {
    const durations = props.filter(({ prop }) => /\bDuration\b/.test(typeOf(prop)));
    expect(durations.length).toBeGreaterThan(5);
    const wrong = durations.filter(({ prop }) => WORDS.test(docsOf(prop).text) || docsOf(prop).defaults.some((d) => /\d/.test(d) && !/Duration\.\w+\(\d+\)/.test(d)));
    expect(wrong.map((x) => x.name)).toEqual([]);
  });

  test('a number of seconds is named …Seconds, like the Kubernetes field it sets', () => {
    const unnamed = props.filter(({ name, prop }) => typeOf(prop) === 'number' && /(nterval|imeout|eriod|eadline|elay|race|rain)\w*$/.test(name) && !name.endsWith('Seconds'));
    expect(unnamed.map((x) => x.name)).toEqual([]);
  });
});
