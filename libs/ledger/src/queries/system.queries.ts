import { BOOTSTRAP_ADMIN_ID, type Actor, type Role } from '@ledger/domain';
import type { EventStore } from '@ledger/event-store';
import { projectionLag, type ReadModels } from '@ledger/projections';
import { Inject, Logger } from '@nestjs/common';
import { Query, QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { timingSafeEqual } from 'node:crypto';
import type { LedgerConfig } from '../config/ledger-config';
import { tokenHash } from '../infrastructure/bearer-tokens';
import { PrincipalCache } from '../personal-data/principal-cache';
import type { QueueProbe, QueueStatus } from '../infrastructure/queue-probe';
import {
  EVENT_STORE,
  JOB_QUEUE,
  LEDGER_CONFIG,
  QUEUE_PROBE,
  READ_MODELS,
} from '../infrastructure/tokens';
import type { JobQueue, JobStatus } from '../jobs/job-queue';

export { BOOTSTRAP_ADMIN_ID } from '@ledger/domain';

/** The bootstrap admin's name (its token is configuration, it has no principal in the log). */
export const BOOTSTRAP_ADMIN_NAME = '管理员 (bootstrap admin)';

/** The principal a bearer token belongs to; `undefined` for an unknown or revoked one. */
export class AuthenticateQuery extends Query<Actor | undefined> {
  constructor(readonly token: string) {
    super();
  }
}

/**
 * Tokens are looked up by their SHA-256 (a hash of 256 random bits: the lookup's timing says
 * nothing usable) and compared in constant time; a revoked principal's token fails at once,
 * since revocation waits for the principals table.
 */
@QueryHandler(AuthenticateQuery)
export class AuthenticateHandler implements IQueryHandler<AuthenticateQuery> {
  /**
   * The bootstrap admin's token hashes (the current one, and the one being replaced while
   * `LEDGER_ADMIN_TOKEN_PREVIOUS` is set); a process without one (the worker, the CLI) has no admin.
   */
  private readonly adminHashes: Buffer[];

  constructor(
    @Inject(LEDGER_CONFIG) config: LedgerConfig,
    private readonly principals: PrincipalCache,
  ) {
    this.adminHashes = [config.adminToken, config.previousAdminToken].flatMap((t) =>
      t === undefined ? [] : [Buffer.from(tokenHash(t), 'hex')],
    );
  }

  async execute({ token }: AuthenticateQuery): Promise<Actor | undefined> {
    const hash = Buffer.from(tokenHash(token), 'hex');
    // Both compared, always: the time taken does not tell which one matched.
    const admin = this.adminHashes.map((h) => timingSafeEqual(hash, h));
    if (admin.includes(true))
      return {
        principalId: BOOTSTRAP_ADMIN_ID,
        bootstrap: true,
        role: 'admin',
        communityIds: [],
        stationIds: [],
      };
    const found = await this.principals.principalOf(hash.toString('hex'));
    if (!found || !timingSafeEqual(Buffer.from(found.tokenHash, 'hex'), hash)) return undefined;
    return {
      principalId: found.principalId,
      role: found.role as Role,
      communityIds: found.communityIds,
      stationIds: found.stationIds,
      ...(found.riderId !== null && { riderId: found.riderId }),
    };
  }
}

export interface HealthReport {
  status: 'ok' | 'unavailable';
  store: { kind: string; status: 'up' | 'down' };
  queue: QueueStatus;
  /** Events the slowest projection still has to apply; `null` when it cannot be told. */
  projectionLag: number | null;
  /**
   * Which process follows which projection: this process's name (as in the logs), the
   * projections it holds the lease of, and every projection's holder (`null`: none now).
   * `holders` is `null` when the database cannot be asked.
   */
  projections: {
    process: string;
    held: string[];
    holders: Record<string, string | null> | null;
  };
}

/** Whether every dependency answers, and how far the read models are behind. */
export class HealthQuery extends Query<HealthReport> {}

/** A store that does not answer within this is reported down; health must stay fast. */
const STORE_PING_TIMEOUT_MS = 2000;
const logger = new Logger('health');

@QueryHandler(HealthQuery)
export class HealthHandler implements IQueryHandler<HealthQuery> {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(QUEUE_PROBE) private readonly queue: QueueProbe,
    @Inject(READ_MODELS) private readonly readModels: ReadModels,
  ) {}

  async execute(): Promise<HealthReport> {
    const [storeUp, queue] = await Promise.all([this.storeUp(), this.queue.check()]);
    const [lag, projections] = await Promise.all([
      storeUp ? this.lag() : null,
      this.projections(storeUp),
    ]);
    return {
      status: storeUp && queue.status === 'up' ? 'ok' : 'unavailable',
      store: { kind: this.store.kind, status: storeUp ? 'up' : 'down' },
      queue,
      projectionLag: lag,
      projections,
    };
  }

  private async projections(storeUp: boolean): Promise<HealthReport['projections']> {
    const here = this.readModels.runnerState();
    if (!storeUp) return { ...here, holders: null };
    try {
      const holders = await this.readModels.leaseHolders();
      return {
        ...here,
        holders: Object.fromEntries(holders.map((h) => [h.projection, h.holder])),
      };
    } catch (error) {
      logger.warn({ msg: 'projection holders unknown', error: String(error) });
      return { ...here, holders: null };
    }
  }

  private async lag(): Promise<number | null> {
    try {
      return Math.max(0, ...Object.values(await projectionLag(this.readModels, this.store)));
    } catch (error) {
      logger.warn({ msg: 'projection lag unknown', error: String(error) });
      return null;
    }
  }

  private async storeUp(): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<false>((resolve) => {
      timer = setTimeout(() => resolve(false), STORE_PING_TIMEOUT_MS);
    });
    const ping = this.store.ping().then(
      () => true,
      () => false,
    );
    try {
      return await Promise.race([ping, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }
}

/** What the metrics read at each scrape; a part that cannot be read now is `null`. */
export interface OperationsSnapshot {
  /** Events each projection still has to apply (counted up to 10,000). */
  readonly lag: Record<string, number> | null;
  /** The projections this process runs under its lease. */
  readonly held: readonly string[];
  /** Every projection's lease holder, in any process (`null`: free). */
  readonly holders: Record<string, string | null> | null;
  /** Jobs kept in the queue, by status. */
  readonly jobs: Record<JobStatus, number> | null;
}

export class OperationsQuery extends Query<OperationsSnapshot> {}

@QueryHandler(OperationsQuery)
export class OperationsHandler implements IQueryHandler<OperationsQuery> {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(READ_MODELS) private readonly readModels: ReadModels,
    @Inject(JOB_QUEUE) private readonly jobs: JobQueue,
  ) {}

  async execute(): Promise<OperationsSnapshot> {
    const [lag, holders, jobs] = await Promise.all([
      projectionLag(this.readModels, this.store).catch(() => null),
      this.readModels.leaseHolders().then(
        (found) => Object.fromEntries(found.map((h) => [h.projection, h.holder])),
        () => null,
      ),
      this.jobs.counts().catch(() => null),
    ]);
    return { lag, held: this.readModels.runnerState().held, holders, jobs };
  }
}

export const SYSTEM_QUERY_HANDLERS = [AuthenticateHandler, HealthHandler, OperationsHandler];
