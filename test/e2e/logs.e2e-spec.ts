import { tempDir } from '@ledger/testing';
import { createApi } from '../../apps/api/src/api';
import { JsonLogger, loadConfig, type LogLine } from '@ledger/ledger';
import { ADMIN_TOKEN, apiClient } from './api-fixture';

describe('structured logs', () => {
  const dir = tempDir();
  afterAll(() => dir.remove());

  it('writes one JSON object per line, one per request, and no personal data', async () => {
    const lines: string[] = [];
    const app = await createApi(
      loadConfig({ DATA_DIR: dir.path, LEDGER_ADMIN_TOKEN: ADMIN_TOKEN }),
      {
        logger: new JsonLogger((line) => lines.push(line)),
      },
    );
    await app.init();
    await app.getHttpAdapter().getInstance().ready();
    try {
      const call = apiClient(app);
      await call('POST', '/v1/communities', {
        id: 'c1',
        name: '艾坪山社区',
        street: '几江街道',
        district: '江津区',
      });
      const rider = { id: 'r1', communityId: 'c1', platform: '美团', occupation: 'courier' };
      const name = '欧阳明月';
      const phone = '13912345678';
      expect((await call('POST', '/v1/riders', { ...rider, name, phone })).status).toBe(201);
      expect((await call('POST', '/v1/riders', { ...rider, name, phone })).status).toBe(409);
      expect(
        (await call('POST', '/v1/riders', { ...rider, name, phone: `x${phone}` })).status,
      ).toBe(400);
      expect((await call('GET', `/v1/riders/r1?name=${encodeURIComponent(name)}`)).status).toBe(
        400,
      );
      expect(
        (await call('GET', '/v1/riders/r1', undefined, 'not-a-valid-token-at-all-000')).status,
      ).toBe(401);
    } finally {
      await app.close();
    }
    const parsed = lines.map((line) => JSON.parse(line) as LogLine);
    for (const line of parsed) {
      expect(line).toMatchObject({
        level: expect.any(String) as string,
        time: expect.any(String) as string,
      });
    }
    const requests = parsed.filter((l) => l.msg === 'request');
    expect(requests.map((l) => [l.method, l.route, l.status])).toEqual([
      ['POST', '/v1/communities', 201],
      ['POST', '/v1/riders', 201],
      ['POST', '/v1/riders', 409],
      ['POST', '/v1/riders', 400],
      ['GET', '/v1/riders/:id', 400],
      ['GET', '/v1/riders/:id', 401],
    ]);
    expect(requests[1]).toMatchObject({ principal: 'admin', ms: expect.any(Number) as number });
    const all = lines.join('');
    for (const secret of ['欧阳明月', encodeURIComponent('欧阳明月'), '13912345678', ADMIN_TOKEN])
      expect(all).not.toContain(secret);
  });
});
