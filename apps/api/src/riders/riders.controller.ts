import { Body, Controller, Get, Inject, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { notFound, type Actor } from '@ledger/domain';
import {
  AwardPointsCommand,
  GetBalanceQuery,
  GetLedgerQuery,
  READ_MODELS,
  RegisterRiderCommand,
  type AwardResult,
} from '@ledger/ledger';
import type { BalanceView, LedgerLineView, Page, ReadModels } from '@ledger/projections';
import { randomUUID } from 'node:crypto';
import { LedgerHttp, type Caller } from '../http/ledger-http';
import { problemOf, ProblemException } from '../http/problem';
import { Ledger } from '../http/request-context';
import { MinPositionDto } from '../organisation/min-position.dto';
import { AwardDto, PageQueryDto, RegisterRiderDto } from './riders.dto';

/** Riders and their points: registration, reads scoped to who asks, awards. */
@ApiTags('riders')
@ApiBearerAuth()
@Controller('v1')
export class RidersController {
  constructor(
    private readonly ledger: LedgerHttp,
    @Inject(READ_MODELS) private readonly readModels: ReadModels,
  ) {}

  @Post('riders')
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

  @Get('riders/:id/balance')
  async balance(@Param('id') id: string, @Query() query: MinPositionDto, @Ledger() caller: Caller) {
    await this.mayRead(caller.actor, id);
    const balance = await this.ledger.queries.execute<GetBalanceQuery, BalanceView | undefined>(
      new GetBalanceQuery(id, query.minPosition),
    );
    if (!balance) throw ProblemException.of(notFound(`rider ${id}`));
    const checkpoints = await this.readModels.checkpoints();
    const position = checkpoints.find((c) => c.projection === 'balances')?.position ?? 0;
    return { ...balance, position };
  }

  @Get('riders/:id/ledger')
  async ledgerLines(
    @Param('id') id: string,
    @Query() query: PageQueryDto,
    @Ledger() caller: Caller,
  ) {
    await this.mayRead(caller.actor, id);
    return this.ledger.queries.execute<GetLedgerQuery, Page<LedgerLineView>>(
      new GetLedgerQuery(id, query.limit ?? 100, query.cursor, query.minPosition),
    );
  }

  @Post('awards')
  async award(@Body() body: AwardDto, @Ledger() caller: Caller): Promise<AwardResult> {
    return this.ledger.unwrap(
      await this.ledger.commands.execute<AwardPointsCommand, AwardResult>(
        new AwardPointsCommand(body, this.ledger.request(caller)),
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

function forbidden(detail: string): ProblemException {
  return new ProblemException(problemOf('FORBIDDEN', detail));
}
