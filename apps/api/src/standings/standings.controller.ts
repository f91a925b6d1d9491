import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { notFound } from '@ledger/domain';
import {
  CloseSelectionCommand,
  GetLeaderboardQuery,
  GetSelectionQuery,
  type SelectionResult,
} from '@ledger/ledger';
import type { LeaderboardRow, Page, SelectionView } from '@ledger/projections';
import { randomUUID } from 'node:crypto';
import { LedgerHttp, type Caller } from '../http/ledger-http';
import { ProblemException } from '../http/problem';
import { Answers, Refusals } from '../http/openapi';
import { Ledger } from '../http/request-context';
import { MinPositionDto } from '../organisation/min-position.dto';
import { LeaderboardQueryDto, OpenSelectionDto } from './standings.dto';

const CLOSED_EXAMPLE = {
  id: 'jiangjin-2026-top10',
  status: 'closed',
  cutoffPosition: 150000,
  winners: [{ rank: 1, riderId: 'r-0001', points: 1000 }],
};

/** Leaderboards by community, street and district, and the annual top-ten selection (十佳最美小哥). */
@ApiTags('leaderboards and selections')
@ApiBearerAuth()
@Controller('v1')
export class StandingsController {
  constructor(private readonly ledger: LedgerHttp) {}

  /**
   * Earned points in the period net of reversals; ties go to who reached the total first (the
   * lower log position), then to the lower rider id.
   */
  @Get('leaderboards')
  @Answers(200, {
    scope: 'district:江津区',
    period: '2026',
    items: [{ rank: 1, riderId: 'r-0001', points: 1000 }],
    nextCursor: null,
  })
  async leaderboard(@Query() query: LeaderboardQueryDto) {
    const page = await this.ledger.queries.execute<GetLeaderboardQuery, Page<LeaderboardRow>>(
      new GetLeaderboardQuery(
        query.scope,
        query.period,
        query.limit ?? 100,
        query.cursor,
        query.minPosition,
      ),
    );
    return { scope: query.scope, period: query.period, ...page };
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
    const id = body.id ?? randomUUID();
    const { district, year, size } = body;
    const written = await this.ledger.run(
      {
        kind: 'selection',
        id,
        command: { type: 'OpenSelection', selectionId: id, district, year, size },
      },
      caller,
    );
    return { id, status: 'open', district, year, size, position: written.position };
  }

  /** Cuts the log at its head now and takes the top `size` of the district's year from it. */
  @Post('selections/:id/close')
  @Answers(200, { ...CLOSED_EXAMPLE, position: 71 })
  @Refusals('NOT_FOUND', 'SELECTION_CLOSED')
  @HttpCode(200)
  async close(@Param('id') id: string, @Ledger() caller: Caller): Promise<SelectionResult> {
    return this.ledger.unwrap(
      await this.ledger.commands.execute<CloseSelectionCommand, SelectionResult>(
        new CloseSelectionCommand(id, this.ledger.request(caller)),
      ),
    );
  }

  @Get('selections/:id')
  @Answers(200, CLOSED_EXAMPLE, 'The selection; `cutoffPosition` and `winners` once closed.')
  @Refusals('NOT_FOUND')
  async selection(@Param('id') id: string, @Query() query: MinPositionDto) {
    const found = await this.ledger.queries.execute<GetSelectionQuery, SelectionView | undefined>(
      new GetSelectionQuery(id, query.minPosition),
    );
    if (!found) throw ProblemException.of(notFound(`selection ${id}`));
    return found;
  }
}
