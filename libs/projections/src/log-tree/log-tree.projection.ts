import { createHash } from 'node:crypto';
import { merkleHasher, nodeKey, type MerkleHasher, type NodeId } from '@ledger/domain';
import type { SqlQuery } from '@ledger/event-store';
import type { Projection } from '../projection';

const LEAF = Uint8Array.of(0x00);
const NODE = Uint8Array.of(0x01);
const digest = (hash: ReturnType<typeof createHash>) => new Uint8Array(hash.digest());

/**
 * The server's hashes of the log's Merkle tree: `merkleHasher`'s, fed to SHA-256 piece by piece
 * instead of concatenated first (a rebuild hashes every event twice).
 */
export const LOG_TREE_HASHER: MerkleHasher = {
  ...merkleHasher((data) => digest(createHash('sha256').update(data))),
  leaf: (data) => digest(createHash('sha256').update(LEAF).update(data)),
  node: (left, right) => digest(createHash('sha256').update(NODE).update(left).update(right)),
};

/** A leaf's data: the 32 bytes of the event's chain hash (zeros for an event from before the chain). */
export function leafData(chainHash: string): Uint8Array {
  return chainHash.length === 64 ? Buffer.from(chainHash, 'hex') : new Uint8Array(32);
}

/**
 * The perfect subtrees a tree of `size` leaves ends with, one per bit set in `size`: what the
 * next leaves are hashed with (the tree's right edge).
 */
export function frontierOf(size: number): NodeId[] {
  const nodes: NodeId[] = [];
  for (let level = 0; 2 ** level <= size; level++)
    if (Math.floor(size / 2 ** level) % 2 === 1)
      nodes.push({ level, index: Math.floor(size / 2 ** level) - 1 });
  return nodes;
}

/**
 * Subtrees of up to 2^STORED_FROM_LEVEL - 1 levels above the leaves are not stored: each is
 * hashed again from at most 8 leaves when read. That keeps an eighth of the inner nodes (n/8
 * rows instead of n), which is most of what appending costs, for a few more leaves per proof.
 */
export const STORED_FROM_LEVEL = 4;

/** Hashes of perfect subtrees from the tables, by `nodeKey`: low ones made from their leaves. */
export async function readTreeNodes(
  q: SqlQuery,
  schema: string,
  nodes: readonly NodeId[],
): Promise<Map<string, Uint8Array>> {
  const found = new Map<string, Uint8Array>();
  const low = nodes.filter((n) => n.level < STORED_FROM_LEVEL);
  const stored = nodes.filter((n) => n.level >= STORED_FROM_LEVEL);
  const leafIndexes = low.flatMap(({ level, index }) =>
    Array.from({ length: 2 ** level }, (_, k) => index * 2 ** level + k),
  );
  if (leafIndexes.length > 0) {
    const { rows } = await q<{ leaf_index: string | number; hash: string }>(
      `select leaf_index, encode(hash, 'hex') as hash from ${schema}.log_tree_leaves
       where leaf_index = any($1::bigint[])`,
      [leafIndexes],
    );
    const leaves = new Map(rows.map((r) => [Number(r.leaf_index), fromHex(r.hash)]));
    for (const node of low) {
      const hash = lowSubtree(node, leaves);
      if (hash) found.set(nodeKey(node), hash);
    }
  }
  if (stored.length > 0) {
    const { rows } = await q<{ level: number; node_index: string | number; hash: string }>(
      `select n.level, n.node_index, encode(n.hash, 'hex') as hash
       from unnest($1::int[], $2::bigint[]) as w(level, node_index)
       join ${schema}.log_tree_nodes n on n.level = w.level and n.node_index = w.node_index`,
      [stored.map((n) => n.level), stored.map((n) => n.index)],
    );
    for (const r of rows)
      found.set(nodeKey({ level: r.level, index: Number(r.node_index) }), fromHex(r.hash));
  }
  return found;
}

