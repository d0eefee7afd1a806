/**
 * What synth knows of a props type (generated into props-keys.generated.ts from the TypeScript
 * declarations):
 * - `0`: anything (functions, class instances, types of other packages, `unknown`);
 * - a string: the shape of that name in the table;
 * - `{ k, i? }`: an object, its known keys with their values' shapes; with `i`, any other key is
 *   allowed too and its value has shape `i` (e.g. `Record<string, string>`);
 * - `{ a }`: a list, each item of shape `a`;
 * - `{ t }`: a primitive of the kinds `t` (`string`, `number`, `boolean`, `null`); which values of
 *   a literal union (`'restricted' | 'baseline'`) are valid is the construct's to say;
 * - `{ u }`: one of several of the above (`string | string[]`).
 * `undefined` (a field left out) and `perStage(...)` values (checked stage by stage) are always allowed.
 */
export type PropsShape =
  | 0
  | string
  | { readonly k: Readonly<Record<string, PropsShape>>; readonly i?: PropsShape }
  | { readonly a: PropsShape }
  | { readonly t: readonly ('string' | 'number' | 'boolean' | 'null')[] }
  | { readonly u: readonly PropsShape[] };
