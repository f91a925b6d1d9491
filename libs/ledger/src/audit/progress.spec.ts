import { openEmbeddedDatabase, type EventStore } from '@ledger/event-store';
import { ReadModels } from '@ledger/projections';
import { SHANGHAI } from '@ledger/testing';
import { ledgerProcess, seedLedger } from '../testing';
import { JOB_NAMES } from '../jobs/job-ids';
import { ledgerProcessors, type JobDependencies } from '../jobs/ledger-jobs';
import { VerifyLogHandler, VerifyLogQuery } from '../queries/audit.queries';
import { replayReadModels } from './replay';
import type { VerifiedStarts } from './verified-start';

/** The store as a KurrentDB one looks from above: positions are byte offsets, far above counts. */
function withByteOffsets(store: EventStore): EventStore {
  return new Proxy(store, {
    get(target, key, receiver) {
      if (key === 'positionOf')
        return (cursor: string) => {
          const position = target.positionOf(cursor);
          return position === null ? null : position * 4096;
        };
      return Reflect.get(target, key, receiver) as unknown;
    },
  });
}

/** A small seeded ledger on PGlite, and the same store with KurrentDB-like positions. */
async function seeded() {
  const { events, sql } = await openEmbeddedDatabase({ dataDir: 'memory://' });
  await seedLedger(ledgerProcess(events), {
    riders: 3,
    budgetPoints: 1000,
    pricePoints: 3,
    stock: 10,
  });
  return { events, sql, store: withByteOffsets(events) };
}

describe('progress where positions are byte offsets (KurrentDB)', () => {
  it('estimates a verification’s total in events, reaching what was checked at the end', async () => {
    const { events, store } = await seeded();
    try {
      const reports: [number, number][] = [];
      const verify = new VerifyLogHandler(store, {} as VerifiedStarts);
      const verification = await verify.execute(
        new VerifyLogQuery((checked, total) => reports.push([checked, total])),
      );
      expect(verification.ok).toBe(true);
      expect(reports.length).toBeGreaterThan(0);
      expect(reports[reports.length - 1]).toEqual([
        verification.eventsChecked,
        verification.eventsChecked,
      ]);
    } finally {
      await events.close();
    }
  }, 60_000);

  it('shows a read-model catch-up job’s progress by how far into the log it is', async () => {
    const { events, sql, store } = await seeded();
    try {
      const readModels = await ReadModels.open(store, sql, { schema: 'read', timeZone: SHANGHAI });
      const deps = { store, sql, readModels } as unknown as JobDependencies;
      const shown: number[] = [];
      const catchUp = ledgerProcessors(deps).get(JOB_NAMES.catchUp)!;
      await catchUp(
        {},
        {
          attempt: 1,
          progress: (percent) => {
            shown.push(percent);
            return Promise.resolve();
          },
        },
      );
      expect(shown.length).toBeGreaterThan(0);
      expect(shown[shown.length - 1]).toBeGreaterThanOrEqual(90); // the last page reaches the head
      expect([...shown].sort((a, b) => a - b)).toEqual(shown);
    } finally {
      await events.close();
    }
  }, 60_000);

  it('counts events, not positions: it ends at 100 % where positions are byte offsets (KurrentDB)', async () => {
    const { events, sql, store } = await seeded();
    try {
      const readModels = await ReadModels.open(store, sql, { schema: 'read', timeZone: SHANGHAI });
      const reports: [number, number][] = [];
      const report = await replayReadModels(
        { readModels, store, sql, timeZone: SHANGHAI },
        (done, total) => reports.push([done, total]),
      );
      expect(report.differences).toEqual([]);
      const [done, total] = reports[reports.length - 1];
      expect(total).toBe(report.eventsReplayed);
      expect(done).toBe(total);
    } finally {
      await events.close();
    }
  }, 60_000);
});
