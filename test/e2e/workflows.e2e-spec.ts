import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { tempDir } from '@ledger/testing';
import { JOB_NAMES, JOB_QUEUE, settled, type JobQueue } from '@ledger/ledger';
import { apiClient, openTestApi, setUpDistrict } from './api-fixture';

/** Tasks (微公益) and hazard reports (随手拍) over HTTP. */
describe('tasks and hazard reports', () => {
  const dir = tempDir();
  let app: NestFastifyApplication;
  let call: ReturnType<typeof apiClient>;
  const tokens: Record<string, string> = {};
  const now = Date.now();
  const iso = (offsetMs: number) => new Date(now + offsetMs).toISOString();

  beforeAll(async () => {
    app = await openTestApi(dir.path, { RATE_LIMIT_PER_MINUTE: '0' });
    call = apiClient(app);
    const riders = Object.fromEntries(
      Array.from({ length: 22 }, (_, i) => [`r${i + 1}`, i === 21 ? 'c2' : 'c1']),
    );
    Object.assign(
      tokens,
      await setUpDistrict(call, {
        communities: { c1: '几江街道', c2: '鼎山街道' },
        rules: [
          { activity: 'task', points: 50 },
          { activity: 'hazard_report', pointsBySeverity: { minor: 5, moderate: 20, major: 50 } },
        ],
        riders,
        principals: [
          { id: 'staff-c1', name: '几江', role: 'staff', communityIds: ['c1'] },
          { id: 'staff-c2', name: '鼎山', role: 'staff', communityIds: ['c2'] },
          { id: 'verifier-c2', name: '城管', role: 'verifier', communityIds: ['c2'] },
          { id: 'verifier-all', name: '养护单位', role: 'verifier' },
          ...Object.keys(riders).map((id) => ({
            id: `rider-${id}`,
            name: id,
            role: 'rider',
            riderId: id,
          })),
        ],
      }),
    );
  });
  afterAll(async () => {
    await app.close();
    dir.remove();
  });

  it('publishes a task, signs riders up to its slots, and pays each confirmed completion once', async () => {
    const task = {
      id: 't1',
      communityId: 'c1',
      title: '滨江路夜间巡逻',
      points: 30,
      slots: 2,
      startsAt: iso(-3_600_000),
      endsAt: iso(3_600_000),
    };
    expect(await call('POST', '/v1/tasks', task, tokens['staff-c2'])).toMatchObject({
      status: 403,
    });
    // Scope, then the task rule, then whether the community exists.
    expect(
      await call('POST', '/v1/tasks', { ...task, communityId: 'nowhere' }, tokens['staff-c1']),
    ).toMatchObject({ status: 403, body: { code: 'FORBIDDEN' } });
    expect(await call('POST', '/v1/tasks', { ...task, communityId: 'nowhere' })).toMatchObject({
      status: 404,
      body: { code: 'NOT_FOUND' },
    });
    expect(
      await call('POST', '/v1/tasks', { ...task, points: 60 }, tokens['staff-c1']),
    ).toMatchObject({
      status: 422,
      body: { code: 'RULE_VIOLATION' },
    });
    expect(await call('POST', '/v1/tasks', { ...task, endsAt: task.startsAt })).toMatchObject({
      status: 422,
    });
    expect(await call('POST', '/v1/tasks', { ...task, slots: 0 })).toMatchObject({ status: 400 });
    expect(await call('POST', '/v1/tasks', task, tokens['staff-c1'])).toMatchObject({
      status: 201,
      body: { id: 't1', taken: 0, slots: 2 },
    });
    expect(await call('POST', '/v1/tasks', task)).toMatchObject({
      status: 409,
      body: { code: 'ALREADY_EXISTS' },
    });
    await call('POST', '/v1/tasks', {
      ...task,
      id: 'later',
      startsAt: iso(86_400_000),
      endsAt: iso(90_000_000),
    });

    const signUp = (id: string, taskId = 't1') =>
      call('POST', `/v1/tasks/${taskId}/sign-ups`, undefined, tokens[`rider-${id}`]);
    expect(await signUp('r1')).toMatchObject({
      status: 201,
      body: { taskId: 't1', riderId: 'r1' },
    });
    expect(await signUp('r1')).toMatchObject({ status: 409, body: { code: 'ALREADY_EXISTS' } });
    expect(await signUp('r2')).toMatchObject({ status: 201 });
    expect(await signUp('r3')).toMatchObject({ status: 409, body: { code: 'TASK_FULL' } });
    expect(await signUp('r3', 'later')).toMatchObject({
      status: 422,
      body: { code: 'RULE_VIOLATION' },
    });
    expect(await signUp('r3', 'none')).toMatchObject({ status: 404 });
    expect(
      await call('POST', '/v1/tasks/t1/sign-ups', undefined, tokens['staff-c1']),
    ).toMatchObject({ status: 403 });

    const open = await call(
      'GET',
      '/v1/tasks?communityId=c1&open=true',
      undefined,
      tokens['rider-r3'],
    );
    expect(open.body.items).toEqual([]); // t1 is full, `later` has not started
    const all = await call('GET', '/v1/tasks?communityId=c1');
    expect(all.body.items).toEqual([
      expect.objectContaining({ id: 't1', taken: 2, slots: 2 }),
      expect.objectContaining({ id: 'later', taken: 0 }),
    ]);

    const confirm = (riderId: string, token = tokens['staff-c1']) =>
      call('POST', '/v1/tasks/t1/completions', { riderId, fundId: 'f1' }, token);
    expect(await confirm('r1', tokens['staff-c2'])).toMatchObject({ status: 403 });
    const paid = await confirm('r1');
    expect(paid).toMatchObject({
      status: 201,
      body: { riderId: 'r1', activity: 'task', points: 30, balanceAfter: 30 },
    });
    const again = await confirm('r1');
    expect(again).toMatchObject({
      status: 201,
      body: { entryId: paid.body.entryId, balanceAfter: 30 },
    });
    expect(await confirm('r3')).toMatchObject({ status: 422, body: { code: 'RULE_VIOLATION' } });
    const balance = await call('GET', '/v1/riders/r1/balance');
    expect(balance.body).toMatchObject({ balance: 30, earned: 30 });

    // Who signed up, with whose completion is confirmed, for the task's own staff.
    const signUps = await call('GET', '/v1/tasks/t1/sign-ups', undefined, tokens['staff-c1']);
    expect(signUps).toMatchObject({
      status: 200,
      body: {
        items: [
          { riderId: 'r1', name: 'r1', entryId: paid.body.entryId as string },
          { riderId: 'r2', name: 'r2', entryId: null },
        ],
        nextCursor: null,
      },
    });
    const first = await call('GET', '/v1/tasks/t1/sign-ups?limit=1');
    expect(first.body.items).toEqual([expect.objectContaining({ riderId: 'r1' })]);
    const next = await call(
      'GET',
      `/v1/tasks/t1/sign-ups?limit=1&cursor=${String(first.body.nextCursor)}`,
    );
    expect(next.body.items).toEqual([expect.objectContaining({ riderId: 'r2' })]);
    expect(await call('GET', '/v1/tasks/t1/sign-ups', undefined, tokens['staff-c2'])).toMatchObject(
      { status: 403 },
    );
    expect(await call('GET', '/v1/tasks/t1/sign-ups', undefined, tokens['rider-r1'])).toMatchObject(
      { status: 403 },
    );
    expect(await call('GET', '/v1/tasks/none/sign-ups')).toMatchObject({ status: 404 });
  });

  it('files 20 simultaneous reports of one hazard as one original and 19 duplicates', async () => {
    const at = { lat: 29.2905, lng: 106.2594 };
    const reports = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        call(
          'POST',
          '/v1/hazards',
          {
            id: `h${i}`,
            riderId: `r${i + 1}`,
            category: 'manhole_cover',
            description: '井盖破损',
            location: { lat: at.lat + (i % 5) * 0.00005, lng: at.lng }, // within ~25 m
            occurredAt: iso(-600_000),
          },
          tokens[`rider-r${i + 1}`],
        ),
      ),
    );
    expect(reports.map((r) => r.status)).toEqual(Array(20).fill(201));
    const originals = reports.filter((r) => r.body.status === 'submitted');
    expect(originals).toHaveLength(1);
    const originalId = originals[0].body.id;
    for (const r of reports.filter((x) => x.body.status === 'duplicate'))
      expect(r.body.duplicateOf).toBe(originalId);
    // another category, or 60 m away, is not a duplicate
    const other = await call('POST', '/v1/hazards', {
      id: 'h-road',
      riderId: 'r1',
      category: 'road_damage',
      description: '路面塌陷',
      location: at,
      occurredAt: iso(-600_000),
    });
    expect(other.body).toMatchObject({ status: 'submitted' });
    const away = await call('POST', '/v1/hazards', {
      id: 'h-away',
      riderId: 'r1',
      category: 'manhole_cover',
      description: '另一处井盖',
      location: { lat: at.lat - 0.00055, lng: at.lng },
      occurredAt: iso(-600_000),
    });
    expect(away.body).toMatchObject({ status: 'submitted' });
  });

  it('checks who may report and verify, confirms once with the rule’s points, and frees the place on rejection', async () => {
    const base = {
      riderId: 'r22',
      category: 'broken_light',
      description: '路灯不亮',
      location: { lat: 29.3, lng: 106.3 },
      occurredAt: iso(-60_000),
    };
    expect(await call('POST', '/v1/hazards', base, tokens['rider-r1'])).toMatchObject({
      status: 403,
    });
    expect(await call('POST', '/v1/hazards', base, tokens['staff-c1'])).toMatchObject({
      status: 403,
    });
    expect(
      await call('POST', '/v1/hazards', { ...base, occurredAt: iso(3_600_000) }),
    ).toMatchObject({ status: 422 });
    expect(
      await call('POST', '/v1/hazards', { ...base, location: { lat: 91, lng: 0 } }),
    ).toMatchObject({
      status: 400,
      body: { errors: [{ field: 'location.lat' }] },
    });
    const filed = await call(
      'POST',
      '/v1/hazards',
      { ...base, id: 'light-1' },
      tokens['rider-r22'],
    );
    expect(filed).toMatchObject({ status: 201, body: { status: 'submitted' } });
    expect(
      await call('POST', '/v1/hazards', { ...base, id: 'light-1', riderId: 'r1' }),
    ).toMatchObject({ status: 409 });

    const verify = (id: string, body: object, token = tokens['verifier-all']) =>
      call('POST', `/v1/hazards/${id}/verification`, body, token);
    const confirm = { outcome: 'confirmed', severity: 'major', fundId: 'f1', note: '现场核实' };
    expect(await verify('light-1', confirm, tokens['staff-c1'])).toMatchObject({ status: 403 });
    expect(await verify('nope', confirm)).toMatchObject({ status: 404 });
    expect(await verify('light-1', { ...confirm, severity: undefined })).toMatchObject({
      status: 400,
    });
    const confirmed = await verify('light-1', confirm, tokens['verifier-c2']);
    expect(confirmed).toMatchObject({
      status: 200,
      body: {
        id: 'light-1',
        status: 'confirmed',
        severity: 'major',
        award: { riderId: 'r22', points: 50, activity: 'hazard_report' },
      },
    });
    expect(await verify('light-1', { outcome: 'rejected', note: '重复' })).toMatchObject({
      status: 409,
      body: { code: 'ALREADY_VERIFIED' },
    });
    expect((await call('GET', '/v1/riders/r22/balance')).body).toMatchObject({ earned: 50 });

    // a duplicate earns nothing; rejecting the original frees the place for a new report
    const list = await call(
      'GET',
      '/v1/hazards?status=duplicate',
      undefined,
      tokens['verifier-all'],
    );
    const duplicate = (list.body.items as { id: string; duplicateOf: string }[])[0];
    expect(await verify(duplicate.id, confirm)).toMatchObject({ status: 422 });
    expect(
      await verify(duplicate.duplicateOf, { outcome: 'rejected', note: '现场无此情况' }),
    ).toMatchObject({
      status: 200,
      body: { status: 'rejected', severity: null },
    });
    const fresh = await call('POST', '/v1/hazards', {
      id: 'h-again',
      riderId: 'r1',
      category: 'manhole_cover',
      description: '井盖破损',
      location: { lat: 29.2905, lng: 106.2594 },
      occurredAt: iso(-300_000),
    });
    // duplicates are not open reports: with the original rejected, this one is an original again
    expect(fresh.body).toMatchObject({ status: 'submitted' });
    const scoped = await call('GET', '/v1/hazards', undefined, tokens['verifier-c2']);
    expect(
      (scoped.body.items as { communityId: string }[]).every((h) => h.communityId === 'c2'),
    ).toBe(true);
    expect(scoped.body.items).toHaveLength(1);
  });

  it('escalates reports left unverified through the escalation job, once each', async () => {
    const queue = app.get<JobQueue>(JOB_QUEUE);
    expect(queue.kind).toBe('in-process');
    await call('POST', '/v1/hazards', {
      id: 'waiting-1',
      riderId: 'r5',
      category: 'fallen_tree',
      description: '倒伏树木',
      location: { lat: 29.31, lng: 106.31 },
      occurredAt: iso(-60_000),
    });
    await queue.add(JOB_NAMES.escalation, { waitedHours: 0 }, { jobId: 'escalation-test-1' });
    const first = await settled(queue, 'escalation-test-1');
    expect(first).toMatchObject({ status: 'done' });
    expect((first.result as { escalated: number }).escalated).toBeGreaterThan(0);
    await queue.add(JOB_NAMES.escalation, { waitedHours: 0 }, { jobId: 'escalation-test-2' });
    const list = await call('GET', '/v1/hazards?status=submitted&limit=1000');
    const waiting = (list.body.items as { id: string; escalated: boolean }[]).find(
      (h) => h.id === 'waiting-1',
    );
    expect(waiting).toMatchObject({ escalated: true });
    const second = await settled(queue, 'escalation-test-2');
    expect(second.result).toEqual({ escalated: 0 }); // each report once
  });
});
