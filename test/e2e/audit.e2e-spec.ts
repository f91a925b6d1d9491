import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { SqlClient } from '@ledger/event-store';
import { JOB_NAMES, JOB_QUEUE, settled, SQL_DATABASE, type JobQueue } from '@ledger/ledger';
import { existsSync, readFileSync } from 'node:fs';
import { tempDir } from '@ledger/testing';
import { apiClient, openTestApi, setUpDistrict } from './api-fixture';

/** The auditor's routes: the log with its hashes, as-of balances, verification, replay-and-diff. */
describe('audit', () => {
  const dir = tempDir();
  let app: NestFastifyApplication;
  let call: ReturnType<typeof apiClient>;
  let auditor: string;
  const award = async () => {
    const res = await call('POST', '/v1/awards', {
      riderId: 'r1',
      activity: 'patrol',
      fundId: 'f1',
      reason: '夜间巡逻',
      occurredAt: new Date(Date.now() - 60_000).toISOString(),
    });
    expect(res.status).toBe(201);
    return res;
  };
  const settledReplay = async (id: string) => {
    for (let i = 0; i < 200; i++) {
      const res = await call('GET', `/v1/audit/replays/${id}`, undefined, auditor);
      if (res.body.status === 'done' || res.body.status === 'failed') return res;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`replay ${id} did not finish`);
  };

  beforeAll(async () => {
    app = await openTestApi(dir.path, { RATE_LIMIT_PER_MINUTE: '0' });
    call = apiClient(app);
    ({ auditor } = await setUpDistrict(call, {
      communities: { c1: '几江街道' },
      budgetPoints: 10_000,
      rules: [{ activity: 'patrol', points: 20 }],
      riders: { r1: 'c1' },
      personal: () => ({ name: '司马小哥', phone: '13700000000' }),
      principals: [{ id: 'auditor', name: '纪检', role: 'auditor' }],
    }));
  });
  afterAll(async () => {
    await app.close();
    dir.remove();
  });

  it('answers a balance as of any moment, equal to replaying the rider’s stream to then', async () => {
    await award();
    await new Promise((r) => setTimeout(r, 20));
    const between = new Date().toISOString();
    await new Promise((r) => setTimeout(r, 20));
    await award();
    const then = await call(
      'GET',
      `/v1/audit/riders/r1/balance?asOf=${between}`,
      undefined,
      auditor,
    );
    expect(then).toMatchObject({ status: 200, body: { riderId: 'r1', balance: 20, earned: 20 } });
    // The same instant, written with the deployment's offset.
    expect(then.body.asOf).toMatch(/\+08:00$/);
    expect(Date.parse(String(then.body.asOf))).toBe(Date.parse(between));
    const now = await call('GET', '/v1/audit/riders/r1/balance', undefined, auditor);
    const live = await call('GET', '/v1/riders/r1/balance');
    expect(now.body).toMatchObject({ balance: live.body.balance, earned: live.body.earned });
    expect(now.body.balance).toBe(40);
    const before = await call(
      'GET',
      '/v1/audit/riders/r1/balance?asOf=2020-01-01T00:00:00Z',
      undefined,
      auditor,
    );
    expect(before.body).toMatchObject({ balance: 0, eventsApplied: 0 });
    expect(await call('GET', '/v1/audit/riders/nobody/balance', undefined, auditor)).toMatchObject({
      status: 404,
    });
    expect(
      await call('GET', '/v1/audit/riders/r1/balance?asOf=yesterday', undefined, auditor),
    ).toMatchObject({
      status: 400,
    });
  });

  it('answers as of when the acts happened on request (by=occurred), recorded by default', async () => {
    // An award for a patrol three days ago, recorded now.
    const threeDaysAgo = new Date(Date.now() - 3 * 86_400_000).toISOString();
    const made = await call('POST', '/v1/awards', {
      riderId: 'r1',
      activity: 'patrol',
      fundId: 'f1',
      reason: '补录三天前的巡逻',
      occurredAt: threeDaysAgo,
    });
    expect(made.status).toBe(201);
    const twoDaysAgo = new Date(Date.now() - 2 * 86_400_000).toISOString();
    const ask = (query: string) =>
      call('GET', `/v1/audit/riders/r1/balance?asOf=${twoDaysAgo}${query}`, undefined, auditor);
    expect((await ask('')).body).toMatchObject({ by: 'recorded', balance: 0, eventsApplied: 0 });
    expect((await ask('&by=recorded')).body).toMatchObject({ by: 'recorded', balance: 0 });
    // Registration is an act of now: only the award three days ago counts two days ago.
    expect((await ask('&by=occurred')).body).toMatchObject({
      by: 'occurred',
      balance: 20,
      earned: 20,
      eventsApplied: 1,
    });
    expect(await ask('&by=happened')).toMatchObject({ status: 400 });
  });

  it("closes the fund's books through the hourly job: awards go on, figures hold, the log verifies", async () => {
    const before = (await call('GET', '/v1/funds/f1')).body as { awardedPoints: number };
    const queue = app.get<JobQueue>(JOB_QUEUE);
    await queue.add(JOB_NAMES.fundBooks, {}, { jobId: 'fund-books-test-1' });
    const closing = await settled(queue, 'fund-books-test-1');
    expect(closing).toMatchObject({ status: 'done', result: { funds: 1, closed: 1 } });
    await queue.add(JOB_NAMES.fundBooks, {}, { jobId: 'fund-books-test-2' });
    expect(await settled(queue, 'fund-books-test-2')).toMatchObject({ result: { closed: 0 } });
    const after = await award();
    const fund = await call('GET', `/v1/funds/f1?minPosition=${String(after.body.position)}`);
    expect(fund.body).toMatchObject({ awardedPoints: before.awardedPoints + 20 });
    const books = await call('GET', '/v1/audit/events?limit=1000', undefined, auditor);
    const streams = (books.body.items as { stream: string; type: string }[])
      .filter((e) => e.stream.startsWith('fund-f1'))
      .map((e) => `${e.stream.replace(/@.*/, '@hour')} ${e.type}`);
    expect(streams).toEqual(
      expect.arrayContaining([
        'fund-f1 FundBookClosed',
        'fund-f1@hour FundBookOpened',
        'fund-f1@hour FundPointsReserved',
      ]),
    );
    expect((await call('GET', '/v1/audit/verification', undefined, auditor)).body).toMatchObject({
      ok: true,
    });
  });

  it('pages the log in order with each event’s hash, and verifies it', async () => {
    const all: { position: number; hash: string | null; stream: string }[] = [];
    let cursor: string | null = null;
    let cursorOfLog = '';
    do {
      const url: string = `/v1/audit/events?limit=4${cursor ? `&after=${cursor}` : ''}`;
      const page = await call('GET', url, undefined, auditor);
      expect(page.status).toBe(200);
      all.push(...(page.body.items as typeof all));
      cursor = page.body.nextCursor as string | null;
      cursorOfLog ||= cursor ?? '';
    } while (cursor);
    expect(all.map((e) => e.position)).toEqual(
      [...all.map((e) => e.position)].sort((a, b) => a - b),
    );
    expect(all.every((e) => typeof e.hash === 'string' && e.hash.length === 64)).toBe(true);
    const riderOnly = await call(
      'GET',
      '/v1/audit/events?stream=rider-r1&limit=1000',
      undefined,
      auditor,
    );
    const ofRider = all.filter((e) => e.stream === 'rider-r1');
    expect(ofRider.length).toBeGreaterThan(1);
    expect(riderOnly.body.items).toEqual(ofRider);
    // A stream is read directly, page by page from a revision: never an empty filtered page.
    const first = await call('GET', '/v1/audit/events?stream=rider-r1&limit=1', undefined, auditor);
    expect(first.body).toMatchObject({ items: [ofRider[0]], nextCursor: 'r1' });
    const second = await call(
      'GET',
      '/v1/audit/events?stream=rider-r1&limit=1&after=r1',
      undefined,
      auditor,
    );
    expect(second.body.items).toEqual([ofRider[1]]);
    expect(
      await call(
        'GET',
        `/v1/audit/events?stream=rider-r1&after=${cursorOfLog}`,
        undefined,
        auditor,
      ),
    ).toMatchObject({ status: 400, body: { code: 'VALIDATION_FAILED' } });
    const verified = await call('GET', '/v1/audit/verification', undefined, auditor);
    expect(verified).toMatchObject({
      status: 200,
      body: {
        ok: true,
        eventsChecked: all.length,
        firstBadPosition: null,
        head: all[all.length - 1].position,
      },
    });
  });

  it('keeps personal data out of the log, and the log verifies after erasure', async () => {
    expect(await call('DELETE', '/v1/riders/r1/personal-data')).toMatchObject({ status: 204 });
    expect((await call('GET', '/v1/riders/r1', undefined, auditor)).body).toMatchObject({
      name: null,
    });
    const log = await call('GET', '/v1/audit/events?limit=1000', undefined, auditor);
    const text = JSON.stringify(log.body);
    expect(text).not.toContain('司马小哥');
    expect(text).not.toContain('13700000000');
    expect((await call('GET', '/v1/audit/verification', undefined, auditor)).body).toMatchObject({
      ok: true,
    });
  });

  it('replays every read model in a shadow copy: no differences, then the row changed by hand', async () => {
    const first = await call('POST', '/v1/audit/replays', undefined, auditor);
    expect(first).toMatchObject({
      status: 202,
      body: { id: expect.stringMatching(/^replay-/) as string },
    });
    const clean = await settledReplay(first.body.id as string);
    expect(clean.body).toMatchObject({ status: 'done', progress: 100, differences: [] });
    expect(clean.body.eventsReplayed).toBeGreaterThan(0);

    const sql = app.get<SqlClient>(SQL_DATABASE);
    await sql.query(`update read.balances set balance = balance + 1000 where rider_id = 'r1'`);
    const second = await call('POST', '/v1/audit/replays', undefined, auditor);
    const found = await settledReplay(second.body.id as string);
    expect(found.body).toMatchObject({
      status: 'done',
      differences: [expect.objectContaining({ table: 'balances' })],
    });
    expect(await call('GET', '/v1/audit/replays/replay-nothing', undefined, auditor)).toMatchObject(
      { status: 404 },
    );
    // the live runners are back: a new write is read
    const again = await award();
    const balance = await call(
      'GET',
      `/v1/riders/r1/balance?minPosition=${String(again.body.position)}`,
    );
    expect(balance.status).toBe(200);
  });

  it('exports the ledger to a file through a job, whole or not at all', async () => {
    const queue = app.get<JobQueue>(JOB_QUEUE);
    await queue.add(
      JOB_NAMES.export,
      { what: 'ledger', format: 'csv', name: 'ledger-e2e' },
      { jobId: 'export-ledger-e2e' },
    );
    const job = await settled(queue, 'export-ledger-e2e');
    expect(job).toMatchObject({ status: 'done' });
    const { file, lines } = job.result as { file: string; lines: number };
    const text = readFileSync(file, 'utf8').trim().split('\n');
    expect(text[0]).toMatch(/^rider_id,entry_id,type,points,balance_after/);
    expect(text).toHaveLength(lines);
    expect(existsSync(`${file}.partial`)).toBe(false);
    await queue.add(
      JOB_NAMES.export,
      { what: 'people', format: 'csv' },
      { jobId: 'export-people' },
    );
    expect(await settled(queue, 'export-people')).toMatchObject({
      status: 'failed',
      error: 'cannot export people',
    });
  });
});
