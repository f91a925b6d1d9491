import type { LedgerEvent } from '@ledger/domain';
import { projectionSpec } from '../testing/projection-spec';
import { principalsProjection } from './principals.projection';
import { principalById } from './principals.queries';

/** Version 2: the name is a kept text and the token a row beside the log, both by id. */
const staff: LedgerEvent = {
  type: 'PrincipalCreated',
  data: {
    principalId: 'staff-1',
    name: { textId: 'text-1', digest: 'cd'.repeat(32) },
    role: 'staff',
    communityIds: ['c1', 'c2'],
    stationIds: [],
    token: { tokenId: 'token-1' },
  },
};
/** Version 1, as upcast: name and token hash were written into the log. */
const rider: LedgerEvent = {
  type: 'PrincipalCreated',
  data: {
    principalId: 'rider-1',
    name: { inline: '张小哥' },
    role: 'rider',
    communityIds: [],
    stationIds: [],
    riderId: 'r1',
    token: { legacyHash: 'bb22' },
  },
};
const revoked: LedgerEvent = { type: 'PrincipalRevoked', data: { principalId: 'rider-1' } };

describe('principals projection', () => {
  const spec = projectionSpec(principalsProjection);

  it('holds each principal’s role, scope, token and name by reference, and revocation', async () => {
    const db = await spec.given([staff, rider, revoked]).then({
      principals: [
        {
          principal_id: 'rider-1',
          role: 'rider',
          rider_id: 'r1',
          name: '张小哥',
          name_text_id: null,
          token_id: null,
          token_hash: 'bb22',
          revoked: true,
        },
        {
          principal_id: 'staff-1',
          role: 'staff',
          community_ids: ['c1', 'c2'],
          station_ids: [],
          rider_id: null,
          name: null,
          name_text_id: 'text-1',
          token_id: 'token-1',
          token_hash: null,
          revoked: false,
        },
      ],
    });
    expect(await principalById(db, 'staff-1')).toMatchObject({ name: null, nameTextId: 'text-1' });
    expect(await principalById(db, 'rider-1')).toMatchObject({ name: '张小哥', revoked: true });
  });

  it('keeps the token a rotation replaced for its grace, or drops it at once', async () => {
    const rotated = (principalId: string, tokenId: string, until: string | null): LedgerEvent => ({
      type: 'PrincipalTokenRotated',
      data: { principalId, token: { tokenId }, previousTokenValidUntil: until },
    });
    const legacy = { ...rider, data: { ...rider.data, principalId: 'rider-2', riderId: 'r2' } };
    await spec
      .given([
        staff,
        legacy,
        rotated('staff-1', 'token-2', '2026-12-05T10:00:00Z'),
        rotated('rider-2', 'token-3', '2026-12-06T00:00:00Z'),
        rotated('rider-2', 'token-4', null),
      ])
      .then({
        principals: [
          {
            principal_id: 'rider-2',
            token_id: 'token-4',
            token_hash: null,
            previous_token_id: null,
            previous_token_hash: null,
            previous_valid_until: null,
          },
          {
            principal_id: 'staff-1',
            token_id: 'token-2',
            token_hash: null,
            previous_token_id: 'token-1',
            previous_token_hash: null,
            previous_valid_until: '2026-12-05T10:00:00.000Z',
          },
        ],
      });
    // A legacy principal's hash is what a rotation with grace keeps.
    await spec.given([legacy, rotated('rider-2', 'token-3', '2026-12-06T00:00:00Z')]).then({
      principals: [
        {
          principal_id: 'rider-2',
          token_id: 'token-3',
          token_hash: null,
          previous_token_id: null,
          previous_token_hash: 'bb22',
        },
      ],
    });
  });
});
