// Every public function, constructor, method and getter of the package (what lib/index.ts exports)
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

const documentsThrows = (fn: Callable): boolean => ts.getJSDocTags(fn).some((t) => t.tagName.text === 'throws');

describe('@throws in the API reference', () => {
  const p = program();
  const checker = p.getTypeChecker();
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
