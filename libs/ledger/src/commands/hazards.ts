import {
  duplicateOf,
  hazardDecider,
  hazardFilingDecider,
  hazardFilingStream,
  hazardStream,
  isDomainError,
  notFound,
  riderDecider,
  riderStream,
  ruleViolation,
  DomainError,
  DUPLICATE_RADIUS_M,
  DUPLICATE_WINDOW_MS,
  STALE_FILING,
  type HazardFilingEvent,
  type HazardReport,
  type Location,
  type Severity,
} from '@ledger/domain';
import { Inject } from '@nestjs/common';
import { CommandBus, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import type { ReadModels } from '@ledger/projections';
import type { EventStore } from '@ledger/event-store';
import { EVENT_STORE, READ_MODELS } from '../infrastructure/tokens';
import { derivedId, type LedgerRequest } from '../write/ledger-request';
import { StreamWriter, toDomainEvent } from '../write/stream-writer';
import { AwardPointsCommand, type AwardResult } from './award-points';

/** Rounds of "judge, file, find the read model was behind, catch up" before giving up. */
const MAX_FILING_ATTEMPTS = 20;

export interface HazardInput {
  readonly hazardId: string;
  readonly riderId: string;
  readonly category: string;
  readonly description: string;
  readonly location: Location;
  readonly occurredAt: string;
}

export interface ReportResult {
  readonly id: string;
  readonly status: 'submitted' | 'duplicate';
  readonly duplicateOf?: string;
  readonly position: number;
}

export class ReportHazardCommand {
  constructor(
    readonly input: HazardInput,
    readonly request: LedgerRequest,
  ) {}
}

/**
 * Files a hazard report. Whether it duplicates an open or confirmed report of its category within
 * 50 m and 24 h is judged against the `hazards` read model; the filing states how many filings of
 * the category that answer included, and the category's filing stream refuses it when another
 * report was filed meanwhile. The loser of such a race waits for the read model to catch up and
 * judges again, so of two reports of one hazard only the first is `submitted`.
 */
@CommandHandler(ReportHazardCommand)
export class ReportHazardHandler implements ICommandHandler<
  ReportHazardCommand,
  ReportResult | DomainError
> {
  constructor(
    private readonly writer: StreamWriter,
    @Inject(READ_MODELS) private readonly models: ReadModels,
    @Inject(EVENT_STORE) private readonly store: EventStore,
  ) {}

  async execute({ input, request }: ReportHazardCommand): Promise<ReportResult | DomainError> {
    const rider = await this.writer.read(
      riderDecider,
      riderStream(input.riderId),
      request.context.timeZone,
    );
    if (!rider.exists) return notFound(`rider ${input.riderId}`);
    const occurredAt = new Date(input.occurredAt);
    if (occurredAt.getTime() > request.context.now.getTime())
      return ruleViolation('occurredAt is in the future');
    await this.models.waitForProjections(['hazards']);
    let seen = await this.nearby(input);
    for (let attempt = 0; attempt < MAX_FILING_ATTEMPTS; attempt++) {
      if (seen.existing) {
        const same =
          seen.existing.rider_id === input.riderId && seen.existing.category === input.category;
        if (!same)
          return new DomainError('ALREADY_EXISTS', `hazard ${input.hazardId} already exists`);
        return resultOf(input.hazardId, seen.existing);
      }
      const original = duplicateOf(
        { location: input.location, occurredAt: input.occurredAt },
        seen.candidates,
      );
      const report: HazardReport = {
        hazardId: input.hazardId,
        riderId: input.riderId,
        communityId: rider.state.communityId,
        category: input.category,
        description: input.description,
        location: { lat: input.location.lat, lng: input.location.lng },
        occurredAt: occurredAt.toISOString(),
        status: original === undefined ? 'submitted' : 'duplicate',
        ...(original !== undefined && { duplicateOf: original }),
      };
      const filed = await this.writer.execute(
        hazardFilingDecider,
        hazardFilingStream(input.category),
        { type: 'FileHazardReport', seenFilings: seen.filings, report },
        request,
      );
      if (isDomainError(filed)) {
        if (filed.detail !== STALE_FILING) return filed;
        seen = await this.withNewerFilings(input.category, seen);
        continue;
      }
      if (filed.position === undefined) throw new Error(`hazard ${input.hazardId} has no position`);
      if (filed.appended === 0) {
        await this.models.waitForHead(); // filed by an earlier attempt: answer from the read model
        seen = await this.nearby(input);
        continue;
      }
      return {
        id: input.hazardId,
        status: report.status,
        ...(original !== undefined && { duplicateOf: original }),
        position: filed.position,
      };
    }
    return new DomainError(
      'CONCURRENCY_CONFLICT',
      `hazard ${input.hazardId}: too many reports at once; retry`,
    );
  }

  /**
   * The filings the read model had not applied yet, read from the category's stream itself: they
   * are newer than any verification, so the originals among them are all still open.
   */
  private async withNewerFilings(category: string, seen: Nearby): Promise<Nearby> {
    const newer = await this.store.readStream(hazardFilingStream(category), {
      fromRevision: seen.filings,
    });
    const candidates = [...seen.candidates];
    let existing = seen.existing;
    for (const stored of newer) {
      const { data } = toDomainEvent<HazardFilingEvent>(stored);
      if (data.status === 'submitted') candidates.push(data);
      if (data.hazardId === seen.hazardId)
        existing = {
          rider_id: data.riderId,
          category: data.category,
          status: data.status,
          duplicate_of: data.duplicateOf ?? null,
          position: stored.position,
        };
    }
    return { ...seen, filings: seen.filings + newer.length, candidates, existing };
  }

  /**
   * In one statement (one snapshot): the category's filings the read model holds, the report if
   * it exists, and the open or confirmed reports of the category near in time and place.
   */
  private async nearby(input: HazardInput): Promise<Nearby> {
    const s = this.models.schema;
    const dLat = (DUPLICATE_RADIUS_M * 1.5) / 111_000;
    const dLng = dLat / Math.max(0.01, Math.cos((input.location.lat * Math.PI) / 180));
    const windowS = DUPLICATE_WINDOW_MS / 1000;
    const { rows } = await this.models.read((q) =>
      q<{
        filings: string | number | null;
        existing: ExistingRow | null;
        candidates: CandidateRow[] | null;
      }>(
        `select (select filings from ${s}.hazard_filings where category = $1) as filings,
           (select json_build_object('rider_id', rider_id, 'category', category, 'status', status,
              'duplicate_of', duplicate_of, 'position', position)
              from ${s}.hazards where hazard_id = $2) as existing,
           (select json_agg(json_build_object('hazardId', hazard_id, 'lat', lat, 'lng', lng,
              'occurredAt', occurred_at))
              from ${s}.hazards where category = $1 and status in ('submitted', 'confirmed')
                and lat between $3 and $4 and lng between $5 and $6
                and occurred_at between $7::timestamptz - make_interval(secs => $8)
                                    and $7::timestamptz + make_interval(secs => $8)) as candidates`,
        [
          input.category,
          input.hazardId,
          input.location.lat - dLat,
          input.location.lat + dLat,
          input.location.lng - dLng,
          input.location.lng + dLng,
          input.occurredAt,
          windowS,
        ],
      ),
    );
    const row = rows[0];
    const parse = <T>(v: T | string | null): T | null =>
      typeof v === 'string' ? (JSON.parse(v) as T) : v;
    return {
      hazardId: input.hazardId,
      filings: Number(row.filings ?? 0),
      existing: parse(row.existing),
      candidates: (parse(row.candidates) ?? []).map((c) => ({
        hazardId: c.hazardId,
        location: { lat: c.lat, lng: c.lng },
        occurredAt: new Date(c.occurredAt).toISOString(),
      })),
    };
  }
}

interface Nearby {
  hazardId: string;
  filings: number;
  existing: ExistingRow | null;
  candidates: { hazardId: string; location: Location; occurredAt: string }[];
}

interface ExistingRow {
  rider_id: string;
  category: string;
  status: string;
  duplicate_of: string | null;
  position: number;
}
interface CandidateRow {
  hazardId: string;
  lat: number;
  lng: number;
  occurredAt: string;
}

function resultOf(id: string, row: ExistingRow): ReportResult {
  return {
    id,
    status: row.status === 'duplicate' ? 'duplicate' : 'submitted',
    ...(row.duplicate_of !== null && { duplicateOf: row.duplicate_of }),
    position: Number(row.position),
  };
}

export interface VerificationInput {
  readonly hazardId: string;
  readonly outcome: 'confirmed' | 'rejected';
  readonly severity?: Severity;
  readonly fundId?: string;
  readonly note: string;
}

export interface VerificationResult {
  readonly id: string;
  readonly status: 'confirmed' | 'rejected';
  readonly severity: Severity | null;
  readonly award?: AwardResult;
  readonly position: number;
}

/** The report as the verification needs it (from the read model). */
export interface HazardFacts {
  readonly riderId: string;
  readonly category: string;
  readonly status: string;
  readonly occurredAt: string;
}

export class VerifyHazardCommand {
  constructor(
    readonly input: VerificationInput,
    readonly report: HazardFacts,
    readonly request: LedgerRequest,
  ) {}
}

/**
 * Confirms (awarding the reporter the rule's points for the severity, from the fund) or rejects a
 * report, once. The award's entry id is derived from the report, so a retried confirmation, or
 * two verifiers confirming at once, pay once; the award comes first so a refused award (fund
 * exhausted, a cap) leaves the report unverified.
 */
@CommandHandler(VerifyHazardCommand)
export class VerifyHazardHandler implements ICommandHandler<
  VerifyHazardCommand,
  VerificationResult | DomainError
> {
  constructor(
    private readonly writer: StreamWriter,
    private readonly commands: CommandBus,
  ) {}

  async execute({
    input,
    report,
    request,
  }: VerifyHazardCommand): Promise<VerificationResult | DomainError> {
    const stream = hazardStream(input.hazardId);
    const entryId = input.outcome === 'confirmed' ? derivedId('hazard', input.hazardId) : undefined;
    const verify = {
      type: 'VerifyHazard' as const,
      hazardId: input.hazardId,
      riderId: report.riderId,
      outcome: input.outcome,
      note: input.note,
      ...(input.severity !== undefined &&
        input.outcome === 'confirmed' && { severity: input.severity }),
      ...(input.fundId !== undefined && input.outcome === 'confirmed' && { fundId: input.fundId }),
      ...(entryId !== undefined && { entryId }),
    };
    const { decision } = await this.writer.dryRun(hazardDecider, stream, verify, request.context);
    if (isDomainError(decision)) return decision;
    let award: AwardResult | undefined;
    if (input.outcome === 'confirmed') {
      if (report.status === 'duplicate')
        return ruleViolation(
          `hazard ${input.hazardId} duplicates an earlier report and earns nothing`,
        );
      if (input.severity === undefined || input.fundId === undefined)
        return new DomainError('VALIDATION_FAILED', 'a confirmation needs a severity and a fundId');
      const awarded = await this.commands.execute<AwardPointsCommand, AwardResult | DomainError>(
        new AwardPointsCommand(
          {
            riderId: report.riderId,
            activity: 'hazard_report',
            severity: input.severity,
            fundId: input.fundId,
            reason: `随手拍 ${report.category}：${input.note}`.slice(0, 500),
            occurredAt: report.occurredAt,
            hazardId: input.hazardId,
            ...(entryId !== undefined && { entryId }),
          },
          request,
        ),
      );
      if (isDomainError(awarded)) return awarded;
      award = awarded;
    }
    const written = await this.writer.execute(hazardDecider, stream, verify, request);
    if (isDomainError(written)) return written;
    return {
      id: input.hazardId,
      status: input.outcome,
      severity: input.outcome === 'confirmed' ? (input.severity ?? null) : null,
      ...(award !== undefined && { award }),
      position: Math.max(written.position ?? 0, award?.position ?? 0),
    };
  }
}

export class EscalateHazardsCommand {
  constructor(
    readonly waitedHours: number,
    readonly request: LedgerRequest,
  ) {}
}

/** Escalates every report still unverified after `waitedHours` (idempotent: each once). */
@CommandHandler(EscalateHazardsCommand)
export class EscalateHazardsHandler implements ICommandHandler<EscalateHazardsCommand, number> {
  constructor(
    private readonly writer: StreamWriter,
    @Inject(READ_MODELS) private readonly models: ReadModels,
  ) {}

  async execute({ waitedHours, request }: EscalateHazardsCommand): Promise<number> {
    await this.models.waitForProjections(['hazards']); // every report this process filed is there
    const before = new Date(request.context.now.getTime() - waitedHours * 3_600_000);
    const { rows } = await this.models.read((q) =>
      q<{ hazard_id: string }>(
        `select hazard_id from ${this.models.schema}.hazards
         where status = 'submitted' and not escalated and reported_at < $1 order by hazard_id limit 1000`,
        [before.toISOString()],
      ),
    );
    let escalated = 0;
    for (const { hazard_id: hazardId } of rows) {
      const written = await this.writer.execute(
        hazardDecider,
        hazardStream(hazardId),
        { type: 'EscalateHazard', hazardId, waitedHours },
        request,
      );
      if (!isDomainError(written) && written.appended > 0) escalated++;
    }
    return escalated;
  }
}
