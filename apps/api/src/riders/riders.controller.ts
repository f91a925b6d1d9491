import { Body, Controller, Delete, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiNoContentResponse, ApiTags } from '@nestjs/swagger';
import {
  AwardPointsCommand,
  ErasePersonalDataCommand,
  GetBalanceQuery,
  GetLedgerQuery,
  GetRiderQuery,
  ListRidersQuery,
  RegisterRiderCommand,
  ReverseAwardCommand,
  TransferRiderCommand,
  type AwardResult,
  type ReversalResult,
} from '@ledger/ledger';
import { randomUUID } from 'node:crypto';
import { LedgerHttp, type Caller } from '../http/ledger-http';
import { Answers, Refusals } from '../http/openapi';
import { Ledger } from '../http/request-context';
import { MinPositionDto } from '../organisation/min-position.dto';
import { ReasonDto } from '../stations/stations.dto';
import {
  AwardDto,
  LedgerQueryDto,
  RegisterRiderDto,
  RiderListDto,
  TransferDto,
} from './riders.dto';
import { DEFAULT_LIST_LIMIT } from '@ledger/projections';

const AWARD_EXAMPLE = {
  entryId: 'a-7f3c',
  riderId: 'r-0001',
  activity: 'patrol',
  points: 20,
  balanceAfter: 20,
  ruleVersion: 1,
  position: 21,
};

/** Riders and their points: registration, reads scoped to who asks, awards. */
@ApiTags('riders')
@ApiBearerAuth()
@Controller('v1')
export class RidersController {
  constructor(private readonly ledger: LedgerHttp) {}

  @Post('riders')
  @Answers(201, {
    id: 'r-0001',
    communityId: 'jijiang-aipingshan',
    platform: '美团',
    occupation: 'food_delivery',
    name: '张小哥',
    registeredAt: '2026-11-20T09:30:00.000Z',
    position: 20,
  })
  @Refusals('ALREADY_EXISTS', 'NOT_FOUND')
  async register(@Body() body: RegisterRiderDto, @Ledger() caller: Caller) {
    const { id = randomUUID(), communityId, platform, occupation, name, phone } = body;
    const request = this.ledger.request(caller);
    const input = {
      riderId: id,
      communityId,
      platform,
      occupation,
      name,
      ...(phone !== undefined && { phone }),
    };
    const written = await this.ledger.execute(new RegisterRiderCommand(input, request));
    return {
      id,
      communityId,
      platform,
      occupation,
      name,
      registeredAt: request.context.now.toISOString(),
      position: written.position,
    };
  }

  /**
   * Riders by id with their names; `q` finds a whole phone number or the start of a name. Staff
   * see their communities' riders only (another community is 403).
   */
  @Get('riders')
  @Answers(200, {
    items: [
      {
        id: 'r-0001',
        communityId: 'jijiang-aipingshan',
        name: '张小哥',
        platform: '美团',
        occupation: 'food_delivery',
        registeredAt: '2026-11-20T09:30:00.000Z',
      },
    ],
    nextCursor: null,
  })
  riders(@Query() query: RiderListDto, @Ledger() caller: Caller) {
    const { communityId, q, limit = DEFAULT_LIST_LIMIT, cursor, minPosition } = query;
    return this.ledger.ask(
      new ListRidersQuery(caller.actor, { communityId, q }, { limit, cursor }, minPosition),
    );
  }

  /** The rider with balance and badges; `name` is null once personal data was erased. */
  @Get('riders/:id')
  @Answers(
    200,
    {
      id: 'r-0001',
      communityId: 'jijiang-aipingshan',
      platform: '美团',
      occupation: 'food_delivery',
      name: '张小哥',
      registeredAt: '2026-11-20T09:30:00.000Z',
      balance: 850,
      badges: [{ id: 'bronze', name: '铜牌小哥', earnedAt: '2026-11-20T09:30:00.000Z' }],
    },
    'Done.',
    { nullable: ['name'] },
  )
  @Refusals('NOT_FOUND')
  async rider(@Param('id') id: string, @Query() query: MinPositionDto, @Ledger() caller: Caller) {
    const r = await this.ledger.ask(new GetRiderQuery(caller.actor, id, query.minPosition));
    return {
      id: r.id,
      communityId: r.communityId,
      platform: r.platform,
      occupation: r.occupation,
      name: r.name,
      registeredAt: r.registeredAt,
      balance: r.balance,
      badges: r.badges,
    };
  }

  @Get('riders/:id/balance')
  @Answers(200, {
    riderId: 'r-0001',
    balance: 850,
    earned: 1000,
    redeemed: 150,
    reversed: 0,
    position: 120,
  })
  @Refusals('NOT_FOUND')
  balance(@Param('id') id: string, @Query() query: MinPositionDto, @Ledger() caller: Caller) {
    return this.ledger.ask(new GetBalanceQuery(caller.actor, id, query.minPosition));
  }

