import { Body, Controller, Get, HttpCode, Inject, Param, Post, Put, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import {
  badgesDecider,
  notFound,
  rulesDecider,
  BADGES_STREAM,
  RULES_STREAM,
  type ActivityRule,
} from '@ledger/domain';
import { GetFundQuery, READ_MODELS, StreamWriter } from '@ledger/ledger';
import type { FundView, ReadModels } from '@ledger/projections';
import { randomUUID } from 'node:crypto';
import { LedgerHttp, type Caller } from '../http/ledger-http';
import { ProblemException } from '../http/problem';
import { Answers, Refusals } from '../http/openapi';
import { Ledger } from '../http/request-context';
import {
  BadgesDto,
  CreateCommunityDto,
  CreateFundDto,
  RulesDto,
  TopUpDto,
} from './organisation.dto';
import { MinPositionDto } from './min-position.dto';

const FUND_EXAMPLE = {
  id: 'jiangjin-2026',
  name: '江津区小哥志愿积分专项资金',
  district: '江津区',
  budgetPoints: 1000000,
  awardedPoints: 120000,
  reversedPoints: 300,
  remainingPoints: 880300,
};
const RULES_EXAMPLE = {
  version: 1,
  rules: [
    { activity: 'patrol', points: 20, maxPointsPerRiderPerDay: 60 },
    { activity: 'hazard_report', pointsBySeverity: { minor: 5, moderate: 20, major: 50 } },
  ],
};

/** Communities, funds, the point rules and badge thresholds: the district administrator's routes. */
@ApiTags('organisation')
@ApiBearerAuth()
@Controller('v1')
export class OrganisationController {
  constructor(
    private readonly ledger: LedgerHttp,
    private readonly writer: StreamWriter,
    @Inject(READ_MODELS) private readonly readModels: ReadModels,
  ) {}

  @Post('communities')
  @Answers(201, {
    id: 'jijiang-aipingshan',
    name: '艾坪山社区',
    street: '几江街道',
    district: '江津区',
    position: 12,
  })
  @Refusals('ALREADY_EXISTS')
  async createCommunity(@Body() body: CreateCommunityDto, @Ledger() caller: Caller) {
    const id = body.id ?? randomUUID();
    const { name, street, district } = body;
    const written = await this.ledger.run(
      {
        kind: 'community',
        id,
        command: { type: 'RegisterCommunity', communityId: id, name, street, district },
      },
      caller,
    );
    return { id, name, street, district, position: written.position };
  }

  @Get('communities/:id')
  @Answers(200, {
    id: 'jijiang-aipingshan',
    name: '艾坪山社区',
    street: '几江街道',
    district: '江津区',
  })
  @Refusals('NOT_FOUND')
  async community(@Param('id') id: string, @Query() query: MinPositionDto) {
    await this.readModels.waitForProjections(['directory'], query.minPosition);
    const { rows } = await this.readModels.read((q) =>
      q<{ community_id: string; name: string; street: string; district: string }>(
        `select * from ${this.readModels.schema}.communities where community_id = $1`,
        [id],
      ),
    );
    if (rows.length === 0) throw ProblemException.of(notFound(`community ${id}`));
    const { community_id, ...rest } = rows[0];
    return { id: community_id, ...rest };
  }

  @Post('funds')
  @Answers(201, FUND_EXAMPLE)
  @Refusals('ALREADY_EXISTS')
  async createFund(@Body() body: CreateFundDto, @Ledger() caller: Caller) {
    const id = body.id ?? randomUUID();
    const { name, district, budgetPoints } = body;
    const written = await this.ledger.run(
      {
        kind: 'fund',
        id,
        command: { type: 'CreateFund', fundId: id, name, district, budgetPoints },
      },
      caller,
    );
    return {
      id,
      name,
      district,
      budgetPoints,
      awardedPoints: 0,
      reversedPoints: 0,
      remainingPoints: budgetPoints,
      position: written.position,
    };
  }

  @Get('funds/:id')
  @Answers(200, FUND_EXAMPLE)
  @Refusals('NOT_FOUND')
  async fund(@Param('id') id: string, @Query() query: MinPositionDto): Promise<FundView> {
    const fund = await this.ledger.queries.execute<GetFundQuery, FundView | undefined>(
      new GetFundQuery(id, query.minPosition),
    );
    if (!fund) throw ProblemException.of(notFound(`fund ${id}`));
    return fund;
  }

  @Post('funds/:id/top-ups')
  @Answers(201, { fundId: 'jiangjin-2026', points: 50000, budgetPoints: 1050000, position: 88 })
  @Refusals('NOT_FOUND')
  async topUp(@Param('id') id: string, @Body() body: TopUpDto, @Ledger() caller: Caller) {
    const written = await this.ledger.run(
      {
        kind: 'fund',
        id,
        command: { type: 'TopUpFund', fundId: id, points: body.points, reason: body.reason },
      },
      caller,
    );
    const state = written.state as { budgetPoints: number };
    return {
      fundId: id,
      points: body.points,
      budgetPoints: state.budgetPoints,
      position: written.position,
    };
  }

  @Put('rules')
  @Answers(200, RULES_EXAMPLE)
  @Refusals('RULE_VIOLATION')
  @HttpCode(200)
  async setRules(@Body() body: RulesDto, @Ledger() caller: Caller) {
    const written = await this.ledger.run(
      { kind: 'rules', command: { type: 'SetRules', rules: body.rules } },
      caller,
    );
    const state = written.state as { version: number; rules: ReadonlyMap<string, ActivityRule> };
    return { version: state.version, rules: [...state.rules.values()], position: written.position };
  }

  @Get('rules')
  @Answers(200, RULES_EXAMPLE)
  async rules() {
    const { state } = await this.writer.read(
      rulesDecider,
      RULES_STREAM,
      this.ledger.config.timeZone,
      { fresh: true },
    );
    return { version: state.version, rules: [...state.rules.values()] };
  }

  @Put('badges')
  @Answers(200, {
    version: 1,
    badges: [{ id: 'bronze', name: '铜牌小哥', thresholdPoints: 500 }],
    position: 15,
  })
  @Refusals('RULE_VIOLATION')
  @HttpCode(200)
  async setBadges(@Body() body: BadgesDto, @Ledger() caller: Caller) {
    const written = await this.ledger.run(
      { kind: 'badges', command: { type: 'SetBadges', badges: body.badges } },
      caller,
    );
    const { state } = await this.writer.read(
      badgesDecider,
      BADGES_STREAM,
      this.ledger.config.timeZone,
    );
    return { version: state.version, badges: state.badges, position: written.position };
  }
}
