import {
  duplicateOf,
  hazardFilingDecider,
  hazardFilingStream,
  isDomainError,
  notFound,
  riderAsItself,
  riderDecider,
  riderStream,
  riderSubject,
  ruleViolation,
  staffInCommunity,
  upcastLedgerEvent,
  DomainError,
  STALE_FILING,
  type HazardFilingEvent,
  type HazardReport,
  type KeptText,
  type Location,
  say,
} from '@ledger/domain';
import type { EventStore } from '@ledger/event-store';
import {
  hazardOf,
  nearbyReports,
  type FiledReport,
  type Nearby,
  type ReadModels,
} from '@ledger/projections';
import { Inject } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { LedgerCommand } from './ledger-command';
import { EVENT_STORE, READ_MODELS } from '../infrastructure/tokens';
import { KeptTexts } from '../personal-data/kept-texts';
import { entryIdFor, type LedgerRequest } from '../write/ledger-request';
import { StreamWriter } from '../write/stream-writer';

/** Rounds of "judge, file, find the read model was behind, catch up" before giving up. */
const MAX_FILING_ATTEMPTS = 20;

export interface HazardInput {
  /** Chosen by the client, or derived from its idempotency key (else random). */
  readonly hazardId?: string;
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

export class ReportHazardCommand extends LedgerCommand<HazardInput, ReportResult | DomainError> {}

type Report = HazardInput & { readonly hazardId: string };

/**
 * Files a hazard report. Whether it duplicates an open or confirmed report of its category within
 * 50 m and 24 h is judged against the `hazards` read model; the filing states how many filings of
 * the category that answer included, and the category's filing stream refuses it when another
 * report was filed meanwhile. The loser of such a race reads the newer filings and judges again,
 * so of two reports of one hazard only the first is `submitted`.
 */
@CommandHandler(ReportHazardCommand)
export class ReportHazardHandler implements ICommandHandler<ReportHazardCommand> {
  constructor(
    private readonly writer: StreamWriter,
    @Inject(READ_MODELS) private readonly models: ReadModels,
    @Inject(EVENT_STORE) private readonly store: EventStore,
    private readonly texts: KeptTexts,
  ) {}

  async execute({ input, request }: ReportHazardCommand) {
    const report: Report = { ...input, hazardId: input.hazardId ?? entryIdFor(request, 'hazard') };
    const { actor, timeZone, now } = request.context;
    const notSelf = riderAsItself(actor, report.riderId);
    if (notSelf) return notSelf;
    const rider = await this.writer.read(riderDecider, riderStream(report.riderId), timeZone);
    if (!rider.exists) return notFound(say`rider ${report.riderId}`);
    const outOfScope = staffInCommunity(actor, rider.state.communityId, say`report hazards`);
    if (outOfScope) return outOfScope;
    if (Date.parse(report.occurredAt) > now.getTime())
      return ruleViolation(say`occurredAt is in the future`);
    await this.models.waitForProjections(['hazards']);
    const description = await this.texts.keep(riderSubject(report.riderId), report.description);
    // A failed append may have been stored: the text stays then (unnamed, nothing shows it).
    const filed = await this.fileJudged(report, description, rider.state.communityId, request);
    if (filed.byOther && !(await this.names(report.hazardId, description)))
      await this.texts.forget(description.textId);
    return filed.answer;
  }

  /**
   * Whether the filed report names this text after all: an append whose outcome was unknown,
   * retried, may have stored it, and the filing then reads as an earlier one's.
   */
  private async names(hazardId: string, description: KeptText): Promise<boolean> {
    const filed = await hazardOf(this.models, hazardId);
    return filed?.descriptionTextId === description.textId;
  }

  /** The answer, and whether it is another filing's (a retry's, or a refusal): the text is unused. */
  private async fileJudged(
    input: Report,
    description: KeptText,
    communityId: string,
    request: LedgerRequest,
  ): Promise<{ answer: ReportResult | DomainError; byOther: boolean }> {
    const byOther = (answer: ReportResult | DomainError) => ({ answer, byOther: true });
    let seen = await nearbyReports(this.models, input);
    for (let attempt = 0; attempt < MAX_FILING_ATTEMPTS; attempt++) {
      if (seen.existing) return byOther(answerForFiled(input, seen.existing));
      const report = judged(input, description, communityId, seen);
      const filed = await this.writer.execute(
        hazardFilingDecider,
        hazardFilingStream(input.category),
        { type: 'FileHazardReport', seenFilings: seen.filings, report },
        request,
      );
      if (isDomainError(filed)) {
        if (filed.said !== STALE_FILING) return byOther(filed);
        seen = await this.withNewerFilings(input, seen);
        continue;
      }
      if (filed.position === undefined) throw new Error(`hazard ${input.hazardId} has no position`);
      if (filed.appended === 0) {
        await this.models.waitForHead(); // filed by an earlier attempt: answer from the read model
        seen = await nearbyReports(this.models, input);
        continue;
      }
      const { status, duplicateOf } = report;
      const answer = {
        id: input.hazardId,
        status,
        ...(duplicateOf && { duplicateOf }),
        position: filed.position,
      };
      return { answer, byOther: false };
    }
    return byOther(
      new DomainError(
        'CONCURRENCY_CONFLICT',
        say`hazard ${input.hazardId}: too many reports at once; retry`,
      ),
    );
  }

  /**
   * The filings the read model had not applied yet, read from the category's stream itself: they
   * are newer than any verification, so the originals among them are all still open.
   */
  private async withNewerFilings(input: Report, seen: Nearby): Promise<Nearby> {
    const newer = await this.store.readStream(hazardFilingStream(input.category), {
      fromRevision: seen.filings,
    });
    const candidates = [...seen.candidates];
    let existing = seen.existing;
    for (const stored of newer) {
      const { data } = upcastLedgerEvent<HazardFilingEvent>(stored);
      if (data.status === 'submitted') candidates.push(data);
      if (data.hazardId === input.hazardId)
        existing = {
          rider_id: data.riderId,
          category: data.category,
          status: data.status,
          duplicate_of: data.duplicateOf ?? null,
          position: stored.position,
        };
    }
    return { filings: seen.filings + newer.length, candidates, existing };
  }
}

/** The report as filed: an original, or a duplicate of the nearest earlier one. */
function judged(
  input: Report,
  description: KeptText,
  communityId: string,
  seen: Nearby,
): HazardReport {
  const original = duplicateOf(
    { location: input.location, occurredAt: input.occurredAt },
    seen.candidates,
  );
  return {
    hazardId: input.hazardId,
    riderId: input.riderId,
    communityId,
    category: input.category,
    description,
    location: { lat: input.location.lat, lng: input.location.lng },
    occurredAt: new Date(input.occurredAt).toISOString(),
    status: original === undefined ? 'submitted' : 'duplicate',
    ...(original !== undefined && { duplicateOf: original }),
  };
}

/** A report already filed under this id: the same report again (a retry), or another's id. */
function answerForFiled(input: Report, filed: FiledReport): ReportResult | DomainError {
  if (filed.rider_id !== input.riderId || filed.category !== input.category)
    return new DomainError('ALREADY_EXISTS', say`hazard ${input.hazardId} already exists`);
  return {
    id: input.hazardId,
    status: filed.status === 'duplicate' ? 'duplicate' : 'submitted',
    ...(filed.duplicate_of !== null && { duplicateOf: filed.duplicate_of }),
    position: Number(filed.position),
  };
}
