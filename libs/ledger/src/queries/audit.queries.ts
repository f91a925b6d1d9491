import { DomainError, notFound, say } from '@ledger/domain';
import type { StoredEvent } from '@ledger/event-store';
import type { EventStore } from '@ledger/event-store';
import { Inject } from '@nestjs/common';
import {
  Command,
  CommandHandler,
  Query,
  QueryHandler,
  type ICommandHandler,
  type IQueryHandler,
} from '@nestjs/cqrs';
import { randomUUID } from 'node:crypto';
import { balanceAsOf, type AsOfBy, type BalanceAsOf } from '../audit/as-of';
import type { OnProgress } from '../audit/replay';
import { VerifiedStarts } from '../audit/verified-start';
import { verifiedHeads, type Verification } from '../audit/verify';
import type { LedgerConfig } from '../config/ledger-config';
import { EVENT_STORE, JOB_QUEUE, LEDGER_CONFIG } from '../infrastructure/tokens';
import { jobIdOf, JOB_NAMES } from '../jobs/job-ids';
import type { JobQueue } from '../jobs/job-queue';
import { storedHash } from '../write/chain';

export interface AuditEvent {
  position: number;
  stream: string;
  revision: number;
  type: string;
  data: Record<string, unknown>;
  metadata: Record<string, unknown>;
  hash: string | null;
  recordedAt: string;
}

/** The log in order, each event with its chain hash; `nextCursor` continues after the page. */
export class AuditEventsQuery extends Query<
  { items: AuditEvent[]; nextCursor: string | null } | DomainError
> {
  constructor(
    readonly page: { after?: string | undefined; limit: number; stream?: string | undefined },
  ) {
    super();
  }
}

/** A rider's figures from the events recorded (or whose acts happened) up to `asOf`, from its stream alone. */
export class BalanceAsOfQuery extends Query<BalanceAsOf | DomainError> {
  constructor(
    readonly riderId: string,
    readonly asOf: Date,
    readonly by: AsOfBy = 'recorded',
  ) {
    super();
  }
}

/**
 * Every stored event checked against the hash chain and every seal; `incremental`: only the events
 * after the last seal an earlier run verified (from the first event when there is none).
 */
export class VerifyLogQuery extends Query<Verification> {
  constructor(
    readonly onProgress?: OnProgress,
    readonly incremental = false,
  ) {
    super();
  }
}

export interface ReplayStatus {
  id: string;
  status: string;
  progress: number;
  eventsReplayed: number;
  rowsCompared: number;
  differences: unknown[];
  error: string | null;
}

export class ReplayStatusQuery extends Query<ReplayStatus | DomainError> {
  constructor(readonly replayId: string) {
    super();
  }
}

/** Queues a rebuild of every read model in a shadow schema and a comparison with the live one. */
export class StartReplayCommand extends Command<{ id: string }> {}

@QueryHandler(AuditEventsQuery)
export class AuditEventsHandler implements IQueryHandler<AuditEventsQuery> {
  constructor(@Inject(EVENT_STORE) private readonly store: EventStore) {}

  /**
   * The whole log after a cursor, or one stream read directly from a revision (its cursor is
   * `r` and the revision to go on from), so a stream's page is never a filtered page of the log.
   */
  async execute({ page }: AuditEventsQuery) {
    if (page.stream !== undefined) {
      const from = page.after === undefined ? '0' : /^r(\d{1,15})$/.exec(page.after)?.[1];
      if (from === undefined)
        return new DomainError('VALIDATION_FAILED', say`after is not a nextCursor of this stream`);
      const events = await this.store.readStream(page.stream, {
        fromRevision: Number(from),
        limit: page.limit,
      });
      const last = events.at(-1);
      return {
        items: events.map(auditEvent),
        nextCursor: events.length === page.limit && last ? `r${last.revision + 1}` : null,
      };
    }
    const read = await this.store.readAll({
      ...(page.after && { after: page.after }),
      limit: page.limit,
    });
    return {
      items: read.events.map(auditEvent),
      nextCursor: read.events.length === page.limit ? read.cursor : null,
    };
  }
}

/** A stored event as the audit log shows it, with its chain hash. */
function auditEvent(e: StoredEvent): AuditEvent {
  return {
    position: e.position,
    stream: e.streamName,
    revision: e.revision,
    type: e.type,
    data: e.data,
    metadata: e.metadata,
    hash: storedHash(e) || null,
    recordedAt: e.recordedAt.toISOString(),
  };
}

