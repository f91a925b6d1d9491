import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  Inject,
  Param,
  Post,
  Query,
} from '@nestjs/common';
import { ApiBearerAuth, ApiNoContentResponse, ApiTags } from '@nestjs/swagger';
import { notFound, type Actor } from '@ledger/domain';
import {
  AwardPointsCommand,
  ErasePersonalDataCommand,
  GetBalanceQuery,
  GetEntryQuery,
  GetLedgerQuery,
  PERSONAL_DATA,
  READ_MODELS,
  RegisterRiderCommand,
  ReverseAwardCommand,
  type AwardResult,
  type ReversalResult,
  type PersonalDataStore,
} from '@ledger/ledger';
import type { BalanceView, EntryView, LedgerLineView, Page, ReadModels } from '@ledger/projections';
import { randomUUID } from 'node:crypto';
import { LedgerHttp, type Caller } from '../http/ledger-http';
import { forbidden, ProblemException } from '../http/problem';
import { Answers, Refusals } from '../http/openapi';
import { Ledger } from '../http/request-context';
import { MinPositionDto } from '../organisation/min-position.dto';
import { ReasonDto } from '../stations/stations.dto';
import { AwardDto, PageQueryDto, RegisterRiderDto, TransferDto } from './riders.dto';

/** Riders and their points: registration, reads scoped to who asks, awards. */
@ApiTags('riders')
@ApiBearerAuth()
@Controller('v1')
export class RidersController {
  constructor(
    private readonly ledger: LedgerHttp,
    @Inject(READ_MODELS) private readonly readModels: ReadModels,
    @Inject(PERSONAL_DATA) private readonly personalData: PersonalDataStore,
  ) {}

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
    if (caller.actor.role === 'staff' && !caller.actor.communityIds.includes(body.communityId)) {
      throw forbidden(`staff may register riders only in their communities`);
    }
    const id = body.id ?? randomUUID();
    const { communityId, platform, occupation, name, phone } = body;
    const request = this.ledger.request(caller);
    const input = {
      riderId: id,
      communityId,
      platform,
      occupation,
      name,
      ...(phone !== undefined && { phone }),
    };
    const written = this.ledger.unwrap(
      await this.ledger.commands.execute<RegisterRiderCommand, { position: number }>(
        new RegisterRiderCommand(input, request),
      ),
    );
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

