import { Inject, Injectable } from '@nestjs/common';
import type { Actor, Role } from '@ledger/domain';
import { LEDGER_CONFIG, newToken, READ_MODELS, tokenHash, type LedgerConfig } from '@ledger/ledger';
import type { ReadModels } from '@ledger/projections';
import { timingSafeEqual } from 'node:crypto';

/** The bootstrap admin's principal id (its token comes from LEDGER_ADMIN_TOKEN or start-up). */
export const BOOTSTRAP_ADMIN_ID = 'admin';

export { newToken, tokenHash };

/**
 * Turns a bearer token into the principal it belongs to. Tokens are looked up by their SHA-256
 * (a hash of 256 random bits: the lookup's timing says nothing usable) and compared in constant
 * time; a revoked principal's token fails at once, since revocation waits for this table.
 */
@Injectable()
export class AuthService {
  private readonly adminHash: Buffer;

  constructor(
    @Inject(READ_MODELS) private readonly models: ReadModels,
    @Inject(LEDGER_CONFIG) config: LedgerConfig,
  ) {
    if (config.adminToken === undefined)
      throw new Error('the API needs an admin token (main.ts generates one)');
    this.adminHash = Buffer.from(tokenHash(config.adminToken), 'hex');
  }

  async authenticate(token: string): Promise<Actor | undefined> {
    const hash = Buffer.from(tokenHash(token), 'hex');
    if (timingSafeEqual(hash, this.adminHash)) {
      return { principalId: BOOTSTRAP_ADMIN_ID, role: 'admin', communityIds: [], stationIds: [] };
    }
    const { rows } = await this.models.read((q) =>
      q<{
        principal_id: string;
        role: Role;
        community_ids: string[];
        station_ids: string[];
        rider_id: string | null;
        token_hash: string;
      }>(
        `select principal_id, role, community_ids, station_ids, rider_id, token_hash from ${this.models.schema}.principals
         where token_hash = $1 and not revoked`,
        [hash.toString('hex')],
      ),
    );
    const row = rows[0];
    if (!row || !timingSafeEqual(Buffer.from(row.token_hash, 'hex'), hash)) return undefined;
    return {
      principalId: row.principal_id,
      role: row.role,
      communityIds: row.community_ids,
      stationIds: row.station_ids,
      ...(row.rider_id !== null && { riderId: row.rider_id }),
    };
  }
}
