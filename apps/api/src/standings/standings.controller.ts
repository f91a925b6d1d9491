import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import {
  CloseSelectionCommand,
  GetLeaderboardQuery,
  GetSelectionQuery,
  ListSelectionsQuery,
  StreamCommand,
  type SelectionResult,
} from '@ledger/ledger';
import { randomUUID } from 'node:crypto';
import { LedgerHttp, type Caller } from '../http/ledger-http';
import { Answers, Refusals } from '../http/openapi';
import { Ledger } from '../http/request-context';
import { MinPositionDto } from '../organisation/min-position.dto';
import { DEFAULT_LIST_LIMIT } from '@ledger/projections';
import { LeaderboardQueryDto, OpenSelectionDto, SelectionListDto } from './standings.dto';

const CLOSED_EXAMPLE = {
  id: 'jiangjin-2026-top10',
  district: '江津区',
  year: 2026,
  size: 10,
  status: 'closed',
  cutoffPosition: 150000,
  winners: [{ rank: 1, riderId: 'r-0001', name: '张小哥', points: 1000 }],
  closedBy: 'admin',
  closedAt: '2026-12-31T16:00:00.000Z',
};

/** Leaderboards by community, street and district, and the annual top-ten selection (十佳最美小哥). */
@ApiTags('leaderboards and selections')
@ApiBearerAuth()
@Controller('v1')
export class StandingsController {
  constructor(private readonly ledger: LedgerHttp) {}

  /**
   * Earned points in the period net of reversals; ties go to who reached the total first (the
   * lower log position), then to the lower rider id. A place the directory does not know is 404.
   */
  @Get('leaderboards')
  @Refusals('NOT_FOUND')
  @Answers(
    200,
    {
      scope: 'district:江津区',
      period: '2026',
      items: [{ rank: 1, riderId: 'r-0001', name: '张小哥', points: 1000 }],
      nextCursor: null,
    },
    'Done.',
    { nullable: ['name'] },
  )
  async leaderboard(@Query() query: LeaderboardQueryDto) {
    const { scope, period, limit = 100, cursor, minPosition } = query;
    const page = await this.ledger.ask(
      new GetLeaderboardQuery(scope, period, { limit, cursor }, minPosition),
    );
    return { scope, period, ...page };
  }

  @Post('selections')
  @Answers(201, {
    id: 'jiangjin-2026-top10',
    status: 'open',
    district: '江津区',
    year: 2026,
    size: 10,
    position: 70,
  })
  @Refusals('ALREADY_EXISTS')
  async open(@Body() body: OpenSelectionDto, @Ledger() caller: Caller) {
    const { id = randomUUID(), district, year, size } = body;
    const command = { type: 'OpenSelection' as const, selectionId: id, district, year, size };
    const written = await this.ledger.execute(
      new StreamCommand({ kind: 'selection', id, command }, this.ledger.request(caller)),
    );
    return { id, status: 'open', district, year, size, position: written.position };
  }

  /** Cuts the log at its head now and takes the top `size` of the district's year from it. */
  @Post('selections/:id/close')
  @Answers(200, { ...CLOSED_EXAMPLE, position: 71 }, 'Done.', { nullable: ['winners.name'] })
  @Refusals('NOT_FOUND', 'SELECTION_CLOSED')
  @HttpCode(200)
  close(@Param('id') id: string, @Ledger() caller: Caller): Promise<SelectionResult> {
    return this.ledger.execute(new CloseSelectionCommand(id, this.ledger.request(caller)));
  }

  /** Selections by district, year, then id (beyond the product contract: the console lists them). */
  @Get('selections')
  @Answers(200, {
    items: [
      { id: 'jiangjin-2026-top10', district: '江津区', year: 2026, size: 10, status: 'open' },
    ],
    nextCursor: null,
  })
  @Refusals('NOT_FOUND')
  selections(@Query() query: SelectionListDto, @Ledger() caller: Caller) {
    const { district, limit = DEFAULT_LIST_LIMIT, cursor, minPosition } = query;
    return this.ledger.ask(
      new ListSelectionsQuery(caller.actor, { district }, { limit, cursor }, minPosition),
    );
  }

  @Get('selections/:id')
  @Answers(
    200,
    CLOSED_EXAMPLE,
    'The selection; `cutoffPosition`, `winners`, `closedBy` and `closedAt` once closed.',
    {
      optional: ['cutoffPosition', 'winners', 'closedBy', 'closedAt'],
      nullable: ['winners.name'],
    },
  )
  @Refusals('NOT_FOUND')
  selection(@Param('id') id: string, @Query() query: MinPositionDto) {
    return this.ledger.ask(new GetSelectionQuery(id, query.minPosition));
  }
}
