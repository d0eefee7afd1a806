/**
 * What synth knows of a props type (generated into props-keys.generated.ts from the TypeScript
 * declarations):
 * - `0`: anything (functions, types of other packages, `unknown`);
 * - a string: the shape of that name in the table;
 * - `{ k, i?, r? }`: an object, its known keys with their values' shapes; with `i`, any other key is
 *   allowed too and its value has shape `i` (e.g. `Record<string, string>`); `r`, the keys it
 *   must have (neither optional nor allowing `undefined` in the declaration);
 * - `{ a }`: a list, each item of shape `a`;
 * - `{ t, b? }`: a primitive of the kinds `t` (`string`, `number`, `boolean`, `null`), the boolean
 *   only `b` when the type allows one (`Probe | false`); which values of other literal unions
 *   (`'restricted' | 'baseline'`) are valid is the construct's to say;
 * - `{ m, n }`: an instance of the class or interface named `n` (`Trigger`, `EgressTarget`), known
 *   by its methods `m`;
 * - `{ u }`: one of several of the above (`string | string[]`).
 * `undefined` (a field left out) is allowed where the key is not required, and `perStage(...)` values
 * (checked stage by stage) always.
 */
export type PropsShape =
  | 0
  | string
  | { readonly k: Readonly<Record<string, PropsShape>>; readonly i?: PropsShape; readonly r?: readonly string[] }
  | { readonly a: PropsShape }
  | { readonly t: readonly ('string' | 'number' | 'boolean' | 'null')[]; readonly b?: boolean }
  | { readonly m: readonly string[]; readonly n: string }
  | { readonly u: readonly PropsShape[] };
