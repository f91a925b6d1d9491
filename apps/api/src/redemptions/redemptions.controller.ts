import { Body, Controller, Param, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { notFound } from '@ledger/domain';
import {
  CancelRedemptionCommand,
  GetEntryQuery,
  MakeRedemptionCommand,
  type CancellationResult,
  type RedemptionResult,
} from '@ledger/ledger';
import type { EntryView } from '@ledger/projections';
import { LedgerHttp, type Caller } from '../http/ledger-http';
import { ProblemException } from '../http/problem';
import { Answers, Refusals } from '../http/openapi';
import { Ledger } from '../http/request-context';
import { mayServe } from '../stations/stations.controller';
import { ReasonDto, RedemptionDto } from '../stations/stations.dto';

/** Redeeming points for catalogue items at a station, and cancelling a redemption made by mistake. */
@ApiTags('redemptions')
@ApiBearerAuth()
@Controller('v1/redemptions')
export class RedemptionsController {
  constructor(private readonly ledger: LedgerHttp) {}

  /** Takes the items from the station's stock and their price from the rider, or neither. */
  @Post()
  @Answers(201, {
    redemptionId: 'd-55e2',
    riderId: 'r-0001',
    stationId: 'jj-station-01',
    points: 150,
    balanceAfter: 700,
    position: 60,
  })
  @Refusals('NOT_FOUND', 'INSUFFICIENT_BALANCE', 'OUT_OF_STOCK')
  async redeem(@Body() body: RedemptionDto, @Ledger() caller: Caller): Promise<RedemptionResult> {
    mayServe(caller.actor, body.stationId);
    return this.ledger.unwrap(
      await this.ledger.commands.execute<MakeRedemptionCommand, RedemptionResult>(
        new MakeRedemptionCommand(body, this.ledger.request(caller)),
      ),
    );
  }

  /** Gives the points back to the rider and the items back to the station's stock. */
  @Post(':id/cancellation')
  @Answers(201, {
    redemptionId: 'd-55e2',
    stationId: 'jj-station-01',
    points: 150,
    balanceAfter: 850,
    position: 61,
  })
  @Refusals('NOT_FOUND', 'ALREADY_CANCELLED')
  async cancel(
    @Param('id') redemptionId: string,
    @Body() body: ReasonDto,
    @Ledger() caller: Caller,
  ): Promise<CancellationResult> {
    const entry = await this.ledger.queries.execute<GetEntryQuery, EntryView | undefined>(
      new GetEntryQuery(redemptionId, 'redemption'),
    );
    if (!entry) throw ProblemException.of(notFound(`redemption ${redemptionId}`));
    mayServe(caller.actor, entry.stationId ?? '');
    return this.ledger.unwrap(
      await this.ledger.commands.execute<CancelRedemptionCommand, CancellationResult>(
        new CancelRedemptionCommand(
          { riderId: entry.riderId, redemptionId, reason: body.reason },
          this.ledger.request(caller),
        ),
      ),
    );
  }
}
