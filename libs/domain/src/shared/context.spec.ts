import { accountOf, BOOTSTRAP_ADMIN_ID, type Actor } from './context';

describe('accountOf', () => {
  const actor = (principalId: string, bootstrap?: true): Actor => ({
    principalId,
    role: 'admin',
    communityIds: [],
    stationIds: [],
    ...(bootstrap && { bootstrap }),
  });

  it('keys a principal by its id, and the bootstrap admin by its own', () => {
    expect(accountOf(actor('staff-1'))).toBe('staff-1');
    expect(accountOf(actor(BOOTSTRAP_ADMIN_ID, true))).toBe(BOOTSTRAP_ADMIN_ID);
  });

  it('gives a principal that took the admin’s id (before it was reserved) a key of its own', () => {
    const impostor = accountOf(actor(BOOTSTRAP_ADMIN_ID));
    expect(impostor).not.toBe(accountOf(actor(BOOTSTRAP_ADMIN_ID, true)));
    expect(impostor).toMatch(/\$/); // no id can hold a $
  });
});