@QueryHandler(BalanceAsOfQuery)
export class BalanceAsOfHandler implements IQueryHandler<BalanceAsOfQuery> {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(LEDGER_CONFIG) private readonly config: LedgerConfig,
  ) {}

  async execute({ riderId, asOf, by }: BalanceAsOfQuery): Promise<BalanceAsOf | DomainError> {
    const figures = await balanceAsOf(this.store, riderId, asOf, this.config.timeZone, by);
    return figures ?? notFound(say`rider ${riderId}`);
  }
}

/**
 * Verifies the log. Callers that ask while a verification of the same kind runs share it (and its
 * progress) instead of each reading and hashing the log again: four auditors at once cost one run.
 * Every run that passes leaves its last seal as the start of the next incremental one; a run that
 * finds the log bad removes that start.
 */
@QueryHandler(VerifyLogQuery)
export class VerifyLogHandler implements IQueryHandler<VerifyLogQuery> {
  private readonly running = new Map<
    boolean,
    { result: Promise<Verification>; listeners: Set<OnProgress> }
  >();

  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    private readonly starts: VerifiedStarts,
  ) {}

  execute({ onProgress, incremental }: VerifyLogQuery): Promise<Verification> {
    let run = this.running.get(incremental);
    if (!run) {
      const listeners = new Set<OnProgress>();
      const result = this.verify(listeners, incremental).finally(() => {
        this.running.delete(incremental);
      });
      run = { result, listeners };
      this.running.set(incremental, run);
    }
    if (onProgress) run.listeners.add(onProgress);
    return run.result;
  }

  private async verify(listeners: Set<OnProgress>, incremental: boolean): Promise<Verification> {
    const head = this.store.positionOf(await this.store.headCursor()) ?? 0;
    const start = incremental ? await this.starts.load(this.store) : undefined;
    const from = start?.seal.headPosition ?? 0;
    // The total is estimated from how far into the log the check is, in positions, at the rate
    // of events checked per position so far: on the SQL stores (a position per event) it is the
    // count; on KurrentDB (a position is a byte offset) it is an estimate, never a byte count.
    const tell = (checked: number, reached?: string) => {
      const at = reached === undefined ? from : (this.store.positionOf(reached) ?? from);
      const total =
        at > from
          ? Math.max(checked, Math.round((checked * (head - from)) / (at - from)))
          : head - from;
      listeners.forEach((listener) => listener(checked, total));
    };
    if (this.store.kind !== 'kurrentdb') tell(0);
    const { verification, lastSeal } = await verifiedHeads(this.store, tell, start);
    if (!verification.ok) await this.starts.clear();
    else if (lastSeal) await this.starts.save(lastSeal, start !== undefined);
    return verification;
  }
}

@QueryHandler(ReplayStatusQuery)
export class ReplayStatusHandler implements IQueryHandler<ReplayStatusQuery> {
  constructor(@Inject(JOB_QUEUE) private readonly jobs: JobQueue) {}

  async execute({ replayId }: ReplayStatusQuery): Promise<ReplayStatus | DomainError> {
    const job = await this.jobs.get(replayId);
    if (!job || job.name !== JOB_NAMES.replay) return notFound(say`replay ${replayId}`);
    const result = (job.result ?? {}) as {
      eventsReplayed?: number;
      rowsCompared?: number;
      differences?: unknown[];
    };
    return {
      id: replayId,
      status: job.status,
      progress: job.progress,
      eventsReplayed: result.eventsReplayed ?? 0,
      rowsCompared: result.rowsCompared ?? 0,
      differences: result.differences ?? [],
      error: job.error ?? null,
    };
  }
}

@CommandHandler(StartReplayCommand)
export class StartReplayHandler implements ICommandHandler<StartReplayCommand> {
  constructor(@Inject(JOB_QUEUE) private readonly jobs: JobQueue) {}

  async execute(): Promise<{ id: string }> {
    const id = jobIdOf('replay', randomUUID());
    await this.jobs.add(JOB_NAMES.replay, {}, { jobId: id });
    return { id };
  }
}

export const AUDIT_HANDLERS = [
  AuditEventsHandler,
  BalanceAsOfHandler,
  VerifyLogHandler,
  ReplayStatusHandler,
  StartReplayHandler,
];
