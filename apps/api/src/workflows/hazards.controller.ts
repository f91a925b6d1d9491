import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import {
  ListHazardsQuery,
  ReportHazardCommand,
  VerifyHazardCommand,
  type ReportResult,
  type VerificationResult,
} from '@ledger/ledger';
import { LedgerHttp, type Caller } from '../http/ledger-http';
import { Answers, Refusals } from '../http/openapi';
import { Ledger } from '../http/request-context';
import { HazardQueryDto, ReportHazardDto, VerificationDto } from './workflows.dto';

const HAZARD_EXAMPLE = {
  id: 'hz-20260615-001',
  riderId: 'r-0001',
  communityId: 'jijiang-aipingshan',
  category: 'manhole_cover',
  description: '滨江路井盖破损',
  location: { lat: 29.2905, lng: 106.2594 },
  occurredAt: '2026-06-15T13:10:00.000Z',
  reportedAt: '2026-06-15T13:11:02.000Z',
  status: 'confirmed',
  duplicateOf: null,
  severity: 'major',
  entryId: '5f1c0a9e-1b2c-8d3e-a4f5-6a7b8c9d0e1f',
  escalated: false,
};

/** Hazard snap reports (随手拍): filed by riders or staff, graded by verifying units. */
@ApiTags('hazards')
@ApiBearerAuth()
@Controller('v1/hazards')
export class HazardsController {
  constructor(private readonly ledger: LedgerHttp) {}

  /** `duplicate` (with `duplicateOf`) when an open or confirmed report of the category is within 50 m and 24 h. */
  @Post()
  @Answers(201, { id: 'hz-20260615-001', status: 'submitted', position: 120 })
  @Refusals('NOT_FOUND', 'ALREADY_EXISTS', 'RULE_VIOLATION')
  report(@Body() body: ReportHazardDto, @Ledger() caller: Caller): Promise<ReportResult> {
    const { id, ...report } = body;
    const input = { ...(id !== undefined && { hazardId: id }), ...report };
    return this.ledger.execute(new ReportHazardCommand(input, this.ledger.request(caller)));
  }

  /** Confirms with a severity and a fund (awarding the reporter once), or rejects with a note. */
  @Post(':id/verification')
  @HttpCode(200)
  @Answers(200, {
    id: 'hz-20260615-001',
    status: 'confirmed',
    severity: 'major',
    award: {
      entryId: '5f1c0a9e-1b2c-8d3e-a4f5-6a7b8c9d0e1f',
      riderId: 'r-0001',
      activity: 'hazard_report',
      points: 50,
      balanceAfter: 900,
      ruleVersion: 3,
      position: 130,
    },
    position: 131,
  })
  @Refusals('NOT_FOUND', 'ALREADY_VERIFIED', 'FUND_EXHAUSTED', 'RULE_VIOLATION')
  verify(
    @Param('id') id: string,
    @Body() body: VerificationDto,
    @Ledger() caller: Caller,
  ): Promise<VerificationResult> {
    const input = { hazardId: id, ...body };
    return this.ledger.execute(new VerifyHazardCommand(input, this.ledger.request(caller)));
  }

  /** Reports in filing order; staff and scoped verifiers see their communities' only. */
  @Get()
  @Answers(200, { items: [HAZARD_EXAMPLE], nextCursor: null })
  list(@Query() query: HazardQueryDto, @Ledger() caller: Caller) {
    const { status, communityId, limit = 100, cursor, minPosition } = query;
    const filter = { status, communityId, limit, cursor };
    return this.ledger.ask(new ListHazardsQuery(caller.actor, filter, minPosition));
  }
}
