import type { LedgerEvent } from '@ledger/domain';
import { projectionSpec } from '../testing/projection-spec';
import { principalsProjection } from './principals.projection';
import { principalByTokenHash } from './principals.queries';

const staff: LedgerEvent = {
  type: 'PrincipalCreated',
  data: {
    principalId: 'staff-1',
    name: '几江街道社区工作站',
    role: 'staff',
    communityIds: ['c1', 'c2'],
    stationIds: [],
    tokenHash: 'aa11',
  },
};
const rider: LedgerEvent = {
  type: 'PrincipalCreated',
  data: {
    principalId: 'rider-1',
    name: '张小哥',
    role: 'rider',
    communityIds: [],
    stationIds: [],
    riderId: 'r1',
    tokenHash: 'bb22',
  },
};
const revoked: LedgerEvent = { type: 'PrincipalRevoked', data: { principalId: 'rider-1' } };

describe('principals projection', () => {
  const spec = projectionSpec(principalsProjection);

  it('holds each principal’s role, scope and token hash, and revocation', async () => {
    const db = await spec.given([staff, rider, revoked]).then({
      principals: [
        {
          principal_id: 'rider-1',
          role: 'rider',
          rider_id: 'r1',
          token_hash: 'bb22',
          revoked: true,
        },
        {
          principal_id: 'staff-1',
          role: 'staff',
          community_ids: ['c1', 'c2'],
          station_ids: [],
          rider_id: null,
          revoked: false,
        },
      ],
    });
    expect(await principalByTokenHash(db, 'aa11')).toMatchObject({
      principalId: 'staff-1',
      communityIds: ['c1', 'c2'],
    });
    expect(await principalByTokenHash(db, 'bb22')).toBeUndefined(); // revoked
  });
});