/** A perfect subtree below STORED_FROM_LEVEL from its leaves' hashes; undefined if one lacks. */
function lowSubtree(
  { level, index }: NodeId,
  leaves: ReadonlyMap<number, Uint8Array>,
): Uint8Array | undefined {
  let row: Uint8Array[] = [];
  for (let k = 0; k < 2 ** level; k++) {
    const leaf = leaves.get(index * 2 ** level + k);
    if (leaf === undefined) return undefined;
    row.push(leaf);
  }
  while (row.length > 1)
    row = Array.from({ length: row.length / 2 }, (_, i) =>
      LOG_TREE_HASHER.node(row[2 * i], row[2 * i + 1]),
    );
  return row[0];
}

/** Bytes as the domain's merkle code returns them (a Uint8Array, not a Buffer). */
function fromHex(text: string): Uint8Array {
  return new Uint8Array(Buffer.from(text, 'hex'));
}

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');

/**
 * The log as a Merkle tree (RFC 9162; `@ledger/domain`'s merkle.ts): one leaf per event in log
 * order, with its position (a rider's statement finds its events' leaves by their positions),
 * and the hash of every perfect subtree of 16 leaves or more, so any root or proof is a few
 * rows away. Appending a leaf hashes it with the tree's right edge, read once per batch.
 */
export const logTreeProjection: Projection = {
  name: 'log-tree',
  tables: [
    { name: 'log_tree_leaves', orderBy: 'leaf_index' },
    { name: 'log_tree_nodes', orderBy: 'level, node_index' },
  ],
  ddl: (s) => `
    create table if not exists ${s}.log_tree_leaves (leaf_index bigint primary key,
      position bigint not null unique, hash bytea not null);
    create table if not exists ${s}.log_tree_nodes (level smallint not null,
      node_index bigint not null, hash bytea not null, primary key (level, node_index));`,
  async applyBatch(batch, q, { schema: s }) {
    if (batch.length === 0) return;
    const { rows } = await q<{ size: string | number }>(
      `select coalesce(max(leaf_index) + 1, 0) as size from ${s}.log_tree_leaves`,
    );
    const start = Number(rows[0].size);
    // The right edge: by level, the perfect subtree the next leaves are hashed with.
    const edge: (Uint8Array | undefined)[] = [];
    const saved = await readTreeNodes(q, s, frontierOf(start));
    for (const node of frontierOf(start)) edge[node.level] = saved.get(nodeKey(node));
    const leaves: [number, number, string][] = [];
    const nodes: [number, number, string][] = [];
    batch.forEach(({ stored }, k) => {
      const leafIndex = start + k;
      let hash = LOG_TREE_HASHER.leaf(
        leafData(typeof stored.metadata.hash === 'string' ? stored.metadata.hash : ''),
      );
      leaves.push([leafIndex, stored.position, hex(hash)]);
      // Each odd index completes the perfect subtree one level up, with its left sibling.
      let level = 0;
      for (let index = leafIndex; index % 2 === 1; level++, index = (index - 1) / 2) {
        const left = edge[level];
        if (left === undefined) throw new Error(`log tree: subtree ${level}/${index - 1} missing`);
        edge[level] = undefined;
        hash = LOG_TREE_HASHER.node(left, hash);
        if (level + 1 >= STORED_FROM_LEVEL) nodes.push([level + 1, (index - 1) / 2, hex(hash)]);
      }
      edge[level] = hash;
    });
    const column = <T>(rows_: readonly T[][], i: number) => rows_.map((r) => r[i]);
    await q(
      `insert into ${s}.log_tree_leaves
       select l, p, decode(h, 'hex') from unnest($1::bigint[], $2::bigint[], $3::text[]) as t(l, p, h)`,
      [0, 1, 2].map((i) => column(leaves, i)),
    );
    if (nodes.length > 0)
      await q(
        `insert into ${s}.log_tree_nodes
         select v, i, decode(h, 'hex') from unnest($1::int[], $2::bigint[], $3::text[]) as t(v, i, h)`,
        [0, 1, 2].map((i) => column(nodes, i)),
      );
  },
};
