import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { tempDir } from '@ledger/testing';
import { addCommunity, apiClient, openTestApi } from './api-fixture';

/** Errors in the caller's language: Accept-Language zh-CN gives Chinese, the code never changes. */
describe('problems in Chinese (Accept-Language)', () => {
  const dir = tempDir();
  let app: NestFastifyApplication;
  const call = (...args: Parameters<ReturnType<typeof apiClient>>) => apiClient(app)(...args);
  const zh = { 'accept-language': 'zh-CN,zh;q=0.9,en;q=0.8' };

  beforeAll(async () => {
    app = await openTestApi(dir.path);
    await addCommunity(app);
  });
  afterAll(async () => {
    await app.close();
    dir.remove();
  });

  it('says a refusal of the ledger in Chinese, with its values, and the same code', async () => {
    const english = await call('GET', '/v1/riders/r-404/balance');
    expect(english).toMatchObject({
      status: 404,
      body: { code: 'NOT_FOUND', title: 'Not found', detail: 'rider r-404 does not exist' },
    });
    expect(english.headers['content-language']).toBe('en');
    const chinese = await call('GET', '/v1/riders/r-404/balance', undefined, undefined, zh);
    expect(chinese).toMatchObject({
      status: 404,
      body: { code: 'NOT_FOUND', title: '未找到', detail: '骑手 r-404 不存在' },
    });
    expect(chinese.headers['content-language']).toBe('zh-CN');
    expect(chinese.headers.vary).toMatch(/Accept-Language/i);
  });

  it('says validation messages in Chinese, with the limits the fields were declared with', async () => {
    const body = {
      id: 'bad id!',
      communityId: 'c1',
      platform: '美团',
      occupation: 'astronaut',
      name: '',
      phone: 'call me',
    };
    const { status, body: problem } = await call('POST', '/v1/riders', body, undefined, zh);
    expect(status).toBe(400);
    expect(problem).toMatchObject({ code: 'VALIDATION_FAILED', title: '请求无效' });
    const messages = Object.fromEntries(
      (problem.errors as { field: string; message: string }[]).map((e) => [e.field, e.message]),
    );
    expect(messages.id).toBe('id 必须是1–64 个字母、数字、点、连字符或下划线，并以字母或数字开头');
    expect(messages.occupation).toMatch(/^occupation 必须是以下值之一：.*food_delivery/);
    expect(messages.name).toBe('name 至少要有 1 个字符');
    expect(messages.phone).toBe('phone 必须是 5–20 位数字、空格或连字符，需要时可在开头加 +');
  });

  it('says a limit of a query and a time without its offset in Chinese', async () => {
    const page = await call('GET', '/v1/communities?limit=500', undefined, undefined, zh);
    expect(page.body.errors).toEqual([{ field: 'limit', message: 'limit 不能大于 200' }]);
    const award = {
      riderId: 'r1',
      activity: 'patrol',
      fundId: 'f1',
      reason: '巡逻',
      occurredAt: '2026-12-03 10:00',
    };
    const late = await call('POST', '/v1/awards', award, undefined, zh);
    expect(late.status).toBe(400);
    expect(late.body.errors).toEqual([
      {
        field: 'occurredAt',
        message: 'occurredAt 必须是带时区偏移的日期时间，例如 2026-12-03T20:00:00+08:00',
      },
    ]);
  });

  it('answers in English when Chinese is not asked for first, or not at all', async () => {
    for (const accept of ['en', 'fr-FR, de;q=0.5', 'en;q=0.9, zh-CN;q=0.1', '*']) {
      const { body } = await call('GET', '/v1/riders/r-404/balance', undefined, undefined, {
        'accept-language': accept,
      });
      expect([accept, body.detail]).toEqual([accept, 'rider r-404 does not exist']);
    }
    const zhOnly = await call('GET', '/v1/riders/r-404/balance', undefined, undefined, {
      'accept-language': 'zh',
    });
    expect(zhOnly.body.detail).toBe('骑手 r-404 不存在');
  });

  it('says the HTTP layer’s own problems in Chinese too', async () => {
    const noToken = await call('GET', '/v1/me', undefined, 'not-a-token', zh);
    expect(noToken.body).toMatchObject({
      code: 'UNAUTHENTICATED',
      title: '需要身份验证',
      detail: '需要有效的 Bearer 令牌',
    });
    const noRoute = await call('GET', '/v1/nowhere', undefined, undefined, zh);
    expect(noRoute.body).toMatchObject({ code: 'NOT_FOUND', detail: '没有这个接口' });
  });
});
