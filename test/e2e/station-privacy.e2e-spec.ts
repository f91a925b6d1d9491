import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { tempDir } from '@ledger/testing';
import { apiClient, openTestApi } from './api-fixture';

/**
 * A station reads what redeeming needs (issue 10): the balance and badges of riders of its
 * district, a name only after finding the rider by the phone number given at its counter, and
 * nothing of other riders: no ledger, no names by id, no lists.
 */
describe('what a station reads of riders', () => {
  const dir = tempDir();
  let app: NestFastifyApplication;
  let station: string;
  const call = (...args: Parameters<ReturnType<typeof apiClient>>) => apiClient(app)(...args);
  const asStation = (url: string) => call('GET', url, undefined, station);

  beforeAll(async () => {
    app = await openTestApi(dir.path);
    const must = async (method: string, url: string, body: unknown) => {
      const res = await call(method, url, body);
      if (res.status >= 300) throw new Error(`${url}: ${JSON.stringify(res.body)}`);
      return res.body;
    };
    for (const [id, district] of [
      ['c-jj', '江津区'],
      ['c-yc', '永川区'],
    ])
      await must('POST', '/v1/communities', { id, name: id, street: `${id}街道`, district });
    await must('POST', '/v1/stations', {
      id: 's-jj',
      name: '几江驿站',
      district: '江津区',
      kind: 'station',
    });
    for (const [id, communityId, phone] of [
      ['r-jj', 'c-jj', '13800138001'],
      ['r-yc', 'c-yc', '13800138002'],
    ])
      await must('POST', '/v1/riders', {
        id,
        communityId,
        platform: '美团',
        occupation: 'food_delivery',
        name: `张${id}`,
        phone,
      });
    const created = await must('POST', '/v1/principals', {
      id: 'station-jj',
      name: '驿站',
      role: 'station',
      stationIds: ['s-jj'],
    });
    station = created.token as string;
  });
  afterAll(async () => {
    await app.close();
    dir.remove();
  });

  it('reads the balance and badges of a rider of its district, without the name', async () => {
    const rider = await asStation('/v1/riders/r-jj');
    expect(rider).toMatchObject({
      status: 200,
      body: { id: 'r-jj', balance: 0, badges: [], name: null },
    });
    expect((await asStation('/v1/riders/r-jj/balance')).status).toBe(200);
  });

  it('reads nothing of a rider of another district', async () => {
    for (const url of ['/v1/riders/r-yc', '/v1/riders/r-yc/balance']) {
      const res = await asStation(url);
      expect([url, res.status, res.body.code]).toEqual([url, 403, 'FORBIDDEN']);
    }
  });

  it('never reads a ledger', async () => {
    expect((await asStation('/v1/riders/r-jj/ledger')).status).toBe(403);
  });

  it('finds a rider of its district by the whole phone number, with the name', async () => {
    const found = await asStation('/v1/riders?q=138%200013%208001');
    expect(found.body.items).toEqual([expect.objectContaining({ id: 'r-jj', name: '张r-jj' })]);
    const elsewhere = await asStation('/v1/riders?q=13800138002');
    expect(elsewhere).toMatchObject({ status: 200, body: { items: [] } });
  });

  it('cannot list riders or find them by name', async () => {
    for (const url of ['/v1/riders', '/v1/riders?q=%E5%BC%A0', '/v1/riders?communityId=c-jj']) {
      const res = await asStation(url);
      expect([url, res.status]).toEqual([url, 403]);
    }
  });
});
