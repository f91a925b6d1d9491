import { Body, Controller, Param, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import {
  CancelRedemptionCommand,
  MakeRedemptionCommand,
  type CancellationResult,
  type RedemptionResult,
} from '@ledger/ledger';
import { LedgerHttp, type Caller } from '../http/ledger-http';
import { Answers, Refusals } from '../http/openapi';
import { Ledger } from '../http/request-context';
import { ReasonDto, RedemptionDto } from '../stations/stations.dto';

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
