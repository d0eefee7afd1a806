// IPv4 and IPv6 address ranges (`ipBlock.cidr` and `except`), as integers so containment is a comparison.

/** An address range: its first address, its prefix length and family. */
export interface Cidr {
  readonly text: string;
  readonly v6: boolean;
  readonly prefix: number;
  /** First address of the range (host bits cleared). */
  readonly first: bigint;
  /** Last address of the range. */
  readonly last: bigint;
}

function parseV4(address: string): bigint | undefined {
  const parts = address.split('.');
  if (parts.length !== 4 || !parts.every((p) => /^\d{1,3}$/.test(p) && Number(p) <= 255)) return undefined;
  return parts.reduce((n, p) => (n << 8n) | BigInt(Number(p)), 0n);
}

function parseV6(address: string): bigint | undefined {
  const halves = address.split('::');
  if (halves.length > 2) return undefined;
  const groups = (s: string) => (s === '' ? [] : s.split(':'));
  const head = groups(halves[0]);
  const tail = halves.length === 2 ? groups(halves[1]) : [];
  const missing = 8 - head.length - tail.length;
  if (halves.length === 1 ? missing !== 0 : missing < 1) return undefined;
  const all = [...head, ...Array<string>(halves.length === 2 ? missing : 0).fill('0'), ...tail];
  if (!all.every((g) => /^[0-9a-fA-F]{1,4}$/.test(g))) return undefined;
  return all.reduce((n, g) => (n << 16n) | BigInt(parseInt(g, 16)), 0n);
}

/** `10.0.0.0/8`, `2001:db8::/32` (or a bare address, as /32 or /128); undefined when malformed. */
export function parseCidr(text: string): Cidr | undefined {
  const [address, prefixText, ...rest] = text.split('/');
  if (rest.length > 0) return undefined;
  const v6 = address.includes(':');
  const bits = v6 ? 128 : 32;
  const value = v6 ? parseV6(address) : parseV4(address);
  const prefix = prefixText === undefined ? bits : /^\d{1,3}$/.test(prefixText) ? Number(prefixText) : NaN;
  if (value === undefined || !(prefix >= 0 && prefix <= bits)) return undefined;
  const hostBits = BigInt(bits - prefix);
  const first = (value >> hostBits) << hostBits;
  return { text, v6, prefix, first, last: first + (1n << hostBits) - 1n };
}

/** True when every address of `inner` is in `outer`. */
export function cidrContains(outer: Cidr, inner: Cidr): boolean {
  return outer.v6 === inner.v6 && outer.first <= inner.first && inner.last <= outer.last;
}

/** True when the ranges share an address. */
export function cidrOverlaps(a: Cidr, b: Cidr): boolean {
  return a.v6 === b.v6 && a.first <= b.last && b.first <= a.last;
}
