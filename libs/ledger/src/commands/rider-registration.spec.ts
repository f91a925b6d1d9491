import { riderSubject } from '@ledger/domain';
import { openEmbeddedDatabase, type EventStore, type SqlClient } from '@ledger/event-store';
import { ReadModels } from '@ledger/projections';
import { allEvents, SHANGHAI } from '@ledger/testing';
import { ledgerProcess, requestOf, seedLedger } from '../testing';
import {
  SqlPersonalDataStore,
  type PersonalData,
  type PersonalDataStore,
} from '../personal-data/personal-data.store';
import { Erasure } from '../personal-data/erasure';
import { KeptTexts } from '../personal-data/kept-texts';
import {
  ErasePersonalDataCommand,
  ErasePersonalDataHandler,
  ORPHAN_RESERVATION_MS,
  RegisterRiderCommand,
  RegisterRiderHandler,
  TransferRiderCommand,
  TransferRiderHandler,
} from './rider-registration';

const NAME = '张小哥';
const PHONE = '13800138000';

describe('rider registration and personal-data erasure (embedded SQL table)', () => {
  let events: EventStore;
  let sql: SqlClient;
  let personal: PersonalDataStore;
  let models: ReadModels;

  beforeAll(async () => {
    const db = await openEmbeddedDatabase({ dataDir: 'memory://' });
    ({ events, sql } = db);
    personal = await SqlPersonalDataStore.open(sql);
    models = await ReadModels.open(events, sql, { schema: 'read', timeZone: SHANGHAI });
    const p = ledgerProcess(events);
    await seedLedger(p, { riders: 0, budgetPoints: 100, pricePoints: 1, stock: 1 });
    for (const [communityId, district] of [
      ['c2', '江津区'],
      ['y1', '永川区'],
    ])
      await p.run({
        kind: 'community',
        id: communityId,
        command: {
          type: 'RegisterCommunity',
          communityId,
          name: communityId,
          street: '街道',
          district,
        },
      });
  });
  afterAll(() => events.close());

  const registerWith =
    (store?: PersonalDataStore) =>
    (riderId: string, options: { key?: string; communityId?: string; phone?: string } = {}) =>
      new RegisterRiderHandler(ledgerProcess(events).writer, store ?? personal, models).execute(
        new RegisterRiderCommand(
          {
            riderId,
            communityId: options.communityId ?? 'c1',
            platform: '顺丰',
            occupation: 'courier',
            name: NAME,
            phone: options.phone ?? PHONE,
          },
          requestOf(undefined, options.key),
        ),
      );
  const register = registerWith();

  it('keeps name and phone in the table and out of every event', async () => {
    expect(await register('zhang')).toMatchObject({ position: expect.any(Number) as number });
    expect(await personal.find('zhang')).toEqual({ name: NAME, phone: PHONE });
    const log = JSON.stringify(await allEvents(events));
    expect(log).toContain('zhang');
    expect(log).not.toContain(NAME);
    expect(log).not.toContain(PHONE);
  });

  it('refuses a taken id (ALREADY_EXISTS) and an unknown community (NOT_FOUND) without touching the table', async () => {
    expect(await register('zhang', { phone: '13900000000' })).toMatchObject({
      code: 'ALREADY_EXISTS',
    });
    expect(await personal.find('zhang')).toEqual({ name: NAME, phone: PHONE });
    expect(await register('li', { communityId: 'nowhere', phone: '13900000000' })).toMatchObject({
      code: 'NOT_FOUND',
    });
    expect(await personal.find('li')).toBeUndefined();
  });

  it('gives one phone to one rider of a district, however it is written, naming that rider', async () => {
    for (const phone of [PHONE, '138 0013 8000', '+86 138-0013-8000', '008613800138000'])
      expect(await register(`copy-${phone.length}`, { communityId: 'c2', phone })).toEqual(
        expect.objectContaining({ code: 'ALREADY_EXISTS', members: { riderId: 'zhang' } }),
      );
    expect(await personal.find('copy-11')).toBeUndefined();
    // Another district runs its own roll: the same number is a new rider there.
    expect(await register('yong', { communityId: 'y1' })).toMatchObject({
      position: expect.any(Number) as number,
    });
    // A registration's retry is the same registration, not a second holder.
    expect(await register('chen', { key: 'k-chen', phone: '13700000000' })).toMatchObject({
      position: expect.any(Number) as number,
    });
    expect(await register('chen', { key: 'k-chen', phone: '13700000000' })).toMatchObject({
      position: expect.any(Number) as number,
    });
  });

  it('lets one of several processes registering one phone at once win, the others told who did', async () => {
    const outcomes = await Promise.all(
      [1, 2, 3, 4].map((n) => register(`race-${n}`, { phone: '13600000000' })),
    );
    const won = outcomes.filter((o) => 'position' in o);
    expect(won).toHaveLength(1);
    const winner = [1, 2, 3, 4].find((_, i) => 'position' in outcomes[i]);
    for (const lost of outcomes.filter((o) => !('position' in o)))
      expect(lost).toEqual(
        expect.objectContaining({ code: 'ALREADY_EXISTS', members: { riderId: `race-${winner}` } }),
      );
    const { rows } = await sql.query<{ n: number }>(
      `select count(*)::int as n from rider_personal_data where phone = '13600000000'`,
    );
    expect(rows[0].n).toBe(1);
  });

  it('completes a registration whose personal data failed in a crash, when retried with its key', async () => {
    const failing: PersonalDataStore = {
      reserve: () => Promise.reject(new Error('killed')),
      release: (id, registration) => personal.release(id, registration),
      moveTo: (id, district) => personal.moveTo(id, district),
      find: (id) => personal.find(id),
      deleteIn: (query, id) => personal.deleteIn(query, id),
      namesOf: (ids) => personal.namesOf(ids),
    };
    await expect(
      registerWith(failing)('wang', { key: 'k-1', phone: '13500000000' }),
    ).rejects.toThrow('killed');
    expect(await events.readStream('rider-wang')).toEqual([]);
    expect(await register('wang', { key: 'k-1', phone: '13500000000' })).toMatchObject({
      position: expect.any(Number) as number,
    });
    expect(await personal.find('wang')).toEqual<PersonalData>({ name: NAME, phone: '13500000000' });
  });

  it('frees a phone a crash left reserved for a rider that never reached the log, once it is old', async () => {
    const claim = { registrationId: 'lost', district: '江津区' };
    expect(await personal.reserve('ghost', claim, { name: '幽灵', phone: '13400000000' })).toEqual({
      reserved: true,
    });
    expect(await register('zhao', { phone: '13400000000' })).toEqual(
      expect.objectContaining({ code: 'ALREADY_EXISTS', members: { riderId: 'ghost' } }),
    );
    const old = `${(ORPHAN_RESERVATION_MS / 1000) * 2} seconds`;
    await sql.query(
      `update rider_personal_data set updated_at = now() - $1::interval where rider_id = 'ghost'`,
      [old],
    );
    expect(await register('zhao', { phone: '13400000000' })).toMatchObject({
      position: expect.any(Number) as number,
    });
    expect(await personal.find('ghost')).toBeUndefined();
  });

  it('refuses a transfer into a district where another rider has the phone, and moves the phone with it', async () => {
    await models.catchUp();
    const transfer = (riderId: string, communityId: string) =>
      new TransferRiderHandler(ledgerProcess(events).writer, personal, models).execute(
        new TransferRiderCommand({ riderId, communityId }, requestOf()),
      );
    // yong (永川区) has zhang's number: moving into 江津区 would give the number two riders.
    expect(await transfer('yong', 'c2')).toEqual(
      expect.objectContaining({ code: 'ALREADY_EXISTS', members: { riderId: 'zhang' } }),
    );
    expect(await transfer('chen', 'y1')).toMatchObject({ position: expect.any(Number) as number });
    await models.catchUp();
    // chen's number now belongs to 永川区: 江津区 may give it to a new rider, 永川区 may not.
    expect(await register('chen-2', { phone: '13700000000' })).toMatchObject({
      position: expect.any(Number) as number,
    });
    expect(await register('chen-3', { communityId: 'y1', phone: '13700000000' })).toEqual(
      expect.objectContaining({ code: 'ALREADY_EXISTS', members: { riderId: 'chen' } }),
    );
  });

  it('erases for good, keeps the ledger, records the erasure once, and frees the phone', async () => {
    const p = ledgerProcess(events);
    await p.awardPoints('zhang', 10);
    const texts = await KeptTexts.open(sql);
    const described = await texts.keep(riderSubject('zhang'), '井盖坏了，请打13800138000');
    const another = await texts.keep(riderSubject('chen'), '路灯不亮');
    const erase = new ErasePersonalDataHandler(p.writer, new Erasure(sql, personal));
    expect(await erase.execute(new ErasePersonalDataCommand('zhang', requestOf()))).toMatchObject({
      position: expect.any(Number) as number,
    });
    expect(await personal.find('zhang')).toBeUndefined();
    expect(await texts.textsOf([described.textId, another.textId])).toEqual(
      new Map([[another.textId, '路灯不亮']]),
    );
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
    expect(await register('zhang-new', { communityId: 'c2' })).toMatchObject({
      position: expect.any(Number) as number,
    });
  });
});
