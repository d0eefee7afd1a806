// Shards of a fleet (`npm run synth -- --shard k/n`): which clusters one CI runner of n renders.
// Rendezvous (highest-random-weight) hashing of the cluster name: a cluster's shard depends on its
// name and n alone, never on its position or the other clusters, so adding or removing a cluster
// moves no other one; and raising n from 4 to 5 moves only the clusters the new shard wins (~1/5),
// where sha256(name) mod n would move ~4/5 of them. See docs/ci.md.
import { createHash } from 'node:crypto';
import { StrataError } from '../fleet/errors.js';

/** Shard `index` of `count`, both 1-based: `--shard 2/4` is `{ index: 2, count: 4 }`. */
export interface Shard {
  /** Which shard, 1 ≤ index ≤ count. */
  readonly index: number;
  /** How many shards the fleet is split into, ≥ 1. */
  readonly count: number;
}

const SHARD = /^(\d+)\/(\d+)$/;

/**
 * Parses `k/n` (whole numbers, 1 ≤ k ≤ n), e.g. `2/4`.
 * @throws StrataError naming the text and what is valid
 */
export function parseShard(text: string): Shard {
  const m = SHARD.exec(text.trim());
  const index = m ? Number(m[1]) : NaN;
  const count = m ? Number(m[2]) : NaN;
  if (!Number.isSafeInteger(index) || !Number.isSafeInteger(count) || index < 1 || index > count) {
    throw new StrataError(`${JSON.stringify(text)} is not a shard: use k/n, whole numbers with 1 ≤ k ≤ n (e.g. 1/4)`);
  }
  return { index, count };
}

/** The weight of `cluster` on shard `index`: 48 bits of SHA-256, so the same on every machine. */
function weight(cluster: string, index: number): number {
  return parseInt(createHash('sha256').update(`${index}\0${cluster}`).digest('hex').slice(0, 12), 16);
}

/** The shard (1-based, of `count`) that renders `cluster`: the one where its weight is highest (the lowest index on a tie). */
export function shardOf(cluster: string, count: number): number {
  let best = 1;
  let top = -1;
  for (let index = 1; index <= count; index++) {
    const w = weight(cluster, index);
    if (w > top) [best, top] = [index, w];
  }
  return best;
}

/** True when `shard` renders `cluster`. */
export function inShard(cluster: string, shard: Shard): boolean {
  return shardOf(cluster, shard.count) === shard.index;
}
