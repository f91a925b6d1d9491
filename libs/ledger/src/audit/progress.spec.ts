import { openEmbeddedDatabase, type EventStore } from '@ledger/event-store';
import { ReadModels } from '@ledger/projections';
import { SHANGHAI, tempDir } from '@ledger/testing';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
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

/** A seeded ledger with one award for each of `riders` riders: that many ledger lines. */
async function seededWithAwards(riders: number) {
  const { events, sql } = await openEmbeddedDatabase({ dataDir: 'memory://' });
  const p = ledgerProcess(events);
  await seedLedger(p, { riders, budgetPoints: 100_000, pricePoints: 3, stock: 10 });
  for (let i = 0; i < riders; i++) {
    const awarded = await p.awardPoints(`r${i}`, 10);
    if ('code' in awarded) throw new Error(`award failed: ${awarded.code}`);
  }
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

  it.each([
    ['events', 'ndjson'],
    ['events', 'csv'],
    ['ledger', 'ndjson'],
  ])(
    'shows an export job’s progress (%s, %s) as the share of its lines written, 100 at the end',
    async (what, format) => {
      const { events, sql, store } = await seededWithAwards(110);
      const dir = tempDir();
      try {
        const readModels = await ReadModels.open(store, sql, {
          schema: 'read',
          timeZone: SHANGHAI,
        });
        await readModels.catchUp(); // the tree's leaves, as runners elsewhere keep them
        const config = { eventStore: { kind: 'embedded' }, dataDir: dir.path };
        const deps = { store, sql, readModels, config } as unknown as JobDependencies;
        const shown: number[] = [];
        const exportJob = ledgerProcessors(deps).get(JOB_NAMES.export)!;
        const result = (await exportJob(
          { what, format, name: 'progress' },
          {
            attempt: 1,
            progress: (percent) => {
              shown.push(percent);
              return Promise.resolve();
            },
          },
        )) as { lines: number };
        const written = readFileSync(join(dir.path, 'exports', `progress.${format}`), 'utf8');
        expect(written.split('\n').filter(Boolean)).toHaveLength(result.lines);
        expect(result.lines).toBeGreaterThan(100);
        // Over 100 lines, a report at each percent in turn: 1 … 99 as they are written, 100 once
        // the file is in place (a total in positions would stay near 0; the old count, none).
        expect(shown).toEqual(Array.from({ length: 100 }, (_, i) => i + 1));
      } finally {
        dir.remove();
        await events.close();
      }
    },
    60_000,
  );
});
