import { Body, Controller, Get, HttpCode, Inject, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { notFound, riderDecider, riderStream, type Actor } from '@ledger/domain';
import {
  entryIdFor,
  READ_MODELS,
  ReportHazardCommand,
  StreamWriter,
  VerifyHazardCommand,
  type HazardFacts,
  type ReportResult,
  type VerificationResult,
} from '@ledger/ledger';
import type { ReadModels } from '@ledger/projections';
import { LedgerHttp, type Caller } from '../http/ledger-http';
import { Answers, Refusals } from '../http/openapi';
import { forbidden, ProblemException } from '../http/problem';
import { Ledger } from '../http/request-context';
import { pageByPosition } from './page';
import { HazardQueryDto, ReportHazardDto, VerificationDto } from './workflows.dto';

interface HazardRow {
  hazard_id: string;
  rider_id: string;
  community_id: string;
  category: string;
  description: string;
  lat: number;
  lng: number;
  occurred_at: Date;
  reported_at: Date;
  status: string;
  duplicate_of: string | null;
  severity: string | null;
  entry_id: string | null;
  escalated: boolean;
  position: string | number;
}

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
  constructor(
    private readonly ledger: LedgerHttp,
    private readonly writer: StreamWriter,
    @Inject(READ_MODELS) private readonly readModels: ReadModels,
  ) {}

  /** `duplicate` (with `duplicateOf`) when an open or confirmed report of the category is within 50 m and 24 h. */
  @Post()
  @Answers(201, { id: 'hz-20260615-001', status: 'submitted', position: 120 })
  @Refusals('NOT_FOUND', 'ALREADY_EXISTS', 'RULE_VIOLATION')
  async report(@Body() body: ReportHazardDto, @Ledger() caller: Caller): Promise<ReportResult> {
    const { actor } = caller;
    if (actor.role === 'rider' && actor.riderId !== body.riderId)
      throw forbidden('a rider reports hazards only as itself');
    if (actor.role === 'staff') {
      const rider = await this.writer.read(
        riderDecider,
        riderStream(body.riderId),
        this.ledger.config.timeZone,
      );
      if (rider.exists && !actor.communityIds.includes(rider.state.communityId))
        throw forbidden('staff report hazards only for riders of their communities');
    }
    const request = this.ledger.request(caller);
    const { id, ...report } = body;
    return this.ledger.unwrap(
      await this.ledger.commands.execute<ReportHazardCommand, ReportResult>(
        new ReportHazardCommand(
          { hazardId: id ?? entryIdFor(request, 'hazard'), ...report },
          request,
        ),
      ),
    );
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
  async verify(
    @Param('id') id: string,
    @Body() body: VerificationDto,
    @Ledger() caller: Caller,
  ): Promise<VerificationResult> {
    const found =
      (await this.find(id)) ?? (await this.readModels.waitForHead().then(() => this.find(id)));
    if (!found) throw ProblemException.of(notFound(`hazard ${id}`));
    if (!inScope(caller.actor, found.community_id))
      throw forbidden(`hazard ${id} is not in a community of ${caller.actor.principalId}`);
    const facts: HazardFacts = {
      riderId: found.rider_id,
      category: found.category,
      status: found.status,
      occurredAt: new Date(found.occurred_at).toISOString(),
    };
    return this.ledger.unwrap(
      await this.ledger.commands.execute<VerifyHazardCommand, VerificationResult>(
        new VerifyHazardCommand({ hazardId: id, ...body }, facts, this.ledger.request(caller)),
      ),
    );
  }

  /** Reports in filing order; staff and scoped verifiers see their communities' only. */
  @Get()
  @Answers(200, { items: [HAZARD_EXAMPLE], nextCursor: null })
  async list(@Query() query: HazardQueryDto, @Ledger() caller: Caller) {
    await this.readModels.waitForProjections(['hazards'], query.minPosition);
    const limit = query.limit ?? 100;
    const scoped = caller.actor.role === 'staff' || caller.actor.role === 'verifier';
    const communities =
      scoped && caller.actor.communityIds.length > 0 ? caller.actor.communityIds : null;
    const { rows } = await this.readModels.read((q) =>
      q<HazardRow>(
        `select * from ${this.readModels.schema}.hazards
         where position > $1 and ($2::text is null or status = $2)
           and ($3::text is null or community_id = $3)
           and ($4::text[] is null or community_id = any($4::text[]))
         order by position limit $5`,
        [
          Number(query.cursor ?? 0),
          query.status ?? null,
          query.communityId ?? null,
          communities,
          limit + 1,
        ],
      ),
    );
    return pageByPosition(rows, limit, viewOf);
  }

  private async find(id: string): Promise<HazardRow | undefined> {
    const { rows } = await this.readModels.read((q) =>
      q<HazardRow>(`select * from ${this.readModels.schema}.hazards where hazard_id = $1`, [id]),
    );
    return rows[0];
  }
}

/** Staff, and verifiers with communities, act on their communities' reports; admins on all. */
function inScope(actor: Actor, communityId: string): boolean {
  if (actor.role === 'admin') return true;
  if (actor.role === 'verifier' && actor.communityIds.length === 0) return true;
  return actor.communityIds.includes(communityId);
}

function viewOf(r: HazardRow) {
  return {
    id: r.hazard_id,
    riderId: r.rider_id,
    communityId: r.community_id,
    category: r.category,
    description: r.description,
    location: { lat: Number(r.lat), lng: Number(r.lng) },
    occurredAt: new Date(r.occurred_at).toISOString(),
    reportedAt: new Date(r.reported_at).toISOString(),
    status: r.status,
    duplicateOf: r.duplicate_of,
    severity: r.severity,
    entryId: r.entry_id,
    escalated: r.escalated,
  };
}
