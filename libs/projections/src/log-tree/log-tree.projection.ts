import { createHash } from 'node:crypto';
import { hexToBytes, merkleHasher, nodeKey, type NodeId } from '@ledger/domain';
import type { SqlQuery } from '@ledger/event-store';
import type { Projection } from '../projection';

/** The server's SHA-256 for the log's Merkle tree. */
export const LOG_TREE_HASHER = merkleHasher(
  (data) => new Uint8Array(createHash('sha256').update(data).digest()),
);

/** A leaf's data: the 32 bytes of the event's chain hash (zeros for an event from before the chain). */
export function leafData(chainHash: string): Uint8Array {
  return chainHash.length === 64 ? hexToBytes(chainHash) : new Uint8Array(32);
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

/** Hashes of perfect subtrees from the tables (leaves for level 0), by `nodeKey`. */
export async function readTreeNodes(
  q: SqlQuery,
  schema: string,
  nodes: readonly NodeId[],
): Promise<Map<string, Uint8Array>> {
  const found = new Map<string, Uint8Array>();
  const leaves = nodes.filter((n) => n.level === 0).map((n) => n.index);
  const inner = nodes.filter((n) => n.level > 0);
  if (leaves.length > 0) {
    const { rows } = await q<{ leaf_index: string | number; hash: string }>(
      `select leaf_index, encode(hash, 'hex') as hash from ${schema}.log_tree_leaves
       where leaf_index = any($1::bigint[])`,
      [leaves],
    );
    for (const r of rows)
      found.set(nodeKey({ level: 0, index: Number(r.leaf_index) }), hexToBytes(r.hash));
  }
  if (inner.length > 0) {
    const { rows } = await q<{ level: number; node_index: string | number; hash: string }>(
      `select n.level, n.node_index, encode(n.hash, 'hex') as hash
       from unnest($1::int[], $2::bigint[]) as w(level, node_index)
       join ${schema}.log_tree_nodes n on n.level = w.level and n.node_index = w.node_index`,
      [inner.map((n) => n.level), inner.map((n) => n.index)],
    );
    for (const r of rows)
      found.set(nodeKey({ level: r.level, index: Number(r.node_index) }), hexToBytes(r.hash));
  }
  return found;
}

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');

/**
 * The log as a Merkle tree (RFC 9162; `@ledger/domain`'s merkle.ts): one leaf per event in log
 * order, with its position, stream and revision (a rider's statement finds its events' leaves
 * by stream), and every perfect subtree's hash above the leaves, so any root or proof is a few
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
      position bigint not null unique, stream_name text not null, revision integer not null,
      hash bytea not null);
    create index if not exists log_tree_leaves_stream on ${s}.log_tree_leaves (stream_name, revision);
    create table if not exists ${s}.log_tree_nodes (level smallint not null,
      node_index bigint not null, hash bytea not null, primary key (level, node_index));`,
  async applyBatch(batch, q, { schema: s }) {
    if (batch.length === 0) return;
    const { rows } = await q<{ size: string | number }>(
      `select coalesce(max(leaf_index) + 1, 0) as size from ${s}.log_tree_leaves`,
    );
    const start = Number(rows[0].size);
    const known = await readTreeNodes(q, s, frontierOf(start));
    const leaves: [number, number, string, number, string][] = [];
    const nodes: [number, number, string][] = [];
    batch.forEach(({ stored }, k) => {
      const leafIndex = start + k;
      let hash = LOG_TREE_HASHER.leaf(
        leafData(typeof stored.metadata.hash === 'string' ? stored.metadata.hash : ''),
      );
      known.set(nodeKey({ level: 0, index: leafIndex }), hash);
      leaves.push([leafIndex, stored.position, stored.streamName, stored.revision, hex(hash)]);
      // Each odd index completes the perfect subtree one level up, with its left sibling.
      for (let level = 0, index = leafIndex; index % 2 === 1; level++, index = (index - 1) / 2) {
        const left = known.get(nodeKey({ level, index: index - 1 }));
        if (left === undefined) throw new Error(`log tree: subtree ${level}/${index - 1} missing`);
        hash = LOG_TREE_HASHER.node(left, hash);
        const parent = { level: level + 1, index: (index - 1) / 2 };
        known.set(nodeKey(parent), hash);
        nodes.push([parent.level, parent.index, hex(hash)]);
      }
    });
    const column = <T>(rows_: readonly T[][], i: number) => rows_.map((r) => r[i]);
    await q(
      `insert into ${s}.log_tree_leaves
       select l, p, n, r, decode(h, 'hex')
       from unnest($1::bigint[], $2::bigint[], $3::text[], $4::int[], $5::text[]) as t(l, p, n, r, h)`,
      [0, 1, 2, 3, 4].map((i) => column(leaves, i)),
    );
    if (nodes.length > 0)
      await q(
        `insert into ${s}.log_tree_nodes
         select v, i, decode(h, 'hex') from unnest($1::int[], $2::bigint[], $3::text[]) as t(v, i, h)`,
        [0, 1, 2].map((i) => column(nodes, i)),
      );
  },
};
