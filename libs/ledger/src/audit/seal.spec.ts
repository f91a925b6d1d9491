import { sealDecider, SEALS_STREAM } from '@ledger/domain';
import { START } from '@ledger/event-store';
import { InMemoryEventStore } from '@ledger/testing';
import {
  ledgerProcess,
  requestOf,
  seedLedger,
  verifiedStartsForTests,
  closeTestDatabases,
} from '../testing';
import { SealLogCommand, SealLogHandler } from './audit.commands';
import { headsDigest } from '../write/chain';
import { verifyLog } from './verify';

describe('seals', () => {
  afterAll(closeTestDatabases);
  it('does not seal an empty log: there is no head to vouch for', async () => {
    const store = new InMemoryEventStore();
    const sealed = await new SealLogHandler(
      ledgerProcess(store).writer,
      store,
      await verifiedStartsForTests(),
    ).execute(new SealLogCommand(requestOf()));
    expect(sealed).toMatchObject({ sealed: false, position: null });
    expect(await store.readStream(SEALS_STREAM)).toEqual([]);
  });

  it('verifies a log that begins with a seal of the empty log, and one whose digest is wrong fails', async () => {
    const store = new InMemoryEventStore();
    const p = ledgerProcess(store);
    // As an earlier version wrote it when a worker sealed a brand-new ledger.
    const emptySeal = (digest: string) =>
      p.writer.execute(
        sealDecider,
        SEALS_STREAM,
        { type: 'SealLog', headPosition: 0, headCursor: START, streams: 0, digest },
        requestOf(),
      );
    await emptySeal(headsDigest(new Map()));
    await seedLedger(p, { riders: 2, budgetPoints: 1000, pricePoints: 10, stock: 5 });
    await p.awardPoints('r0', 10);
    expect(await verifyLog(store)).toMatchObject({ ok: true, problem: null, sealsChecked: 1 });

    const forged = new InMemoryEventStore();
    await ledgerProcess(forged).writer.execute(
      sealDecider,
      SEALS_STREAM,
      { type: 'SealLog', headPosition: 0, headCursor: START, streams: 1, digest: 'f'.repeat(64) },
      requestOf(),
    );
    const [seal] = await forged.readStream(SEALS_STREAM);
    expect(await verifyLog(forged)).toMatchObject({ ok: false, firstBadPosition: seal.position });
  });
});
