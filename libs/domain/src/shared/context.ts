/** Roles of principals (api.md). */
export type Role = 'admin' | 'staff' | 'verifier' | 'station' | 'auditor' | 'rider';

/** The bootstrap admin's principal id (its token comes from configuration); no principal may take it. */
export const BOOTSTRAP_ADMIN_ID = 'admin';

export interface Actor {
  readonly principalId: string;
  /** The bootstrap admin (its token from configuration), not a principal of the log. */
  readonly bootstrap?: true;
  readonly role: Role;
  readonly communityIds: readonly string[];
  readonly stationIds: readonly string[];
  readonly riderId?: string;
}

/**
 * The key a caller's rate limit, idempotency records and derived entry ids are kept under: its
 * principal id, except for a principal of the log that took the bootstrap admin's id before it
 * was reserved, which gets a key no id can spell (ids hold no `$`), so it shares nothing with
 * the admin.
 */
export function accountOf(actor: Actor): string {
  if (actor.principalId !== BOOTSTRAP_ADMIN_ID || actor.bootstrap) return actor.principalId;
  return `$principal:${actor.principalId}`;
}

/** What every command is decided in: who asks, when (the clock is read outside), which zone. */
export interface CommandContext {
  readonly actor: Actor;
  readonly now: Date;
  readonly timeZone: string;
}
