import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { CheckInCodes } from '@ledger/ledger';
import { tempDir } from '@ledger/testing';
import { apiClient, openTestApi, setUpDistrict } from './api-fixture';

/**
 * Check-ins (签到, issue 17): staff open one and show its rotating code; a rider checks in with
 * it from its own principal and is awarded (source `check-in`) once; a wrong code, a code typed
 * late, a rider of elsewhere and a closed check-in are refused in words.
 */
describe('check-ins over HTTP', () => {
  const dir = tempDir();
  let app: NestFastifyApplication;
  let tokens: Record<string, string>;
  const call = (...args: Parameters<ReturnType<typeof apiClient>>) => apiClient(app)(...args);
  const hours = (n: number) => new Date(Date.now() + n * 3_600_000).toISOString();

  beforeAll(async () => {
    app = await openTestApi(dir.path);
    tokens = await setUpDistrict(call, {
      communities: { c1: '几江街道', c2: '鼎山街道' },
      rules: [
        { activity: 'patrol', points: 20 },
        { activity: 'task', points: 50 },
      ],
      riders: { r1: 'c1', r2: 'c1', r3: 'c1', elsewhere: 'c2' },
      principals: [
        { id: 'staff-1', name: '几江街道社区工作站', role: 'staff', communityIds: ['c1'] },
        { id: 'staff-2', name: '鼎山街道社区工作站', role: 'staff', communityIds: ['c2'] },
        { id: 'auditor-1', name: '审计', role: 'auditor' },
        ...['r1', 'r2', 'r3', 'elsewhere'].map((r) => ({
          ...{ id: `rider-${r}`, name: r, role: 'rider', riderId: r },
        })),
      ],
    });
  });
  afterAll(async () => {
    await app.close();
    dir.remove();
  });

  const codeOf = async (id: string, token = tokens['staff-1']) =>
    (await call('GET', `/v1/check-ins/${id}/code`, undefined, token)).body as {
      code: string;
      validUntil: string;
    };
  const checkIn = (id: string, rider: string, code: string, out = false) =>
    call(
      'POST',
      `/v1/check-ins/${id}/${out ? 'check-outs' : 'riders'}`,
      { code },
      tokens[`rider-${rider}`],
    );

  it('takes a rider with the code shown, awards it once from the check-in, and shows who came', async () => {
    const opened = await call(
      'POST',
      '/v1/check-ins',
      {
        ...{ id: 'patrol-1', kind: 'patrol', communityId: 'c1', fundId: 'f1' },
        ...{ title: '滨江路夜间巡逻', closesAt: hours(4) },
      },
      tokens['staff-1'],
    );
    expect(opened).toMatchObject({
      status: 201,
      body: { checkInId: 'patrol-1', activity: 'patrol', closedAt: null, riders: [] },
    });
    // The same opening sent again (a retry, its opensAt unsent): the same check-in.
    const retried = await call(
      'POST',
      '/v1/check-ins',
      {
        ...{ id: 'patrol-1', kind: 'patrol', communityId: 'c1', fundId: 'f1' },
        ...{ title: '滨江路夜间巡逻', closesAt: opened.body.closesAt },
      },
      tokens['staff-1'],
    );
    expect(retried).toMatchObject({ status: 201, body: { opensAt: opened.body.opensAt } });
    const shown = await codeOf('patrol-1');
    expect(shown.code).toMatch(/^\d{6}$/);
    expect(Date.parse(shown.validUntil)).toBeGreaterThan(Date.now());

    const first = await checkIn(
      'patrol-1',
      'r1',
      `${shown.code.slice(0, 3)} ${shown.code.slice(3)}`,
    );
    expect(first).toMatchObject({
      status: 201,
      body: {
        riderId: 'r1',
        out: null,
        award: { points: 20, activity: 'patrol' },
        awardRefused: null,
      },
    });
    // Sent again, even with a wrong code: the check-in and award made, read back; nothing new.
    const again = await checkIn('patrol-1', 'r1', '000000');
    expect(again.status).toBe(201);
    expect((again.body.award as { entryId: string }).entryId).toBe(
      (first.body.award as { entryId: string }).entryId,
    );
    const ledger = (await call('GET', '/v1/riders/r1/ledger')).body.items as {
      type: string;
      source: string;
      actor: string;
    }[];
    // Made by the rider's request, approved by the staff member who opened the check-in.
    expect(ledger.filter((l) => l.type === 'award')).toEqual([
      expect.objectContaining({
        ...{ source: 'check-in', actor: 'rider-r1', approvedBy: 'staff-1' },
        ...{ approvedByName: '几江街道社区工作站', checkInId: 'patrol-1' },
      }),
    ]);
    // Its community's staff and auditors read the approver's name too …
    for (const reader of ['staff-1', 'auditor-1']) {
      const read = (await call('GET', '/v1/riders/r1/ledger', undefined, tokens[reader])).body
        .items as Record<string, unknown>[];
      expect(read.find((l) => l.type === 'award')).toMatchObject({
        approvedByName: '几江街道社区工作站',
      });
    }
    // … the rider reading its own ledger sees who approved by id only.
    const own = (await call('GET', '/v1/riders/r1/ledger', undefined, tokens['rider-r1'])).body
      .items as Record<string, unknown>[];
    expect(own.find((l) => l.type === 'award')).toMatchObject({ approvedBy: 'staff-1' });
    expect(own.find((l) => l.type === 'award')).not.toHaveProperty('approvedByName');
    const events = (await call('GET', '/v1/audit/events?stream=rider-r1')).body.items as {
      type: string;
      data: Record<string, unknown>;
    }[];
    expect(events.find((e) => e.type === 'PointsAwarded')?.data).toMatchObject({
      source: 'check-in',
      checkInId: 'patrol-1',
    });
    const read = await call('GET', '/v1/check-ins/patrol-1', undefined, tokens['auditor-1']);
    expect(read.body.riders).toEqual([expect.objectContaining({ riderId: 'r1', out: null })]);
  });

  it('refuses a wrong code, a code typed two minutes late, a rider of elsewhere, and staff of elsewhere', async () => {
    const shown = await codeOf('patrol-1');
    const wrong = String((Number(shown.code) + 1) % 1_000_000).padStart(6, '0');
    expect(await checkIn('patrol-1', 'r2', wrong)).toMatchObject({
      status: 422,
      body: {
        code: 'CODE_REFUSED',
        detail: "this is not the check-in's code; type the code shown now",
      },
    });
    const late = app.get(CheckInCodes).shown('patrol-1', new Date(Date.now() - 125_000)).code;
    const lateAnswer = await checkIn('patrol-1', 'r2', late);
    expect(lateAnswer).toMatchObject({ status: 422, body: { code: 'CODE_REFUSED' } });
    expect(lateAnswer.body.detail).toMatch(
      /^the code expired [12] min ago; type the code shown now$/,
    );
    const chinese = await call(
      'POST',
      '/v1/check-ins/patrol-1/riders',
      { code: late },
      tokens['rider-r2'],
      {
        'accept-language': 'zh-CN',
      },
    );
    expect(chinese.body.detail).toMatch(/^签到码已过期 [12] 分钟/);
    expect(await checkIn('patrol-1', 'elsewhere', shown.code)).toMatchObject({
      status: 422,
      body: { code: 'RULE_VIOLATION' },
    });
    expect(
      (await call('GET', '/v1/check-ins/patrol-1/code', undefined, tokens['staff-2'])).status,
    ).toBe(403);
    expect(
      (await call('GET', '/v1/check-ins/patrol-1/code', undefined, tokens['rider-r1'])).status,
    ).toBe(403);
    expect((await checkIn('patrol-1', 'r2', 'abc')).status).toBe(400);
    // A code is bound to its check-in: another check-in's code of this very moment is refused.
    const other = await call(
      'POST',
      '/v1/check-ins',
      {
        id: 'patrol-other',
        kind: 'patrol',
        communityId: 'c1',
        fundId: 'f1',
        title: '河道巡查',
        closesAt: hours(2),
      },
      tokens['staff-1'],
    );
    expect(other.status).toBe(201);
    const otherCode = (await codeOf('patrol-other')).code;
    expect(otherCode).not.toBe((await codeOf('patrol-1')).code);
    expect(await checkIn('patrol-1', 'r3', otherCode)).toMatchObject({
      status: 422,
      body: {
        code: 'CODE_REFUSED',
        detail: "this is not the check-in's code; type the code shown now",
      },
    });
    // Nothing was written for r2: its ledger is empty.
    expect((await call('GET', '/v1/riders/r2/ledger')).body.items).toEqual([]);
  });

  it('checks a rider out only after the stay asked, and takes no one once closed', async () => {
    await call(
      'POST',
      '/v1/check-ins',
      {
        ...{ id: 'patrol-2', kind: 'patrol', communityId: 'c1', fundId: 'f1' },
        ...{ title: '巡逻（须在场）', closesAt: hours(2), minMinutes: 30 },
      },
      tokens['staff-1'],
    );
    const shown = await codeOf('patrol-2');
    expect(await checkIn('patrol-2', 'r2', shown.code)).toMatchObject({
      status: 201,
      body: { award: null, awardRefused: null, out: null },
    });
    expect(await checkIn('patrol-2', 'r2', shown.code, true)).toMatchObject({
      status: 422,
      body: {
        code: 'CODE_REFUSED',
        detail: 'this code was used to check in; type the code shown now',
      },
    });
    const next = app.get(CheckInCodes).shown('patrol-2', new Date(Date.now() + 30_000)).code;
    expect(await checkIn('patrol-2', 'r2', next, true)).toMatchObject({
      status: 422,
      body: {
        code: 'RULE_VIOLATION',
        detail: 'a stay of 30 min is asked; 0 min since the check-in',
      },
    });
    const closed = await call(
      'POST',
      '/v1/check-ins/patrol-2/closing',
      undefined,
      tokens['staff-1'],
    );
    expect(closed).toMatchObject({ status: 200, body: { checkInId: 'patrol-2' } });
    expect(closed.body.closedAt).not.toBeNull();
    expect(await checkIn('patrol-2', 'r3', shown.code)).toMatchObject({
      status: 422,
      body: { code: 'RULE_VIOLATION' },
    });
    // Closed, its code is still shown for r2's check-out (a stay to end), not for a check-in.
    const codeNow = await call('GET', '/v1/check-ins/patrol-2/code', undefined, tokens['staff-1']);
    expect(codeNow.status).toBe(200);
    expect(await checkIn('patrol-2', 'r1', (codeNow.body as { code: string }).code)).toMatchObject({
      status: 422,
      body: { code: 'RULE_VIOLATION' },
    });
    // A check-in without a stay asked shows no code once closed.
    await call('POST', '/v1/check-ins/patrol-1/closing', undefined, tokens['staff-1']);
    expect(
      (await call('GET', '/v1/check-ins/patrol-1/code', undefined, tokens['staff-1'])).status,
    ).toBe(422);
  });

  it('completes a task from a rider’s check-in: its points once, however the completion comes', async () => {
    const task = await call(
      'POST',
      '/v1/tasks',
      {
        ...{ id: 'task-1', communityId: 'c1', title: '社区消防通道清理', points: 30, slots: 5 },
        ...{ startsAt: hours(-1), endsAt: hours(3) },
      },
      tokens['staff-1'],
    );
    expect(task.status).toBe(201);
    expect(
      (await call('POST', '/v1/tasks/task-1/sign-ups', undefined, tokens['rider-r3'])).status,
    ).toBe(201);
    await call(
      'POST',
      '/v1/check-ins',
      {
        id: 'task-1-in',
        kind: 'task',
        taskId: 'task-1',
        fundId: 'f1',
        closesAt: String(task.body.endsAt),
      },
      tokens['staff-1'],
    );
    const shown = await codeOf('task-1-in');
    // r1 did not sign up for the task.
    expect(await checkIn('task-1-in', 'r1', shown.code)).toMatchObject({
      status: 422,
      body: { code: 'RULE_VIOLATION' },
    });
    const done = await checkIn('task-1-in', 'r3', shown.code);
    expect(done).toMatchObject({ status: 201, body: { award: { points: 30, activity: 'task' } } });
    const signUps = (await call('GET', '/v1/tasks/task-1/sign-ups', undefined, tokens['staff-1']))
      .body.items as { riderId: string; entryId: string | null }[];
    expect(signUps).toEqual([
      expect.objectContaining({
        riderId: 'r3',
        entryId: (done.body.award as { entryId: string }).entryId,
      }),
    ]);
    // Staff confirming the same completion afterwards pays nothing more.
    const confirmed = await call(
      'POST',
      '/v1/tasks/task-1/completions',
      { riderId: 'r3', fundId: 'f1' },
      tokens['staff-1'],
    );
    expect(confirmed.status).toBe(201);
    expect((await call('GET', '/v1/riders/r3/balance')).body.balance).toBe(30);
  });

  it('keeps a refused award refused, so a staff back-fill is never paid twice', async () => {
    const tiny = await call('POST', '/v1/funds', {
      ...{ id: 'tiny', name: '小额基金', district: '江津区', budgetPoints: 10 },
    });
    expect(tiny.status).toBe(201);
    await call(
      'POST',
      '/v1/check-ins',
      {
        ...{ id: 'patrol-3', kind: 'patrol', communityId: 'c1', fundId: 'tiny' },
        ...{ title: '巡逻', closesAt: hours(2) },
      },
      tokens['staff-1'],
    );
    const shown = await codeOf('patrol-3');
    const before = (await call('GET', '/v1/riders/r2/balance')).body.balance as number;
    const refused = await checkIn('patrol-3', 'r2', shown.code);
    expect(refused).toMatchObject({
      status: 201,
      body: { award: null, awardRefused: { code: 'FUND_EXHAUSTED' } },
    });
    // Staff back-fill it from another fund; the small fund is topped up; the rider sends again.
    const backFill = await call(
      'POST',
      '/v1/awards',
      {
        ...{ riderId: 'r2', activity: 'patrol', fundId: 'f1' },
        ...{ reason: '补录：签到时基金不足', occurredAt: new Date().toISOString() },
      },
      tokens['staff-1'],
    );
    expect(backFill.status).toBe(201);
    expect(
      (await call('POST', '/v1/funds/tiny/top-ups', { points: 100, reason: '追加' })).status,
    ).toBe(201);
    expect(await checkIn('patrol-3', 'r2', shown.code)).toMatchObject({
      status: 201,
      body: { award: null, awardRefused: { code: 'FUND_EXHAUSTED' } },
    });
    expect((await call('GET', '/v1/riders/r2/balance')).body.balance).toBe(before + 20);
  });

  it('makes a rider sending wrong codes wait, and opens no task check-in paying above its rule', async () => {
    const shown = await codeOf('task-1-in');
    for (let i = 0; i < 5; i++) {
      const wrong = String((Number(shown.code) + 1 + i) % 1_000_000).padStart(6, '0');
      expect((await checkIn('task-1-in', 'r2', wrong)).status).toBe(422);
    }
    const waiting = await checkIn('task-1-in', 'r2', (await codeOf('task-1-in')).code);
    expect(waiting).toMatchObject({ status: 422, body: { code: 'CODE_REFUSED' } });
    expect(waiting.body.detail).toMatch(/^too many wrong codes; try again in 10 min/);
    const rich = await call('POST', '/v1/tasks', {
      ...{ id: 'task-rich', communityId: 'c1', title: '大型活动', points: 80, slots: 5 },
      ...{ startsAt: hours(-1), endsAt: hours(3) },
    });
    expect(rich.status).toBe(201); // an admin may publish above the rule
    const opened = await call(
      'POST',
      '/v1/check-ins',
      {
        id: 'rich-in',
        kind: 'task',
        taskId: 'task-rich',
        fundId: 'f1',
        closesAt: String(rich.body.endsAt),
      },
      tokens['staff-1'],
    );
    expect(opened).toMatchObject({ status: 422, body: { code: 'RULE_VIOLATION' } });
  });
  it('opens a task’s check-in only within the task', async () => {
    // Whole minutes from one moment, as a task's times are.
    const base = Math.ceil(Date.now() / 60_000) * 60_000;
    const at = (n: number) => new Date(base + n * 3_600_000).toISOString();
    const later = await call('POST', '/v1/tasks', {
      ...{ id: 'task-later', communityId: 'c1', title: '周末义务巡河', points: 20, slots: 5 },
      ...{ startsAt: at(5), endsAt: at(7) },
    });
    expect(later.status).toBe(201);
    const open = (id: string, body: Record<string, unknown>) =>
      call(
        'POST',
        '/v1/check-ins',
        { id, kind: 'task', taskId: 'task-later', fundId: 'f1', ...body },
        tokens['staff-1'],
      );
    const early = await open('later-early', { closesAt: at(6) });
    expect(early).toMatchObject({ status: 422, body: { code: 'RULE_VIOLATION' } });
    expect(early.body.detail).toMatch(
      /^task task-later runs from \d{4}-\d\d-\d\dT\d\d:\d\d:00\+08:00 to \S+: /,
    );
    expect(await open('later-late', { opensAt: at(5), closesAt: at(7.5) })).toMatchObject({
      status: 422,
      body: { code: 'RULE_VIOLATION' },
    });
    expect(await open('later-before', { opensAt: at(4.5), closesAt: at(6) })).toMatchObject({
      status: 422,
      body: { code: 'RULE_VIOLATION' },
    });
    // From its start to its end: opened.
    expect(await open('later-in', { opensAt: at(5), closesAt: at(7) })).toMatchObject({
      status: 201,
      body: { checkInId: 'later-in', taskId: 'task-later' },
    });
  });
  it('takes an award without a check-in as a staff back-fill, which must say why', async () => {
    const award = (body: Record<string, unknown>) =>
      call(
        'POST',
        '/v1/awards',
        { riderId: 'r2', activity: 'patrol', fundId: 'f1', ...body },
        tokens['staff-1'],
      );
    const occurredAt = new Date().toISOString();
    for (const reason of [undefined, '', '   ']) {
      const refused = await award({ occurredAt, ...(reason !== undefined && { reason }) });
      expect(refused).toMatchObject({ status: 400, body: { code: 'VALIDATION_FAILED' } });
      const fields = (refused.body.errors as { field: string }[]).map((e) => e.field);
      expect(new Set(fields)).toEqual(new Set(['reason']));
    }
    const made = await award({ occurredAt, reason: '忘记签到，巡逻记录补登' });
    expect(made.status).toBe(201);
    const lines = (await call('GET', '/v1/riders/r2/ledger?order=desc&limit=1')).body
      .items as Record<string, unknown>[];
    expect(lines).toEqual([
      expect.objectContaining({
        ...{
          entryId: made.body.entryId,
          source: 'staff-backfill',
          reason: '忘记签到，巡逻记录补登',
        },
        ...{ actor: 'staff-1', approvedBy: 'staff-1', approvedByName: '几江街道社区工作站' },
      }),
    ]);
    expect(lines[0]).not.toHaveProperty('checkInId');
    // Once the approver's name is erased, the line keeps the id and names no one.
    expect((await call('DELETE', '/v1/principals/staff-1/personal-data')).status).toBe(204);
    const erased = (await call('GET', '/v1/riders/r2/ledger?order=desc&limit=1')).body
      .items as Record<string, unknown>[];
    expect(erased[0]).toMatchObject({ approvedBy: 'staff-1', approvedByName: null });
    // The bootstrap admin has no principal in the log: it is named as /v1/me names it.
    const me = (await call('GET', '/v1/me')).body;
    const byAdmin = await call('POST', '/v1/awards', {
      ...{ riderId: 'r3', activity: 'patrol', fundId: 'f1', occurredAt, reason: '补登' },
    });
    expect(byAdmin.status).toBe(201);
    const adminLine = (await call('GET', '/v1/riders/r3/ledger?order=desc&limit=1')).body
      .items as Record<string, unknown>[];
    expect(adminLine[0]).toMatchObject({ approvedBy: me.id, approvedByName: me.name });
  });
});
