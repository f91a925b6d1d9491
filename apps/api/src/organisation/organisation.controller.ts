import { Body, Controller, Get, HttpCode, Param, Post, Put, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import {
  GetCommunityQuery,
  GetFundQuery,
  GetRulesQuery,
  ListBadgesQuery,
  ListCommunitiesQuery,
  ListFundsQuery,
  StreamCommand,
  type StreamKindName,
  type StreamTarget,
} from '@ledger/ledger';
import { DEFAULT_LIST_LIMIT, type FundView } from '@ledger/projections';
import { randomUUID } from 'node:crypto';
import { LedgerHttp, type Caller } from '../http/ledger-http';
import { Answers, Refusals } from '../http/openapi';
import { Ledger } from '../http/request-context';
import { ListQueryDto } from '../http/list-query.dto';
import {
  BadgesDto,
  CommunityListDto,
  CreateCommunityDto,
  CreateFundDto,
  RulesDto,
  TopUpDto,
} from './organisation.dto';
import { MinPositionDto } from './min-position.dto';

const COMMUNITY_EXAMPLE = {
  id: 'jijiang-aipingshan',
  name: '艾坪山社区',
  street: '几江街道',
  district: '江津区',
};
const BADGE_EXAMPLE = { id: 'bronze', name: '铜牌小哥', thresholdPoints: 500 };
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
  constructor(private readonly ledger: LedgerHttp) {}

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
    const { id = randomUUID(), name, street, district } = body;
    const command = { type: 'RegisterCommunity' as const, communityId: id, name, street, district };
    const written = await this.write({ kind: 'community', id, command }, caller);
    return { id, name, street, district, position: written.position };
  }

  /** Communities by district, street and name; staff and scoped verifiers see theirs only. */
  @Get('communities')
  @Answers(200, { items: [COMMUNITY_EXAMPLE], nextCursor: null })
  communities(@Query() query: CommunityListDto, @Ledger() caller: Caller) {
    const { district, street, limit = DEFAULT_LIST_LIMIT, cursor, minPosition } = query;
    return this.ledger.ask(
      new ListCommunitiesQuery(caller.actor, { district, street }, { limit, cursor }, minPosition),
    );
  }

  @Get('communities/:id')
  @Answers(200, COMMUNITY_EXAMPLE)
  @Refusals('NOT_FOUND')
  community(@Param('id') id: string, @Query() query: MinPositionDto) {
    return this.ledger.ask(new GetCommunityQuery(id, query.minPosition));
  }

  @Post('funds')
  @Answers(201, FUND_EXAMPLE)
  @Refusals('ALREADY_EXISTS')
  async createFund(@Body() body: CreateFundDto, @Ledger() caller: Caller) {
    const { id = randomUUID(), name, district, budgetPoints } = body;
    const command = { type: 'CreateFund' as const, fundId: id, name, district, budgetPoints };
    const written = await this.write({ kind: 'fund', id, command }, caller);
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

  /** Funds by district and id, each with its budget, awarded, reversed and remaining points. */
  @Get('funds')
  @Answers(200, { items: [FUND_EXAMPLE], nextCursor: null })
  funds(@Query() query: ListQueryDto, @Ledger() caller: Caller) {
    const { limit = DEFAULT_LIST_LIMIT, cursor, minPosition } = query;
    return this.ledger.ask(new ListFundsQuery(caller.actor, {}, { limit, cursor }, minPosition));
  }

  @Get('funds/:id')
  @Answers(200, FUND_EXAMPLE)
  @Refusals('NOT_FOUND')
  fund(@Param('id') id: string, @Query() query: MinPositionDto): Promise<FundView> {
    return this.ledger.ask(new GetFundQuery(id, query.minPosition));
  }

  @Post('funds/:id/top-ups')
  @Answers(201, { fundId: 'jiangjin-2026', points: 50000, budgetPoints: 1050000, position: 88 })
  @Refusals('NOT_FOUND')
  async topUp(@Param('id') id: string, @Body() body: TopUpDto, @Ledger() caller: Caller) {
    const { points, reason } = body;
    const command = { type: 'TopUpFund' as const, fundId: id, points, reason };
    const written = await this.write({ kind: 'fund', id, command }, caller);
    const { budgetPoints } = written.state;
    return { fundId: id, points, budgetPoints, position: written.position };
  }

  @Put('rules')
  @Answers(200, RULES_EXAMPLE)
  @Refusals('RULE_VIOLATION')
  @HttpCode(200)
  async setRules(@Body() body: RulesDto, @Ledger() caller: Caller) {
    const command = { type: 'SetRules' as const, rules: body.rules };
    const { state, position } = await this.write({ kind: 'rules', command }, caller);
    return { version: state.version, rules: [...state.rules.values()], position };
  }

  @Get('rules')
  @Answers(200, RULES_EXAMPLE)
  rules() {
    return this.ledger.ask(new GetRulesQuery());
  }

  /** The badge thresholds in force (earned points net of reversals). */
  @Get('badges')
  @Answers(200, { badges: [BADGE_EXAMPLE] })
  async badges() {
    const { badges } = await this.ledger.ask(new ListBadgesQuery());
    return { badges };
  }

  @Put('badges')
  @Answers(200, { version: 1, badges: [BADGE_EXAMPLE], position: 15 })
  @Refusals('RULE_VIOLATION')
  @HttpCode(200)
  async setBadges(@Body() body: BadgesDto, @Ledger() caller: Caller) {
    const command = { type: 'SetBadges' as const, badges: body.badges };
    const { state, position } = await this.write({ kind: 'badges', command }, caller);
    return { version: state.version, badges: state.badges, position };
  }

  private write<K extends StreamKindName>(target: StreamTarget<K>, caller: Caller) {
    return this.ledger.execute(new StreamCommand(target, this.ledger.request(caller)));
  }
}
