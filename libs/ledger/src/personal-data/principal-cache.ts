import type { SqlClient } from '@ledger/event-store';
import { revocationChannel, type ReadModels } from '@ledger/projections';
import { Inject, Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import { READ_MODELS, SQL_DATABASE } from '../infrastructure/tokens';
import { PrincipalTokens, type PrincipalRecord } from './principal-tokens';

/** Tokens remembered per process; the cache starts again empty when full. */
const CACHED_TOKENS = 10_000;
/**
 * A token is looked up again this long after it was: a backstop should notifications not arrive
 * while the listening connection answers (a transaction-pooling proxy between the API and
 * PostgreSQL passes `LISTEN` but delivers nothing), so a revocation acts within this at worst.
 */
const CACHED_FOR_MS = 60_000;

const logger = new Logger('principals');

/**
 * The principals of tokens this process has authenticated, by token hash, so a request costs no
 * look-up of its token (issue 13: the look-up was a quarter of a station's balance read). A token
 * leaves the cache when its principal is revoked: the principals projection sends the principal's
 * id with `pg_notify` in the transaction that marks it revoked, and every process listening on
 * the read models' database drops it when PostgreSQL delivers it (in the process that revoked, at
 * once). The cache is used only while this process listens: until the first `LISTEN` holds, and
 * from a lost connection until it is listening again (emptied then), every request looks its
 * token up. Unknown tokens are never cached (a new principal's token works at once, and a flood
 * of bad tokens cannot fill memory). Principals change only by revocation and token rotation
 * (their role and scope are fixed at creation; a rotation is told on the same channel), so a
 * cached principal is otherwise what a look-up would find.
 */
@Injectable()
export class PrincipalCache implements OnModuleDestroy {
  private readonly byHash = new Map<string, { record: PrincipalRecord; until: number }>();
  private listening = false;
  /** Moves on every revocation heard and every change of listening: a look-up begun before is not cached. */
  private generation = 0;
  private unlisten: Promise<(() => Promise<void>) | undefined> | undefined;

  constructor(
    @Inject(READ_MODELS) private readonly models: ReadModels,
    @Inject(SQL_DATABASE) private readonly sql: SqlClient,
    private readonly tokens: PrincipalTokens,
  ) {}

  /** The unrevoked principal whose token hashes to `hash` (hex), as `PrincipalTokens.principalOf`. */
  async principalOf(hash: string): Promise<PrincipalRecord | undefined> {
    this.unlisten ??= this.listen();
    const cached = this.listening ? this.byHash.get(hash) : undefined;
    if (cached && cached.until > Date.now()) return cached.record;
    if (cached) this.byHash.delete(hash);
    const generation = this.generation;
    const found = await this.tokens.principalOf(this.models, hash);
    if (found && this.listening && generation === this.generation) {
      if (this.byHash.size >= CACHED_TOKENS) this.byHash.clear();
      // A replaced token, in its grace, is remembered no longer than it acts.
      const until = Math.min(Date.now() + CACHED_FOR_MS, found.validUntil ?? Infinity);
      this.byHash.set(hash, { record: found, until });
    }
    return found;
  }

  /** Drops a principal's tokens (a revocation or a rotation, heard or made here). */
  forget(principalId: string): void {
    this.generation++;
    for (const [hash, { record }] of this.byHash)
      if (record.principalId === principalId) this.byHash.delete(hash);
  }

  async onModuleDestroy(): Promise<void> {
    const stop = await this.unlisten;
    await stop?.();
  }

  private async listen(): Promise<(() => Promise<void>) | undefined> {
    if (!this.sql.listen) return undefined;
    try {
      return await this.sql.listen(revocationChannel(this.models.schema), {
        message: (principalId) => this.forget(principalId),
        listening: (on) => {
          this.generation++;
          this.byHash.clear();
          this.listening = on;
        },
      });
    } catch (error) {
      logger.warn({
        msg: 'cannot listen for revocations; tokens are looked up every time',
        error: String(error),
      });
      return undefined;
    }
  }
}
