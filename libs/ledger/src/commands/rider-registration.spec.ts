import { openEmbeddedDatabase, type EventStore, type StoredEvent } from '@ledger/event-store';
import { ledgerProcess, requestOf, seedLedger } from '../testing';
import {
  SqlPersonalDataStore,
  type PersonalData,
  type PersonalDataStore,
} from '../personal-data/personal-data.store';
import {
  ErasePersonalDataCommand,
  ErasePersonalDataHandler,
  RegisterRiderCommand,
  RegisterRiderHandler,
} from './rider-registration';

const NAME = '张小哥';
const PHONE = '13800138000';

async function allEvents(store: EventStore): Promise<StoredEvent[]> {
  const out: StoredEvent[] = [];
  for (let cursor = ''; ;) {
    const page = await store.readAll({ after: cursor });
    if (page.events.length === 0) return out;
    out.push(...page.events);
    cursor = page.cursor;
  }
}

describe('rider registration and personal-data erasure (embedded SQL table)', () => {
  let events: EventStore;
  let personal: PersonalDataStore;

  beforeAll(async () => {
    const db = await openEmbeddedDatabase({ dataDir: 'memory://' });
    events = db.events;
    personal = await SqlPersonalDataStore.open(db.sql);
    await seedLedger(ledgerProcess(events), {
      riders: 0,
      budgetPoints: 100,
      pricePoints: 1,
      stock: 1,
    });
  });
  afterAll(() => events.close());

  const register = (
    handler: RegisterRiderHandler,
    riderId: string,
    key?: string,
    communityId = 'c1',
  ) =>
    handler.execute(
      new RegisterRiderCommand(
        { riderId, communityId, platform: '顺丰', occupation: 'courier', name: NAME, phone: PHONE },
        requestOf(undefined, key),
      ),
    );

  it('keeps name and phone in the table and out of every event', async () => {
    const p = ledgerProcess(events);
    const handler = new RegisterRiderHandler(p.writer, personal);
    expect(await register(handler, 'zhang')).toMatchObject({
      position: expect.any(Number) as number,
    });
    expect(await personal.find('zhang')).toEqual({ name: NAME, phone: PHONE });
    const log = JSON.stringify(await allEvents(events));
    expect(log).toContain('zhang');
    expect(log).not.toContain(NAME);
    expect(log).not.toContain(PHONE);
  });

  it('refuses a taken id (ALREADY_EXISTS) and an unknown community (NOT_FOUND) without touching the table', async () => {
    const p = ledgerProcess(events);
    const handler = new RegisterRiderHandler(p.writer, personal);
    await personal.save('zhang', { name: NAME, phone: PHONE });
    expect(await register(handler, 'zhang')).toMatchObject({ code: 'ALREADY_EXISTS' });
    expect(await register(handler, 'li', undefined, 'nowhere')).toMatchObject({
      code: 'NOT_FOUND',
    });
    expect(await personal.find('li')).toBeUndefined();
  });

  it('completes a registration whose personal data was lost in a crash, when retried with its key', async () => {
    const p = ledgerProcess(events);
    const failing: PersonalDataStore = {
      save: () => Promise.reject(new Error('killed')),
      find: (id) => personal.find(id),
      erase: (id) => personal.erase(id),
      namesOf: (ids) => personal.namesOf(ids),
    };
    await expect(
      register(new RegisterRiderHandler(p.writer, failing), 'wang', 'k-1'),
    ).rejects.toThrow('killed');
    expect(await personal.find('wang')).toBeUndefined();
    expect(
      await register(new RegisterRiderHandler(p.writer, personal), 'wang', 'k-1'),
    ).toMatchObject({ position: expect.any(Number) as number });
    expect(await personal.find('wang')).toEqual<PersonalData>({ name: NAME, phone: PHONE });
  });

  it('erases for good, keeps the ledger, and records the erasure once', async () => {
    const p = ledgerProcess(events);
    await p.awardPoints('zhang', 10);
    const erase = new ErasePersonalDataHandler(p.writer, personal);
    expect(await erase.execute(new ErasePersonalDataCommand('zhang', requestOf()))).toMatchObject({
      position: expect.any(Number) as number,
    });
    expect(await personal.find('zhang')).toBeUndefined();
    await erase.execute(new ErasePersonalDataCommand('zhang', requestOf()));
    const riderEvents = await events.readStream('rider-zhang');
    expect(riderEvents.map((e) => e.type)).toEqual([
      'RiderRegistered',
      'PointsAwarded',
      'RiderPersonalDataErased',
    ]);
    expect(await erase.execute(new ErasePersonalDataCommand('ghost', requestOf()))).toMatchObject({
      code: 'NOT_FOUND',
    });
  });
});
