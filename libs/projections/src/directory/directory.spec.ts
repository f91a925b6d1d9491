import { community, registered } from '../testing/events';
import { projectionSpec, SPEC_RECORDED_AT } from '../testing/projection-spec';
import { directoryProjection } from './directory.projection';
import { communityById, riderCommunity } from './directory.queries';

describe('directory projection', () => {
  const spec = projectionSpec(directoryProjection);

  it('lists communities, and riders with their community, never a name', async () => {
    const db = await spec
      .given([community('c1'), community('c2', '鼎山街道'), registered('r1')])
      .then({
        communities: [
          { community_id: 'c1', name: 'c1社区', street: '几江街道', district: '江津区' },
          { community_id: 'c2', name: 'c2社区', street: '鼎山街道', district: '江津区' },
        ],
        riders: [
          {
            rider_id: 'r1',
            community_id: 'c1',
            platform: '美团',
            occupation: 'food_delivery',
            registered_at: SPEC_RECORDED_AT,
            erased: false,
          },
        ],
      });
    expect(await communityById(db, 'c2')).toEqual({
      id: 'c2',
      name: 'c2社区',
      street: '鼎山街道',
      district: '江津区',
    });
    expect(await communityById(db, 'nope')).toBeUndefined();
    expect(await riderCommunity(db, 'r1')).toBe('c1');
  });

  it('moves a rider registered in the same batch, and marks an erased one', async () => {
    await spec
      .given([
        community('c1'),
        registered('r1'),
        registered('r2'),
        {
          type: 'RiderTransferred',
          data: { riderId: 'r1', fromCommunityId: 'c1', toCommunityId: 'c2' },
        },
        { type: 'RiderPersonalDataErased', data: { riderId: 'r2' } },
      ])
      .then({
        riders: [
          { rider_id: 'r1', community_id: 'c2', erased: false },
          { rider_id: 'r2', community_id: 'c1', erased: true },
        ],
      });
  });
});
