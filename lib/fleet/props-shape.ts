/**
 * What synth knows of a props type's keys (generated into props-keys.generated.ts): `0` is not
 * checked (primitives, functions, class instances, types of other packages), a string names
 * another shape, and an object lists the known keys with their values' shapes; with `i`, any
 * other key is allowed too and its value has shape `i` (e.g. `Record<string, string>`).
 */
export type PropsShape = 0 | string | { readonly k: Readonly<Record<string, PropsShape>>; readonly i?: PropsShape };
