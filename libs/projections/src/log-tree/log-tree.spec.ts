import { createHash, randomBytes } from 'node:crypto';
import {
  hashOf,
  inclusionPlan,
  MemoryTree,
  merkleHasher,
  nodesOf,
  rootPlan,
  consistencyPlan,
  type LedgerEvent,
} from '@ledger/domain';
import { openEmbeddedDatabase, START, type SqlClient, type StoredEvent } from '@ledger/event-store';
import { advanceCheckpoint, readModelsDdl } from '../checkpoints';
import type { BatchEvent } from '../projection';
import {
  frontierOf,
  leafData,
  LOG_TREE_HASHER,
  logTreeProjection,
  readTreeNodes,
} from './log-tree.projection';

const event = (i: number, hash: string): BatchEvent => {
  const data = {
    riderId: `r${i % 3}`,
    communityId: 'c1',
    platform: 'p',
    occupation: 'rider',
    registrationId: `g${i}`,
  };
  const stored: StoredEvent = {
    eventId: `e${i}`,
    streamName: `rider-r${i % 3}`,
    revision: Math.floor(i / 3),
    position: 10 + i * 2, // positions with gaps, as PostgreSQL's sequence leaves them
    cursor: String(10 + i * 2),
    type: 'RiderRegistered',
    schemaVersion: 1,
    data,
    metadata: { hash, occurredAt: '2026-06-15T04:00:00.000Z' },
    recordedAt: new Date('2026-06-15T04:00:00.000Z'),
  };
  return { event: { type: 'RiderRegistered', data } as LedgerEvent, stored };
};

describe('log-tree projection', () => {
  let sql: SqlClient;
  let close: () => Promise<void>;
  let schemas = 0;
  beforeAll(async () => {
    const opened = await openEmbeddedDatabase({ dataDir: 'memory://' });
    sql = opened.sql;
    close = () => opened.events.close();
  });
  afterAll(() => close());

  /** The events applied into a fresh schema in batches of the given sizes. */
  const applied = async (events: BatchEvent[], sizes: () => number) => {
    const schema = `tree_${++schemas}`;
    await sql.exec(`create schema ${schema};\n${readModelsDdl(schema, [logTreeProjection])}`);
    let from = START;
    for (let at = 0; at < events.length;) {
      const batch = events.slice(at, at + sizes());
      at += batch.length;
      const last = batch[batch.length - 1].stored;
      await sql.transaction(async (query) => {
        await advanceCheckpoint(query, schema, logTreeProjection.name, {
          from,
          last,
          count: batch.length,
        });
        await logTreeProjection.applyBatch(batch, query, { schema, timeZone: 'Asia/Shanghai' });
      });
      from = last.cursor;
    }
    return schema;
  };

  it('holds the tree of the events, whatever the batches: roots and proofs equal a tree in memory', async () => {
    const events = Array.from({ length: 77 }, (_, i) => event(i, randomBytes(32).toString('hex')));
    // The domain's hasher, not the projection's: the two must give the same tree.
    const memory = new MemoryTree(
      merkleHasher((d) => new Uint8Array(createHash('sha256').update(d).digest())),
    );
    events.forEach((e) => memory.append(leafData(String(e.stored.metadata.hash))));
    const schemas_ = [
      await applied(events, () => events.length),
      await applied(events, () => 1),
      await applied(events, () => 1 + Math.floor(Math.random() * 9)),
    ];
    for (const schema of schemas_) {
      const read = (plans: ReturnType<typeof rootPlan>[]) =>
        sql.transaction(async (q) => {
          const nodes = await readTreeNodes(q, schema, nodesOf(plans));
          return plans.map((plan) =>
            hashOf(
              plan,
              (n) => nodes.get(`${n.level}/${n.index}`) ?? new Uint8Array(0),
              LOG_TREE_HASHER,
            ),
          );
        });
      for (const size of [1, 2, 3, 8, 31, 64, 77])
        expect({ size, root: await read([rootPlan(size)]) }).toEqual({
          size,
          root: [memory.root(size)],
        });
      for (const [index, size] of [
        [0, 77],
        [76, 77],
        [40, 64],
        [5, 6],
      ])
        expect(await read(inclusionPlan(index, size))).toEqual(memory.inclusionProof(index, size));
      expect(await read(consistencyPlan(13, 77))).toEqual(memory.consistencyProof(13, 77));
      const { rows } = await sql.query<{
        leaf_index: string;
        position: string;
      }>(`select leaf_index, position from ${schema}.log_tree_leaves order by leaf_index`);
      // Subtrees of 16 leaves and more are stored: 4 of 16, 2 of 32, 1 of 64 in 77 leaves.
      const stored = await sql.query<{ level: number; n: string | number }>(
        `select level, count(*) as n from ${schema}.log_tree_nodes group by level order by level`,
      );
      expect(stored.rows.map((r) => [r.level, Number(r.n)])).toEqual([
        [4, 4],
        [5, 2],
        [6, 1],
      ]);
      expect(rows.map((r) => [Number(r.leaf_index), Number(r.position)])).toEqual(
        events.map((e, i) => [i, e.stored.position]),
      );
    }
  });

  it('an event from before the hash chain is a leaf of zeros', () => {
    expect(leafData('')).toEqual(new Uint8Array(32));
  });

  it('knows the right edge of a tree of any size', () => {
    expect(frontierOf(0)).toEqual([]);
    expect(frontierOf(1)).toEqual([{ level: 0, index: 0 }]);
    expect(frontierOf(6)).toEqual([
      { level: 1, index: 2 },
      { level: 2, index: 0 },
    ]);
    expect(frontierOf(8)).toEqual([{ level: 3, index: 0 }]);
  });
});
