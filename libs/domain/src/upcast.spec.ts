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
