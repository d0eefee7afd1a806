// The string and number formats the API server checks in a custom resource (k8s.io/kube-openapi
// strfmt) that the schemas strata carries use. Shared by the validators compiled at run time
// (crd.ts) and those compiled ahead of time (crd-validators.ts).

const INT32 = 2 ** 31;

/** Format name → the check of a value of its JSON type; any other `format` is left unchecked. */
export const FORMATS: Record<string, { type: 'string' | 'number'; validate: (value: never) => boolean }> = {
  int32: { type: 'number', validate: (v: number) => Number.isInteger(v) && v >= -INT32 && v < INT32 },
  int64: { type: 'number', validate: (v: number) => Number.isSafeInteger(v) || (Number.isInteger(v) && Math.abs(v) <= 2 ** 63) },
  byte: { type: 'string', validate: (v: string) => /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/.test(v) },
  'date-time': { type: 'string', validate: (v: string) => /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:[Zz]|[+-]\d{2}:\d{2})$/.test(v) && !Number.isNaN(Date.parse(v)) },
  ipv4: { type: 'string', validate: (v: string) => /^(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$/.test(v) },
  ipv6: { type: 'string', validate: (v: string) => isIPv6(v) },
};

/** True for an IPv6 address in the textual forms Go's net.ParseIP accepts (no zone). */
function isIPv6(value: string): boolean {
  if (!/^[0-9A-Fa-f:.]+$/.test(value) || value.split('::').length > 2) return false;
  const [head, tail = ''] = value.split('::');
  const groups = [...(head ? head.split(':') : []), ...(tail ? tail.split(':') : [])];
  const last = groups.at(-1) ?? '';
  const v4 = last.includes('.') ? FORMATS.ipv4.validate(last as never) : undefined;
  if (v4 === false) return false;
  const hex = v4 ? groups.slice(0, -1) : groups;
  const count = hex.length + (v4 ? 2 : 0);
  if (!hex.every((g) => /^[0-9A-Fa-f]{1,4}$/.test(g))) return false;
  return value.includes('::') ? count < 8 : count === 8;
}
