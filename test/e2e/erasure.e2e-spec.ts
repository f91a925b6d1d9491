import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { allEvents, tempDir } from '@ledger/testing';
import { execFileSync } from 'node:child_process';
import type { EventStore } from '@ledger/event-store';
import { EVENT_STORE, tokenHash } from '@ledger/ledger';
import { addCommunity, apiClient, openTestApi } from './api-fixture';

/**
 * Erasure erases (issue 10): after DELETE /v1/riders/{id}/personal-data and a clean stop, the
 * rider's name and phone are in no file of the embedded folder: not in a heap page, not in the
 * WAL, not in an answer kept for an idempotent retry.
 */
describe('erasure of personal data', () => {
  const dir = tempDir();
  let app: NestFastifyApplication;
  const call = (...args: Parameters<ReturnType<typeof apiClient>>) => apiClient(app)(...args);
  /** Files of the folder holding `text` (UTF-8), by path. */
  const filesHolding = (text: string) =>
    execFileSync('grep', ['-rlaF', text, dir.path], { encoding: 'utf8' })
      .split('\n')
      .filter(Boolean);
  const grep = (text: string) => {
    try {
      return filesHolding(text);
    } catch {
      return []; // grep exits 1 when nothing matches
    }
  };
  const name = '擦除测试王五';
  const phone = '13912340077';
  const other = { name: '留存测试赵六', phone: '13912340088' };
  const description = '擦除测试：井盖缺失，联系我13912340099';
  const staffName = '擦除测试社区孙七';

  beforeAll(async () => {
    app = await openTestApi(dir.path);
    await addCommunity(app);
  });
  afterAll(() => dir.remove());

  it('leaves the name and phone in no file of the store after a clean stop', async () => {
    const rider = { communityId: 'c1', platform: '美团', occupation: 'food_delivery' };
    const registered = await call(
      'POST',
      '/v1/riders',
      { ...rider, id: 'r-erased', name, phone },
      undefined,
      { 'idempotency-key': 'register-r-erased' },
    );
    expect(registered.status).toBe(201);
    await call('POST', '/v1/riders', { ...rider, id: 'r-kept', ...other });
    const hazard = {
      riderId: 'r-erased',
      category: 'manhole_cover',
      description,
      location: { lat: 29.29, lng: 106.26 },
      occurredAt: '2026-06-15T03:10:00Z',
    };
    expect((await call('POST', '/v1/hazards', hazard)).status).toBe(201);
    const staff = { id: 'staff-erased', name: staffName, role: 'staff', communityIds: ['c1'] };
    expect((await call('POST', '/v1/principals', { ...staff, stationIds: [] })).status).toBe(201);
    const riderPrincipal = { id: 'rider-erased', name, role: 'rider', riderId: 'r-erased' };
    const created = await call('POST', '/v1/principals', {
      ...riderPrincipal,
      communityIds: [],
      stationIds: [],
    });
    expect(created.status).toBe(201);
    expect((await call('GET', '/v1/hazards')).body).toMatchObject({ items: [{ description }] });
    // The log holds none of it: no name, no description, no token or its hash (issue 10).
    const log = JSON.stringify(await allEvents(app.get<EventStore>(EVENT_STORE)));
    const token = (created.body as { token: string }).token;
    for (const text of [name, phone, description, staffName, token, tokenHash(token)])
      expect(log).not.toContain(text);
    expect(log).toContain('staff-erased'); // the search can fail: the events are there
    await app.close();
    // Before erasure the strings are there to be found: the search can fail.
    for (const text of [phone, name, description, staffName])
      expect(grep(text).length).toBeGreaterThan(0);

    app = await openTestApi(dir.path);
    expect((await call('DELETE', '/v1/riders/r-erased/personal-data')).status).toBe(204);
    expect((await call('DELETE', '/v1/principals/staff-erased/personal-data')).status).toBe(204);
    expect((await call('GET', '/v1/riders/r-erased')).body).toMatchObject({ name: null });
    expect((await call('GET', '/v1/hazards')).body).toMatchObject({
      items: [{ riderId: 'r-erased', description: null }],
    });
    expect((await call('GET', '/v1/principals')).body).toMatchObject({
      items: [
        { id: 'rider-erased', name: null },
        { id: 'staff-erased', name: null },
      ],
    });
    // The rider principal's token still works: erasure takes the name, not the account.
    expect((await call('GET', '/v1/me', undefined, token)).body).toMatchObject({
      id: 'rider-erased',
      name: 'rider-erased',
    });
    await app.close();

    for (const text of [phone, name, description, staffName]) expect(grep(text)).toEqual([]);
    // Another rider's data is untouched, and the ledger still verifies.
    expect(grep(other.phone).length).toBeGreaterThan(0);
    app = await openTestApi(dir.path);
    expect((await call('GET', '/v1/riders/r-kept')).body).toMatchObject({ name: other.name });
    expect((await call('GET', '/v1/audit/verification')).body).toMatchObject({ ok: true });
    await app.close();
  });
});
