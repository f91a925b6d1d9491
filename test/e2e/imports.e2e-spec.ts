import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { tempDir, workbookOf } from '@ledger/testing';
import { createHash } from 'node:crypto';
import { connect } from 'node:net';
import { ADMIN_TOKEN, apiClient, openTestApi, setUpDistrict } from './api-fixture';

const HEADER =
  '类型,小哥编号,社区编号,姓名,电话,平台,职业,日期,活动,积分,资金编号,事由,驿站编号,物品,数量';
const sha = (content: string) => createHash('sha256').update(content).digest('hex');

/**
 * Issue 16: history in. A district's paper ledger (CSV here; .xlsx reads the same) is checked row
 * by row with nothing written, then written once confirmed by its SHA-256, with its original
 * dates and provenance, each row once however often it is sent.
 */
describe('imports of past history over HTTP', () => {
  const dir = tempDir();
  let app: NestFastifyApplication;
  let tokens: Record<string, string>;
  const call = (...args: Parameters<ReturnType<typeof apiClient>>) => apiClient(app)(...args);
  /** POST (a check) without `id`; PUT at `id` (writing it). */
  const upload = async (
    content: string,
    id?: string,
    headers: Record<string, string> = {},
    token = ADMIN_TOKEN,
  ) => {
    const res = await app.inject({
      method: id === undefined ? 'POST' : 'PUT',
      url: `/v1/imports${id === undefined ? '' : `/${id}`}?fileName=paper.csv`,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'text/csv', ...headers },
      payload: Buffer.from(content),
    });
    return {
      status: res.statusCode,
      body: res.json<Record<string, unknown>>(),
      headers: res.headers,
    };
  };

  beforeAll(async () => {
    app = await openTestApi(dir.path);
    tokens = await setUpDistrict(call, {
      communities: { c1: '几江街道' },
      rules: [{ activity: 'patrol', points: 20 }],
      riders: { r1: 'c1' },
      stations: [{ id: 's1', name: '滨江小哥驿站', kind: 'station' }],
      principals: [
        { id: 'auditor-1', name: 'a', role: 'auditor' },
        { id: 'staff-1', name: 's', role: 'staff', communityIds: ['c1'] },
      ],
    });
  });
  afterAll(async () => {
    await app.close();
    dir.remove();
  });

  it('checks a file in the caller’s language, writing nothing, and refuses a confirmation of another file', async () => {
    const file = [
      HEADER,
      '小哥,old1,c1,赵六,13912345678,美团,food_delivery,2024-01-02,,,,,,,',
      '奖励,old1,,,,,,2024-03-05,patrol,100,f1,夜间巡逻,,,',
      '兑换,old1,,,,,,2024-03-01,,150,,,s1,雨衣,1',
      '奖励,nobody,,,,,,2024-03-05,patrol,100,f1,夜间巡逻,,,',
    ].join('\n');
    const before = await call('GET', '/v1/audit/events?limit=1000');
    const checked = await upload(file, undefined, { 'accept-language': 'zh-CN' });
    expect(checked.status).toBe(200);
    expect(checked.body).toMatchObject({ importId: sha(file), rows: 4, accepted: 2, refused: 2 });
    expect(checked.body.items).toEqual([
      {
        row: 2,
        kind: 'rider',
        riderId: 'old1',
        occurredAt: '2024-01-02T12:00:00+08:00',
        outcome: 'accepted',
      },
      expect.objectContaining({ row: 3, outcome: 'accepted', points: 100 }),
      expect.objectContaining({
        row: 4,
        outcome: 'refused',
        code: 'INSUFFICIENT_BALANCE',
        reason: '这次兑换要 150 分，当日余额只有 0 分',
      }),
      expect.objectContaining({ row: 5, outcome: 'refused', code: 'NOT_FOUND' }),
    ]);
    const after = await call('GET', '/v1/audit/events?limit=1000');
    expect((after.body.items as unknown[]).length).toBe((before.body.items as unknown[]).length);
    // Confirming: with rows refused, or under another file's hash, nothing is written.
    expect(await upload(file, sha(file))).toMatchObject({ status: 400 });
    const other = await upload(file, sha('another file'));
    expect(other).toMatchObject({ status: 400, body: { code: 'VALIDATION_FAILED' } });
    expect(String(other.body.detail)).toContain(sha(file));
  });

  it('writes a confirmed file in the background, once, with each event’s original date and provenance', async () => {
    const file = [
      HEADER,
      '小哥,old2,c1,钱七,13912345679,顺丰,courier,2024-01-02,,,,,,,',
      '奖励,old2,,,,,,2024-03-05,patrol,100,f1,夜间巡逻,,,',
      '兑换,old2,,,,,,2024-04-01,,60,,,s1,矿泉水,3',
      '奖励,r1,,,,,,2024-05-01,rescue,200,f1,救助落水群众,,,',
    ].join('\n');
    const id = sha(file);
    const confirmed = await upload(file, id);
    expect(confirmed.status).toBe(202);
    expect(confirmed.headers.location).toBe(`/v1/imports/${id}`);
    expect(confirmed.body).toMatchObject({
      importId: id,
      fileName: 'paper.csv',
      rows: 4,
      confirmedBy: 'admin',
    });
    let status = confirmed.body;
    for (let i = 0; i < 100 && status.status !== 'done'; i++) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      status = (await call('GET', `/v1/imports/${id}`, undefined, tokens['auditor-1'])).body;
    }
    expect(status).toMatchObject({
      status: 'done',
      written: 4,
      completed: { riders: 1, awards: 2, redemptions: 1 },
    });
    // The events: original dates, recorded now, with the file and row they came from.
    const events = await call('GET', '/v1/audit/events?stream=rider-old2');
    const items = events.body.items as {
      type: string;
      data: Record<string, unknown>;
      metadata: Record<string, unknown>;
    }[];
    expect(items.map((e) => e.type)).toEqual([
      'RiderRegistered',
      'PointsAwarded',
      'RedemptionMade',
    ]);
    expect(items[1].data).toMatchObject({
      occurredAt: '2024-03-05T04:00:00.000Z',
      ruleVersion: 0,
      imported: { importId: id, row: 3 },
    });
    expect(items[2].data).toMatchObject({
      points: 60,
      items: [{ sku: '矿泉水', quantity: 3, pricePoints: 20 }],
    });
    // As of a date of the past, by when the acts happened; and the rider's balance now.
    const asOf = await call(
      'GET',
      '/v1/audit/riders/old2/balance?asOf=2024-03-31T24:00:00%2B08:00&by=occurred',
    );
    expect(asOf.body).toMatchObject({ balance: 100 });
    const balance = await call('GET', '/v1/riders/old2/balance');
    expect(balance.body).toMatchObject({ balance: 40 });
    // The import's own record in the log, and the same file again: nothing new.
    const record = await call('GET', `/v1/audit/events?stream=import-${id}`);
    expect((record.body.items as { type: string }[]).map((e) => e.type)).toEqual([
      'ImportConfirmed',
      'ImportBatchWritten',
      'ImportCompleted',
    ]);
    const head = (await call('GET', '/v1/audit/verification')).body.head;
    const again = await upload(file, id);
    expect(again).toMatchObject({ status: 202, body: { status: 'done' } });
    const checkedAgain = await upload(file);
    expect(checkedAgain.body).toMatchObject({ accepted: 0, refused: 0, imported: 4 });
    expect((await call('GET', '/v1/audit/verification')).body).toMatchObject({ ok: true, head });
  });

  it('counts imported awards in their period: leaderboards of that year and month, and that year’s top ten', async () => {
    const file = [
      HEADER,
      '小哥,old3,c1,孙八,,饿了么,food_delivery,,,,,,,,',
      '奖励,old3,,,,,,2023-11-20,rescue,300,f1,救助落水群众,,,',
      '奖励,r1,,,,,,2023-11-21,patrol,20,f1,夜间巡逻,,,',
    ].join('\n');
    const id = sha(file);
    expect((await upload(file, id)).status).toBe(202);
    let status = (await call('GET', `/v1/imports/${id}`)).body;
    for (let i = 0; i < 100 && status.status !== 'done'; i++) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      status = (await call('GET', `/v1/imports/${id}`)).body;
    }
    expect(status).toMatchObject({ status: 'done', written: 3 });
    const board = async (period: string) => {
      const res = await call('GET', `/v1/leaderboards?scope=district:江津区&period=${period}`);
      return (res.body.items as { riderId: string; points: number }[]).map((i) => [
        i.riderId,
        i.points,
      ]);
    };
    expect(await board('2023')).toEqual([
      ['old3', 300],
      ['r1', 20],
    ]);
    expect(await board('2023-11')).toEqual(await board('2023'));
    expect(await board('2023-10')).toEqual([]);
    expect(await board(String(new Date().getFullYear()))).not.toContainEqual(['old3', 300]);
    const opened = await call('POST', '/v1/selections', {
      id: 'top-2023',
      district: '江津区',
      year: 2023,
      size: 10,
    });
    expect(opened.status).toBe(201);
    const closed = await call('POST', '/v1/selections/top-2023/close');
    expect(closed.body.winners).toMatchObject([
      { rank: 1, riderId: 'old3', points: 300 },
      { rank: 2, riderId: 'r1', points: 20 },
    ]);
  });

  it('reads an Excel workbook sent as one', async () => {
    const workbook = await workbookOf([
      ['类型', '小哥编号', '日期', '活动', '积分', '资金编号', '事由'],
      ['奖励', 'r1', new Date(Date.UTC(2024, 5, 1)), 'patrol', 20, 'f1', '夜间巡逻'],
    ]);
    const res = await app.inject({
      method: 'POST',
      url: '/v1/imports?fileName=2024.xlsx',
      headers: {
        authorization: `Bearer ${ADMIN_TOKEN}`,
        'content-type': 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
      },
      payload: workbook,
    });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({
      format: 'xlsx',
      fileName: '2024.xlsx',
      accepted: 1,
      items: [
        { row: 2, kind: 'award', occurredAt: '2024-06-01T12:00:00+08:00', outcome: 'accepted' },
      ],
    });
  });

  it('takes files from admins only, as files, on this route only', async () => {
    expect(await upload(`${HEADER}\n`, undefined, {}, tokens['staff-1'])).toMatchObject({
      status: 403,
    });
    expect(await upload('')).toMatchObject({
      status: 400,
      body: { code: 'VALIDATION_FAILED' },
    });
    const json = await call('POST', '/v1/imports', { file: 'x' });
    expect(json.status).toBe(400);
    const csvElsewhere = await app.inject({
      method: 'POST',
      url: '/v1/awards',
      headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'text/csv' },
      payload: 'a,b',
    });
    expect(csvElsewhere.statusCode).toBe(415);
    expect(csvElsewhere.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(csvElsewhere.json()).toMatchObject({ status: 415, detail: 'send application/json' });
    // A request without a body is not refused for the type its client names by habit.
    const bodiless = await app.inject({
      method: 'GET',
      url: '/v1/funds',
      headers: {
        authorization: `Bearer ${ADMIN_TOKEN}`,
        'content-type': 'application/octet-stream',
      },
    });
    expect(bodiless.statusCode).toBe(200);
    expect(await call('GET', `/v1/imports/${sha('never sent')}`)).toMatchObject({ status: 404 });
  });

  it('refuses a file sent elsewhere before reading its body, and waits for one sent here', async () => {
    await app.listen(0, '127.0.0.1');
    const { port } = app.getHttpServer().address() as { port: number };
    /** What the server answers within `ms` to headers announcing 32 MiB, with no body sent. */
    const answerTo = (path: string, ms: number) =>
      new Promise<string>((resolve, reject) => {
        const socket = connect(port, '127.0.0.1');
        let answer = '';
        const timer = setTimeout(() => {
          socket.destroy();
          resolve(answer);
        }, ms);
        socket.on('data', (chunk) => (answer += chunk.toString('utf8')));
        socket.on('close', () => {
          clearTimeout(timer);
          resolve(answer);
        });
        socket.on('error', reject);
        socket.write(
          `POST ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${ADMIN_TOKEN}\r\n` +
            `Content-Type: text/csv\r\nContent-Length: ${32 * 1024 * 1024}\r\n\r\nkind,riderId\n`,
        );
      });
    const elsewhere = await answerTo('/v1/awards', 5000);
    expect(elsewhere).toMatch(/^HTTP\/1\.1 415 /);
    expect(elsewhere.toLowerCase()).toContain('connection: close');
    expect(await answerTo('/v1/imports', 500)).toBe(''); // still reading the file
  });
});
