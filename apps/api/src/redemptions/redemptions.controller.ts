import { Body, Controller, Get, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import {
  CancelRedemptionCommand,
  GetReceiptQuery,
  MakeRedemptionCommand,
  StationDayQuery,
  type CancellationResult,
  type RedemptionResult,
} from '@ledger/ledger';
import { LedgerHttp, type Caller } from '../http/ledger-http';
import { Answers, Refusals } from '../http/openapi';
import { Ledger } from '../http/request-context';
import { DEFAULT_LIST_LIMIT } from '@ledger/projections';
import { MinPositionDto } from '../organisation/min-position.dto';
import { ReasonDto, RedemptionDto, StationDayDto } from '../stations/stations.dto';

const RECEIPT_EXAMPLE = {
  redemptionId: 'd-55e2',
  stationId: 'jj-station-01',
  riderId: 'r-0001',
  items: [{ sku: 'raincoat', name: '雨衣', quantity: 1, pricePoints: 150 }],
  points: 150,
  servedBy: 'station-jj-station-01',
  at: '2026-12-03T12:00:00.000Z',
  cancelled: false,
  cancelledAt: null,
  position: 60,
};
const REDEMPTION_EXAMPLE = {
  redemptionId: 'd-55e2',
  riderId: 'r-0001',
  stationId: 'jj-station-01',
  points: 150,
  balanceAfter: 700,
  position: 60,
};

/** Redeeming points for catalogue items at a station, and cancelling a redemption made by mistake. */
@ApiTags('redemptions')
@ApiBearerAuth()
@Controller('v1/redemptions')
export class RedemptionsController {
  constructor(private readonly ledger: LedgerHttp) {}

  /** Takes the items from the station's stock and their price from the rider, or neither. */
  @Post()
  @Answers(201, REDEMPTION_EXAMPLE)
  @Refusals('NOT_FOUND', 'INSUFFICIENT_BALANCE', 'OUT_OF_STOCK')
  redeem(@Body() body: RedemptionDto, @Ledger() caller: Caller): Promise<RedemptionResult> {
    return this.ledger.execute(new MakeRedemptionCommand(body, this.ledger.request(caller)));
  }

  /** A receipt: the items with their names, who served, when, and whether it was cancelled. */
  @Get(':id')
  @Answers(200, RECEIPT_EXAMPLE)
  @Refusals('NOT_FOUND')
  receipt(@Param('id') id: string, @Query() query: MinPositionDto, @Ledger() caller: Caller) {
    return this.ledger.ask(new GetReceiptQuery(caller.actor, id, query.minPosition));
  }

  /** What a station handed out on one day (its deployment's calendar day), in the order served. */
  @Get()
  @Answers(200, { items: [RECEIPT_EXAMPLE], nextCursor: null })
  day(@Query() query: StationDayDto, @Ledger() caller: Caller) {
    const { stationId, day, limit = DEFAULT_LIST_LIMIT, cursor, minPosition } = query;
    return this.ledger.ask(
      new StationDayQuery(caller.actor, stationId, day, { limit, cursor }, minPosition),
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
  cancel(
    @Param('id') redemptionId: string,
    @Body() body: ReasonDto,
    @Ledger() caller: Caller,
  ): Promise<CancellationResult> {
    const input = { redemptionId, reason: body.reason };
    return this.ledger.execute(new CancelRedemptionCommand(input, this.ledger.request(caller)));
  }
}
