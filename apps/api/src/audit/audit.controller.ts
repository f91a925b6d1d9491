import { Controller, Get, HttpCode, Inject, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { notFound } from '@ledger/domain';
import type { EventStore } from '@ledger/event-store';
import {
  EVENT_STORE,
  JOB_NAMES,
  JOB_QUEUE,
  LEDGER_CONFIG,
  balanceAsOf,
  storedHash,
  verifyLog,
  type JobQueue,
  type LedgerConfig,
} from '@ledger/ledger';
import { randomUUID } from 'node:crypto';
import { Answers, Refusals } from '../http/openapi';
import { ProblemException } from '../http/problem';
import { AsOfDto, AuditEventsQueryDto } from './audit.dto';

const HASH = '7997559decc3207577d872d41e2297fc3d77dcb7dbd604009d6f3ef2178f1d41';

/** What auditors (审计, 纪检) read to check every figure from the log alone. Read-only. */
@ApiTags('audit')
@ApiBearerAuth()
@Controller('v1/audit')
export class AuditController {
  constructor(
    @Inject(LEDGER_CONFIG) private readonly config: LedgerConfig,
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(JOB_QUEUE) private readonly jobs: JobQueue,
  ) {}

  /** The log in order, each event with its chain hash; `nextCursor` continues after the page. */
  @Get('events')
  @Answers(200, {
    items: [
      {
        position: 21,
        stream: 'rider-r-0001',
        revision: 1,
        type: 'PointsAwarded',
        data: { riderId: 'r-0001', points: 20 },
        metadata: { actor: { principalId: 'staff-1', role: 'staff' }, hash: HASH },
        hash: HASH,
        recordedAt: '2026-06-15T13:11:02.000Z',
      },
    ],
    nextCursor: '1042:21',
  })
  async events(@Query() query: AuditEventsQueryDto) {
    const limit = query.limit ?? 100;
    const page = await this.store.readAll({ ...(query.after && { after: query.after }), limit });
    const items = page.events
      .filter((e) => query.stream === undefined || e.streamName === query.stream)
      .map((e) => ({
        position: e.position,
        stream: e.streamName,
        revision: e.revision,
        type: e.type,
        data: e.data,
        metadata: e.metadata,
        hash: storedHash(e) || null,
        recordedAt: e.recordedAt.toISOString(),
      }));
    return { items, nextCursor: page.events.length === limit ? page.cursor : null };
  }

  /** The rider's balance from the events recorded up to `asOf`, folded from its stream. */
  @Get('riders/:id/balance')
  @Answers(200, {
    riderId: 'r-0001',
    asOf: '2026-06-30T16:00:00.000Z',
    balance: 850,
    earned: 1000,
    redeemed: 150,
    reversed: 0,
    eventsApplied: 12,
    lastPosition: 4051,
  })
  @Refusals('NOT_FOUND')
  async balanceAsOf(@Param('id') id: string, @Query() query: AsOfDto) {
    const asOf = query.asOf ? new Date(query.asOf) : new Date();
    const figures = await balanceAsOf(this.store, id, asOf, this.config.timeZone);
    if (!figures) throw ProblemException.of(notFound(`rider ${id}`));
    return figures;
  }

  /** Checks every stored event against the hash chain and every seal; names the first bad one. */
  @Get('verification')
  @Answers(200, {
    ok: true,
    eventsChecked: 152_310,
    firstBadPosition: null,
    head: 152_310,
    problem: null,
    sealsChecked: 24,
  })
  async verification() {
    return verifyLog(this.store);
  }

  /** Starts rebuilding every read model in a shadow schema and comparing it with the live one. */
  @Post('replays')
  @HttpCode(202)
  @Answers(202, { id: 'replay-3b9d2f4e-0c1a-4f7e-9d2b-5a6c7e8f9a0b' }, 'Queued.')
  async replay() {
    const id = `replay-${randomUUID()}`;
    await this.jobs.add(JOB_NAMES.replay, {}, { jobId: id });
    return { id };
  }

  @Get('replays/:id')
  @Answers(200, {
    id: 'replay-3b9d2f4e-0c1a-4f7e-9d2b-5a6c7e8f9a0b',
    status: 'done',
    progress: 100,
    eventsReplayed: 152_310,
    rowsCompared: 80_214,
    differences: [],
    error: null,
  })
  @Refusals('NOT_FOUND')
  async replayStatus(@Param('id') id: string) {
    const job = await this.jobs.get(id);
    if (!job || job.name !== JOB_NAMES.replay) throw ProblemException.of(notFound(`replay ${id}`));
    const result = (job.result ?? {}) as {
      eventsReplayed?: number;
      rowsCompared?: number;
      differences?: unknown[];
    };
    return {
      id,
      status: job.status,
      progress: job.progress,
      eventsReplayed: result.eventsReplayed ?? 0,
      rowsCompared: result.rowsCompared ?? 0,
      differences: result.differences ?? [],
      error: job.error ?? null,
    };
  }
}
