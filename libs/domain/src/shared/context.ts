/** Roles of principals (api.md). */
export type Role = 'admin' | 'staff' | 'verifier' | 'station' | 'auditor' | 'rider';

export interface Actor {
  readonly principalId: string;
  readonly role: Role;
  readonly communityIds: readonly string[];
  readonly stationIds: readonly string[];
  readonly riderId?: string;
}

/** What every command is decided in: who asks, when (the clock is read outside), which zone. */
export interface CommandContext {
  readonly actor: Actor;
  readonly now: Date;
  readonly timeZone: string;
}