  @Get('riders/:id/ledger')
  @Answers(
    200,
    {
      items: [
        {
          entryId: 'a-7f3c',
          type: 'award',
          points: 20,
          balanceAfter: 20,
          activity: 'patrol',
          reason: '夜间巡逻',
          source: 'staff-backfill',
          approvedBy: 'staff-jijiang',
          approvedByName: '几江街道社区工作站',
          actor: 'staff-jijiang',
          occurredAt: '2026-11-20T09:30:00.000Z',
          recordedAt: '2026-11-20T09:30:00.000Z',
          position: 21,
        },
        {
          entryId: 'a-9d21',
          type: 'reversal',
          points: -20,
          balanceAfter: 0,
          reason: '登记有误',
          reversalOf: 'a-7f3c',
          actor: 'staff-jijiang',
          occurredAt: '2026-11-20T10:05:00.000Z',
          recordedAt: '2026-11-20T10:05:00.000Z',
          position: 25,
        },
        {
          entryId: 'a-b402',
          type: 'award',
          points: 30,
          balanceAfter: 30,
          activity: 'patrol',
          reason: '签到：夜间巡逻',
          source: 'check-in',
          approvedBy: 'staff-jijiang',
          approvedByName: '几江街道社区工作站',
          checkInId: 'ci-5e1a',
          actor: 'rider-r-0001',
          occurredAt: '2026-11-21T07:00:00.000Z',
          recordedAt: '2026-11-21T07:00:00.000Z',
          position: 28,
        },
        {
          entryId: 'x-31b0',
          type: 'redemption',
          points: -10,
          balanceAfter: 20,
          stationId: 'station-07',
          items: [{ sku: 'water', quantity: 2, pricePoints: 5 }],
          actor: 'station-07',
          occurredAt: '2026-11-21T08:00:00.000Z',
          recordedAt: '2026-11-21T08:00:00.000Z',
          position: 30,
        },
      ],
      nextCursor: null,
    },
    'Done.',
    { nullable: ['approvedByName'] },
  )
  ledgerLines(@Param('id') id: string, @Query() query: LedgerQueryDto, @Ledger() caller: Caller) {
    const page = { limit: query.limit ?? 100, cursor: query.cursor, order: query.order ?? 'asc' };
    return this.ledger.ask(new GetLedgerQuery(caller.actor, id, page, query.minPosition));
  }

  @Post('awards')
  @Answers(201, AWARD_EXAMPLE)
  @Refusals('NOT_FOUND', 'FUND_EXHAUSTED', 'RULE_VIOLATION')
  award(@Body() body: AwardDto, @Ledger() caller: Caller): Promise<AwardResult> {
    return this.ledger.execute(new AwardPointsCommand(body, this.ledger.request(caller)));
  }

  /** Takes an award's points back from the rider and returns them to its fund. */
  @Post('awards/:entryId/reversal')
  @Answers(201, {
    entryId: 'v-91ab',
    reversalOf: 'a-7f3c',
    points: 20,
    balanceAfter: 0,
    position: 30,
  })
  @Refusals('NOT_FOUND', 'ALREADY_REVERSED', 'INSUFFICIENT_BALANCE')
  reverse(
    @Param('entryId') entryId: string,
    @Body() body: ReasonDto,
    @Ledger() caller: Caller,
  ): Promise<ReversalResult> {
    const input = { entryId, reason: body.reason };
    return this.ledger.execute(new ReverseAwardCommand(input, this.ledger.request(caller)));
  }

  /** Moves a rider to another community; points earned before stay on the old one's boards. */
  @Post('riders/:id/transfer')
  @Answers(200, { id: 'r-0001', communityId: 'dingshan-01', position: 40 })
  @Refusals('NOT_FOUND', 'ALREADY_EXISTS')
  @HttpCode(200)
  async transfer(@Param('id') id: string, @Body() body: TransferDto, @Ledger() caller: Caller) {
    const input = { riderId: id, communityId: body.communityId };
    const written = await this.ledger.execute(
      new TransferRiderCommand(input, this.ledger.request(caller)),
    );
    return { id, communityId: body.communityId, position: written.position };
  }

  /** Name and phone are gone for good; the rider's ledger stays and still verifies. */
  @Delete('riders/:id/personal-data')
  @ApiNoContentResponse({ description: 'Name and phone are erased for good.' })
  @Refusals('NOT_FOUND')
  @HttpCode(204)
  async erase(@Param('id') id: string, @Ledger() caller: Caller): Promise<void> {
    await this.ledger.execute(new ErasePersonalDataCommand(id, this.ledger.request(caller)));
  }
}
