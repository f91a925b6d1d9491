import { given } from '@ledger/testing/decider-spec';
import { communityDecider } from '../community/community';
import { principalDecider, type PrincipalEvent } from './principal';

const create = {
  type: 'CreatePrincipal' as const,
  principalId: 'p1',
  name: { textId: 't1', digest: 'cd'.repeat(32) },
  role: 'staff' as const,
  communityIds: ['c1'],
  stationIds: [],
  token: { tokenId: 'k1' },
};
const created: PrincipalEvent = {
  type: 'PrincipalCreated',
  data: {
    principalId: 'p1',
    name: { textId: 't1', digest: 'cd'.repeat(32) },
    role: 'staff',
    communityIds: ['c1'],
    stationIds: [],
    token: { tokenId: 'k1' },
  },
};

describe('principal and community deciders', () => {
  it('creates a principal once, with the scope its role needs', () => {
    given(principalDecider, []).when(create).then([created]);
    given(principalDecider, [created]).when(create).thenError('ALREADY_EXISTS');
    given(principalDecider, [])
      .when({ ...create, communityIds: [] })
      .thenError('VALIDATION_FAILED');
    given(principalDecider, [])
      .when({ ...create, role: 'station' })
      .thenError('VALIDATION_FAILED');
    given(principalDecider, [])
      .when({ ...create, role: 'rider' })
      .thenError('VALIDATION_FAILED');
  });
  it('erases its personal data once: NOT_FOUND for an unknown principal', () => {
    const erase = { type: 'ErasePrincipalPersonalData' as const, principalId: 'p1' };
    const erased: PrincipalEvent = {
      type: 'PrincipalPersonalDataErased',
      data: { principalId: 'p1' },
    };
    given(principalDecider, [created]).when(erase).then([erased]);
    given(principalDecider, [created, erased]).when(erase).then([]);
    given(principalDecider, []).when(erase).thenError('NOT_FOUND');
  });
  it('rotates the token of a principal that exists and is not revoked', () => {
    const rotate = {
      type: 'RotatePrincipalToken' as const,
      principalId: 'p1',
      token: { tokenId: 'k2' },
      previousTokenValidUntil: '2026-12-05T10:00:00.000Z',
    };
    const { type: _type, ...data } = rotate;
    given(principalDecider, [created])
      .when(rotate)
      .then([{ type: 'PrincipalTokenRotated', data }]);
    given(principalDecider, []).when(rotate).thenError('NOT_FOUND');
    given(principalDecider, [created, { type: 'PrincipalRevoked', data: { principalId: 'p1' } }])
      .when(rotate)
      .thenError('RULE_VIOLATION');
  });
  it('revokes once: NOT_FOUND for an unknown principal', () => {
    const revoked: PrincipalEvent = { type: 'PrincipalRevoked', data: { principalId: 'p1' } };
    given(principalDecider, [created])
      .when({ type: 'RevokePrincipal', principalId: 'p1' })
      .then([revoked]);
    given(principalDecider, [created, revoked])
      .when({ type: 'RevokePrincipal', principalId: 'p1' })
      .then([]);
    given(principalDecider, [])
      .when({ type: 'RevokePrincipal', principalId: 'p1' })
      .thenError('NOT_FOUND');
  });
  it('registers a community once', () => {
    const cmd = {
      type: 'RegisterCommunity' as const,
      communityId: 'c1',
      name: '鼎山街道',
      street: '鼎山街道',
      district: '江津区',
    };
    given(communityDecider, [])
      .when(cmd)
      .then([
        {
          type: 'CommunityRegistered',
          data: { communityId: 'c1', name: '鼎山街道', street: '鼎山街道', district: '江津区' },
        },
      ]);
    given(communityDecider, [
      {
        type: 'CommunityRegistered',
        data: { communityId: 'c1', name: 'x', street: 'y', district: 'z' },
      },
    ])
      .when(cmd)
      .thenError('ALREADY_EXISTS');
  });
});
