import { Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import {
  AuditEventsQuery,
  BalanceAsOfQuery,
  ReplayStatusQuery,
  StartReplayCommand,
  VerifyLogQuery,
} from '@ledger/ledger';
import { LedgerHttp } from '../http/ledger-http';
import { Answers, Refusals } from '../http/openapi';
import { StoredEvents } from '../http/local-time.interceptor';
import { parseInstant } from '@ledger/domain';
import { AsOfDto, AuditEventsQueryDto, VerificationQueryDto } from './audit.dto';

const HASH = '7997559decc3207577d872d41e2297fc3d77dcb7dbd604009d6f3ef2178f1d41';

/** What auditors (审计, 纪检) read to check every figure from the log alone. Read-only. */
@ApiTags('audit')
@ApiBearerAuth()
@Controller('v1/audit')
export class AuditController {
  constructor(private readonly ledger: LedgerHttp) {}

  /** The log in order, each event with its chain hash; `nextCursor` continues after the page. */
  @Get('events')
  @StoredEvents()
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
  events(@Query() query: AuditEventsQueryDto) {
    const { after, limit = 100, stream } = query;
    return this.ledger.ask(new AuditEventsQuery({ after, limit, stream }));
  }

  /** The rider's balance from the events recorded up to `asOf`, folded from its stream. */
  @Get('riders/:id/balance')
  @Answers(200, {
    riderId: 'r-0001',
    asOf: '2026-06-30T16:00:00.000Z',
    by: 'recorded',
    balance: 850,
    earned: 1000,
    redeemed: 150,
    reversed: 0,
    eventsApplied: 12,
    lastPosition: 4051,
  })
  @Refusals('NOT_FOUND')
  balanceAsOf(@Param('id') id: string, @Query() query: AsOfDto) {
    const asOf = (query.asOf && parseInstant(query.asOf, { endOfDay: true })) || new Date();
    return this.ledger.ask(new BalanceAsOfQuery(id, asOf, query.by));
  }

  /**
   * Checks every stored event against the hash chain and every seal; names the first bad one.
   * `incremental=true`: only the events after the last seal an earlier run passed.
   */
  @Get('verification')
  @Answers(
    200,
    {
      ok: true,
      eventsChecked: 1_204,
      firstBadPosition: null,
      head: 152_310,
      problem: null,
      sealsChecked: 1,
      from: { sealPosition: 151_107, headPosition: 151_106 },
    },
    'Done (an incremental run; `from` is null when it checked from the first event).',
    { nullable: ['from', 'firstBadPosition', 'problem', 'head'] },
  )
  verification(@Query() query: VerificationQueryDto) {
    return this.ledger.ask(new VerifyLogQuery(undefined, query.incremental === 'true'));
  }

  /** Starts rebuilding every read model in a shadow schema and comparing it with the live one. */
  @Post('replays')
  @HttpCode(202)
  @Answers(202, { id: 'replay-3b9d2f4e-0c1a-4f7e-9d2b-5a6c7e8f9a0b' }, 'Queued.')
  replay() {
    return this.ledger.execute(new StartReplayCommand());
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
  replayStatus(@Param('id') id: string) {
    return this.ledger.ask(new ReplayStatusQuery(id));
  }
}
