import { upcast } from './upcast';

describe('upcast: events written before names, descriptions and token hashes left the log', () => {
  it('reads a version-1 PrincipalCreated with its name inline and its token hash as legacy', () => {
    const v1 = {
      principalId: 'staff-1',
      name: '几江街道社区工作站',
      role: 'staff',
      communityIds: ['c1'],
      stationIds: [],
      tokenHash: 'ab'.repeat(32),
    };
    expect(upcast({ type: 'PrincipalCreated', schemaVersion: 1, data: v1 })).toEqual({
      type: 'PrincipalCreated',
      data: {
        principalId: 'staff-1',
        name: { inline: '几江街道社区工作站' },
        role: 'staff',
        communityIds: ['c1'],
        stationIds: [],
        token: { legacyHash: 'ab'.repeat(32) },
      },
    });
  });

  it('reads a version-1 HazardReported with its description inline', () => {
    const v1 = { hazardId: 'h1', riderId: 'r1', description: '井盖破损', status: 'submitted' };
    expect(upcast({ type: 'HazardReported', schemaVersion: 1, data: v1 })).toEqual({
      type: 'HazardReported',
      data: {
        hazardId: 'h1',
        riderId: 'r1',
        description: { inline: '井盖破损' },
        status: 'submitted',
      },
    });
  });

  it('leaves a version-2 event as written, and refuses one newer than the code', () => {
    const v2 = { hazardId: 'h1', description: { textId: 't1', digest: 'cd' } };
    expect(upcast({ type: 'HazardReported', schemaVersion: 2, data: v2 })?.data).toEqual(v2);
    expect(() => upcast({ type: 'HazardReported', schemaVersion: 3, data: v2 })).toThrow(/newer/);
  });
});

describe('upcast: awards written before they recorded their source (issue 17)', () => {
  const v1 = {
    entryId: 'e1',
    riderId: 'r1',
    communityId: 'c1',
    activity: 'patrol',
    points: 20,
    fundId: 'f1',
    ruleVersion: 1,
    reason: '夜间巡逻',
    occurredAt: '2026-06-14T13:00:00.000Z',
    balanceAfter: 20,
  };
  const sourceOf = (data: Record<string, unknown>) =>
    (upcast({ type: 'PointsAwarded', schemaVersion: 1, data })?.data as { source?: string }).source;

  it('gives a version-1 PointsAwarded the source what it carries names', () => {
    expect(sourceOf(v1)).toBe('staff-backfill');
    expect(sourceOf({ ...v1, imported: { importId: 'ab', row: 2 } })).toBe('import');
    expect(sourceOf({ ...v1, hazardId: 'h1' })).toBe('verified-report');
    const completion = { ...v1, activity: 'task', taskId: 't1', reason: '微公益任务 t1' };
    expect(sourceOf(completion)).toBe('task-completion');
    // Staff naming a task in an award of their own: a back-fill, not the task's completion.
    expect(sourceOf({ ...v1, taskId: 't1' })).toBe('staff-backfill');
    expect(sourceOf({ ...completion, reason: '补录：任务 t1' })).toBe('staff-backfill');
    const v2 = { ...v1, source: 'check-in' };
    expect(upcast({ type: 'PointsAwarded', schemaVersion: 2, data: v2 })?.data).toEqual(v2);
  });

  it('gives a version-1 reservation’s award its source, from the reservation and the award', () => {
    const reserved = {
      fundId: 'f1',
      entryId: 'e9',
      riderId: 'r1',
      points: 20,
      award: {
        activity: 'task',
        ruleVersion: 1,
        reason: '微公益任务 t1',
        occurredAt: v1.occurredAt,
        taskId: 't1',
      },
    };
    expect(upcast({ type: 'FundPointsReserved', schemaVersion: 1, data: reserved })?.data).toEqual({
      ...reserved,
      award: { ...reserved.award, source: 'task-completion' },
    });
  });
});
