import { SEALS_STREAM } from '@ledger/domain';
import type { EventStore, SqlClient, StoredEvent } from '@ledger/event-store';
import {
  ledgerProcess,
  requestOf,
  seedLedger,
  verifiedStartsForTests,
  closeTestDatabases,
} from '../../testing';
import { VerifyLogHandler, VerifyLogQuery } from '../../queries/audit.queries';
import { SealLogCommand, SealLogHandler } from '../audit.commands';
import type { VerifiedStarts } from '../verified-start';
import { verifyLog } from '../verify';

export interface TamperHarness {
  store: EventStore;
  /** The SQL database holding `events` in `schema`, reached behind the ledger's back. */
  sql: SqlClient;
  schema: string;
  dispose(): Promise<void>;
}

/**
 * Someone with write access to the database edits, deletes, swaps or inserts stored events:
 * verification names the first bad position; an untouched log verifies. Each SQL adapter runs it.
 */
export function describeTamperEvidence(adapter: string, open: () => Promise<TamperHarness>): void {
  describe(`tamper evidence: ${adapter}`, () => {
    let h: TamperHarness;
    let log: readonly StoredEvent[];

    beforeEach(async () => {
      h = await open();
      const p = ledgerProcess(h.store);
      await seedLedger(p, { riders: 3, budgetPoints: 10_000, pricePoints: 10, stock: 100 });
      for (let i = 0; i < 6; i++) {
        const awarded = await p.awardPoints(`r${i % 3}`, 10);
        if ('code' in awarded) throw new Error(`award failed: ${awarded.code}`);
      }
      const redeemed = await p.redeemItems('r0', 1);
      if ('code' in redeemed) throw new Error(`redemption failed: ${redeemed.code}`);
      await readersSeeAll();
      log = (await h.store.readAll({ limit: 1000 })).events;
    });
    afterEach(() => h.dispose());
    afterAll(closeTestDatabases);

    const run = (sql: string, params: unknown[] = []) => h.sql.query(sql, params);
    const events = () => `${h.schema}.events`;
    /**
     * Waits until the log's readers see every stored event. On a PostgreSQL server that other
     * suites share, an older transaction of theirs in flight hides the newest events for a while
     * (the global-order fence); the table itself says where the log ends.
     */
    const readersSeeAll = async () => {
      const rows = await run(`select max(global_position)::int as last from ${events()}`);
      const last = Number((rows.rows[0] as { last: number | null }).last ?? 0);
      const deadline = Date.now() + 30_000;
      while ((h.store.positionOf(await h.store.headCursor()) ?? 0) < last) {
        if (Date.now() > deadline) throw new Error(`readers never saw the log's end at ${last}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    };
    /** The n-th event of a rider stream with at least n + 2 events (so one follows it). */
    const middleOf = (stream: string): StoredEvent => {
      const own = log.filter((e) => e.streamName === stream);
      return own[1];
    };

    it('verifies an untouched log, every event checked', async () => {
      const result = await verifyLog(h.store);
      expect(result).toMatchObject({
        ok: true,
        eventsChecked: log.length,
        firstBadPosition: null,
        head: log[log.length - 1].position,
      });
    });

    it('finds an edited data field at that event', async () => {
      const target = middleOf('rider-r0');
      await run(
        `update ${events()} set data = jsonb_set(data, '{points}', '1000') where global_position = $1`,
        [target.position],
      );
      expect(await verifyLog(h.store)).toMatchObject({
        ok: false,
        firstBadPosition: target.position,
      });
    });

    it('finds a deleted event at the next event of its stream', async () => {
      const own = log.filter((e) => e.streamName === 'rider-r0');
      await run(`delete from ${events()} where global_position = $1`, [own[1].position]);
      expect(await verifyLog(h.store)).toMatchObject({
        ok: false,
        firstBadPosition: own[2].position,
      });
    });

    it('finds two swapped events at the first of them', async () => {
      const own = log.filter((e) => e.streamName === 'fund-f1');
      const [a, b] = [own[1], own[2]];
      await run(
        `update ${events()} set data = case global_position when $1 then $3::jsonb else $4::jsonb end,
           metadata = case global_position when $1 then $5::jsonb else $6::jsonb end
         where global_position in ($1, $2)`,
        [
          a.position,
          b.position,
          JSON.stringify(b.data),
          JSON.stringify(a.data),
          JSON.stringify(b.metadata),
          JSON.stringify(a.metadata),
        ],
      );
      expect(await verifyLog(h.store)).toMatchObject({ ok: false, firstBadPosition: a.position });
    });

    it('finds an inserted event at its position', async () => {
      const own = log.filter((e) => e.streamName === 'rider-r1');
      const last = own[own.length - 1];
      const forged = {
        ...last,
        data: { ...last.data, points: 500 },
        metadata: { ...last.metadata, hash: 'f'.repeat(64) },
      };
      const { rows } = await run(
        `insert into ${events()} (event_id, stream_name, stream_revision, event_type, schema_version, data, metadata)
         values (gen_random_uuid(), $1, $2, $3, 1, $4::jsonb, $5::jsonb) returning global_position`,
        [
          last.streamName,
          last.revision + 1,
          last.type,
          JSON.stringify(forged.data),
          JSON.stringify(forged.metadata),
        ],
      );
      const position = Number((rows[0] as { global_position: string | number }).global_position);
      // Readers see a row once no transaction begun before it is still open (PostgreSQL: a
      // projection's may be): the verifier checks what readers see, so wait until they see it.
      for (let i = 0; i < 100; i++) {
        if (await h.store.hasReached(await h.store.headCursor(), position)) break;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      expect(await h.store.hasReached(await h.store.headCursor(), position)).toBe(true);
      expect(await verifyLog(h.store)).toMatchObject({ ok: false, firstBadPosition: position });
    });

    it('finds a stream’s last event deleted before a seal, at that seal', async () => {
      const sealed = await new SealLogHandler(
        ledgerProcess(h.store).writer,
        h.store,
        await verifiedStartsForTests(),
      ).execute(new SealLogCommand(requestOf()));
      expect(sealed).toMatchObject({ sealed: true });
      const seal = (await h.store.readStream(SEALS_STREAM))[0];
      const own = log.filter((e) => e.streamName === 'station-s1');
      await run(`delete from ${events()} where global_position = $1`, [
        own[own.length - 1].position,
      ]);
      expect(await verifyLog(h.store)).toMatchObject({
        ok: false,
        firstBadPosition: seal.position,
      });
    });

    describe('incremental verification, from the last seal a run passed', () => {
      const sealNow = async (starts: VerifiedStarts) => {
        const sealed = await new SealLogHandler(
          ledgerProcess(h.store).writer,
          h.store,
          starts,
        ).execute(new SealLogCommand(requestOf()));
        expect(sealed).toMatchObject({ sealed: true });
        await readersSeeAll();
        return (await h.store.readStream(SEALS_STREAM)).at(-1)!;
      };
      /**
       * A verification that has seen the log up to its head. On a PostgreSQL server that other
       * suites share, a reader may not see the newest events yet while an older transaction is
       * in flight (the global-order fence): ask again until it reaches the head, 5 s at most.
       */
      const verifyWith = async (starts: VerifiedStarts, incremental: boolean) => {
        const head = h.store.positionOf(await h.store.headCursor());
        const deadline = Date.now() + 5000;
        for (;;) {
          const run = await new VerifyLogHandler(h.store, starts).execute(
            new VerifyLogQuery(undefined, incremental),
          );
          if (!run.ok || run.head === head || Date.now() > deadline) return run;
          await new Promise((r) => setTimeout(r, 100));
        }
      };

      it('checks only the events after the seal, and finds an edit among them', async () => {
        const starts = await verifiedStartsForTests();
        const seal = await sealNow(starts);
        const p = ledgerProcess(h.store);
        await p.awardPoints('r1', 10);
        await p.awardPoints('r2', 10);
        await readersSeeAll();
        const after = (await h.store.readAll({ limit: 1000 })).events.filter(
          (e) => e.position > (seal.data as { headPosition: number }).headPosition,
        );
        expect(await verifyWith(starts, true)).toMatchObject({
          ok: true,
          eventsChecked: after.length,
          from: { sealPosition: seal.position },
        });
        expect(await verifyWith(starts, false)).toMatchObject({ ok: true, from: null });

        const target = after.at(-1)!;
        await run(
          `update ${events()} set data = jsonb_set(data, '{points}', '1000') where global_position = $1`,
          [target.position],
        );
        expect(await verifyWith(starts, true)).toMatchObject({
          ok: false,
          firstBadPosition: target.position,
        });
      });

      it('leaves an edit before the seal to a full run, after which incremental runs fail too', async () => {
        const starts = await verifiedStartsForTests();
        await sealNow(starts);
        const target = middleOf('rider-r0');
        await run(
          `update ${events()} set data = jsonb_set(data, '{points}', '1000') where global_position = $1`,
          [target.position],
        );
        expect(await verifyWith(starts, true)).toMatchObject({ ok: true, eventsChecked: 1 });
        expect(await verifyWith(starts, false)).toMatchObject({
          ok: false,
          firstBadPosition: target.position,
        });
        expect(await verifyWith(starts, true)).toMatchObject({
          ok: false,
          firstBadPosition: target.position,
          from: null,
        });
      });

      it('does not start from saved heads that do not give the seal’s digest', async () => {
        const starts = await verifiedStartsForTests();
        await sealNow(starts);
        const forged = new Map([['rider-r0', { revision: 0, hash: 'f'.repeat(64) }]]);
        const [seal] = await h.store.readStream(SEALS_STREAM);
        const data = seal.data as { headPosition: number; headCursor: string; digest: string };
        await starts.clear();
        await starts.save({ seal: { position: seal.position, ...data }, changed: forged }, false);
        expect(await verifyWith(starts, true)).toMatchObject({
          ok: true,
          eventsChecked: log.length + 1,
          from: null,
        });
      });
    });
  });
}
