import { openEmbeddedDatabase, NO_STREAM, type NewEvent } from '@ledger/event-store';
import { ledgerProcess, seedLedger } from '../testing';
import { randomUUID } from 'node:crypto';
import { migrateChain } from './migrate-chain';
import { verifyLog } from './verify';

/** An event as the ledger wrote it before issue 06: no hash in its metadata. */
const unchained = (type: string, data: Record<string, unknown>): NewEvent => ({
  eventId: randomUUID(),
  type,
  schemaVersion: 1,
  data,
  metadata: { actor: { principalId: 'admin', role: 'admin' } },
});

describe('migrating a log written before the hash chain', () => {
  it('hashes the old events in log order, keeps the new ones, verifies after, and is idempotent', async () => {
    const { events: store, sql } = await openEmbeddedDatabase({ dataDir: 'memory://' });
    try {
      for (const stream of ['rider-old1', 'rider-old2'])
        await store.append(
          stream,
          [1, 2, 3].map((i) => unchained('PointsAwarded', { riderId: stream, points: i })),
          { expectedRevision: NO_STREAM },
        );
      await store.append(
        'fund-old',
        [
          unchained('FundCreated', {
            fundId: 'old',
            name: '旧基金',
            district: '江津区',
            budgetPoints: 100,
          }),
        ],
        { expectedRevision: NO_STREAM },
      );
      const p = ledgerProcess(store);
      await seedLedger(p, { riders: 1, budgetPoints: 100, pricePoints: 1, stock: 1 });
      // the upgraded ledger writes on an old stream before anyone migrates: it chains onto the
      // hash the old event will be given
      const toppedUp = await p.run({
        kind: 'fund',
        id: 'old',
        command: { type: 'TopUpFund', fundId: 'old', points: 5, reason: '追加' },
      });
      expect(toppedUp).toMatchObject({ appended: 1 });

      expect(await verifyLog(store)).toMatchObject({ ok: false, firstBadPosition: 1 });
      expect(await migrateChain(store, sql, 'ledger')).toMatchObject({ hashed: 7 });
      const after = await verifyLog(store);
      expect(after).toMatchObject({ ok: true, firstBadPosition: null });
      expect(await migrateChain(store, sql, 'ledger')).toMatchObject({ hashed: 0 });
      expect(await verifyLog(store)).toEqual(after);
    } finally {
      await store.close();
    }
  });
});
