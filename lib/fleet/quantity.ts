// Kubernetes resource quantities (`250m`, `1.5`, `512Mi`, `2e3`): the grammar of
// k8s.io/apimachinery/pkg/api/resource, and their values in base units (cores, bytes).
const QUANTITY = /^(\d+(?:\.\d*)?|\.\d+)(Ki|Mi|Gi|Ti|Pi|Ei|[numkMGTPE]|[eE][+-]?\d+)?$/;

const SUFFIX: Readonly<Record<string, number>> = {
  n: 1e-9, u: 1e-6, m: 1e-3, '': 1, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18,
  Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60,
};

/**
 * The value of a non-negative quantity in base units (a quantity string, or a finite number),
 * or undefined when it is not one. Precise enough to compare requests, limits and node sizes.
 */
export function parseQuantity(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) && value >= 0 ? value : undefined;
  const match = typeof value === 'string' ? QUANTITY.exec(value) : null;
  if (!match) return undefined;
  const [, number, suffix = ''] = match;
  const factor = /^[eE]/.test(suffix) ? 10 ** Number(suffix.slice(1)) : SUFFIX[suffix];
  return Number(number) * factor;
}