  /** The rider with balance and badges; `name` is null once personal data was erased. */
  @Get('riders/:id')
  @Answers(200, {
    id: 'r-0001',
    communityId: 'jijiang-aipingshan',
    platform: '美团',
    occupation: 'food_delivery',
    name: '张小哥',
    registeredAt: '2026-11-20T09:30:00.000Z',
    balance: 850,
    badges: [{ id: 'bronze', name: '铜牌小哥', earnedAt: '2026-11-20T09:30:00.000Z' }],
  })
  @Refusals('NOT_FOUND')
  async rider(@Param('id') id: string, @Query() query: MinPositionDto, @Ledger() caller: Caller) {
    await this.readModels.waitForProjections(['directory', 'balances'], query.minPosition);
    await this.mayRead(caller.actor, id);
    const s = this.readModels.schema;
    const found = await this.readModels.read(async (q) => {
      const rider = await q<{
        community_id: string;
        platform: string;
        occupation: string;
        registered_at: Date;
        balance: string | number;
      }>(
        `select r.community_id, r.platform, r.occupation, r.registered_at, b.balance
         from ${s}.riders r join ${s}.balances b using (rider_id) where r.rider_id = $1`,
        [id],
      );
      const badges = await q<{ badge_id: string; name: string; earned_at: Date }>(
        `select badge_id, name, earned_at from ${s}.rider_badges where rider_id = $1 order by earned_at, badge_id`,
        [id],
      );
      return { rider: rider.rows[0], badges: badges.rows };
    });
    if (!found.rider) throw ProblemException.of(notFound(`rider ${id}`));
    const personal = await this.personalData.find(id);
    const r = found.rider;
    return {
      id,
      communityId: r.community_id,
      platform: r.platform,
      occupation: r.occupation,
      name: personal?.name ?? null,
      registeredAt: new Date(r.registered_at).toISOString(),
      balance: Number(r.balance),
      badges: found.badges.map((b) => ({
        id: b.badge_id,
        name: b.name,
        earnedAt: new Date(b.earned_at).toISOString(),
      })),
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
  async balance(@Param('id') id: string, @Query() query: MinPositionDto, @Ledger() caller: Caller) {
    await this.readModels.waitForProjections(['directory', 'balances'], query.minPosition);
    await this.mayRead(caller.actor, id);
    const balance = await this.ledger.queries.execute<GetBalanceQuery, BalanceView | undefined>(
      new GetBalanceQuery(id, query.minPosition),
    );
    if (!balance) throw ProblemException.of(notFound(`rider ${id}`));
    return balance;
  }

  @Get('riders/:id/ledger')
  @Answers(200, {
    items: [
      {
        entryId: 'a-7f3c',
        type: 'award',
        points: 20,
        balanceAfter: 20,
        activity: 'patrol',
        reason: '夜间巡逻',
        actor: 'staff-jijiang',
        occurredAt: '2026-11-20T09:30:00.000Z',
        recordedAt: '2026-11-20T09:30:00.000Z',
        position: 21,
      },
    ],
    nextCursor: null,
  })
  async ledgerLines(
    @Param('id') id: string,
    @Query() query: PageQueryDto,
    @Ledger() caller: Caller,
  ) {
    await this.readModels.waitForProjections(['directory', 'ledger-lines'], query.minPosition);
    await this.mayRead(caller.actor, id);
    return this.ledger.queries.execute<GetLedgerQuery, Page<LedgerLineView>>(
      new GetLedgerQuery(id, query.limit ?? 100, query.cursor, query.minPosition),
    );
  }

  @Post('awards')
  @Answers(201, {
    entryId: 'a-7f3c',
    riderId: 'r-0001',
    activity: 'patrol',
    points: 20,
    balanceAfter: 20,
    ruleVersion: 1,
    position: 21,
  })
  @Refusals('NOT_FOUND', 'FUND_EXHAUSTED', 'RULE_VIOLATION')
  async award(@Body() body: AwardDto, @Ledger() caller: Caller): Promise<AwardResult> {
    return this.ledger.unwrap(
      await this.ledger.commands.execute<AwardPointsCommand, AwardResult>(
        new AwardPointsCommand(body, this.ledger.request(caller)),
      ),
    );
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
  @Refusals('NOT_FOUND', 'ALREADY_REVERSED', 'INSUFFICIENT_BALANCE', 'RULE_VIOLATION')
  async reverse(
    @Param('entryId') entryId: string,
    @Body() body: ReasonDto,
    @Ledger() caller: Caller,
  ): Promise<ReversalResult> {
    const entry = await this.ledger.queries.execute<GetEntryQuery, EntryView | undefined>(
      new GetEntryQuery(entryId, 'award'),
    );
    if (!entry) throw ProblemException.of(notFound(`award ${entryId}`));
    return this.ledger.unwrap(
      await this.ledger.commands.execute<ReverseAwardCommand, ReversalResult>(
        new ReverseAwardCommand(
          { riderId: entry.riderId, entryId, reason: body.reason },
          this.ledger.request(caller),
        ),
      ),
    );
  }

  /** Moves a rider to another community; points earned before stay on the old one's boards. */
  @Post('riders/:id/transfer')
  @Answers(200, { id: 'r-0001', communityId: 'dingshan-01', position: 40 })
  @Refusals('NOT_FOUND')
  @HttpCode(200)
  async transfer(@Param('id') id: string, @Body() body: TransferDto, @Ledger() caller: Caller) {
    if (caller.actor.role === 'staff' && !caller.actor.communityIds.includes(body.communityId))
      throw forbidden('staff may move riders only into their own communities');
    const written = await this.ledger.run(
      {
        kind: 'rider',
        id,
        command: { type: 'TransferRider', riderId: id, communityId: body.communityId },
      },
      caller,
      [{ kind: 'community', id: body.communityId }],
    );
    return { id, communityId: body.communityId, position: written.position };
  }

  /** Name and phone are gone for good; the rider's ledger stays and still verifies. */
  @Delete('riders/:id/personal-data')
  @ApiNoContentResponse({ description: 'Name and phone are erased for good.' })
  @Refusals('NOT_FOUND')
  @HttpCode(204)
  async erase(@Param('id') id: string, @Ledger() caller: Caller): Promise<void> {
    this.ledger.unwrap(
      await this.ledger.commands.execute<ErasePersonalDataCommand, { position: number }>(
        new ErasePersonalDataCommand(id, this.ledger.request(caller)),
      ),
    );
  }

  /**
   * Scope of reads (api.md): a rider reads only itself; staff the riders of their communities;
   * a station any rider's balance; admin and auditor everyone.
   */
  private async mayRead(actor: Actor, riderId: string): Promise<void> {
    if (actor.role === 'rider' && actor.riderId !== riderId)
      throw forbidden('a rider reads only its own records');
    if (actor.role !== 'staff') return;
    const { rows } = await this.readModels.read((q) =>
      q<{ community_id: string }>(
        `select community_id from ${this.readModels.schema}.riders where rider_id = $1`,
        [riderId],
      ),
    );
    if (rows.length > 0 && !actor.communityIds.includes(rows[0].community_id))
      throw forbidden('staff read only riders of their communities');
  }
}
