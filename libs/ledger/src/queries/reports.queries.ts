import {
  DomainError,
  isDomainError,
  reportPeriod,
  say,
  type Actor,
  type HazardFigures,
  type HazardRow,
  type ReportFigures,
  type ReportGroup,
  type ReportRow,
} from '@ledger/domain';
import { hazardsReport, pointsReport, type ReadModels } from '@ledger/projections';
import { Inject } from '@nestjs/common';
import { QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import type { LedgerConfig } from '../config/ledger-config';
import { LEDGER_CONFIG, READ_MODELS } from '../infrastructure/tokens';
import { caughtUp, ScopedQuery } from './read-query';

/** A points report (issue 17): its grouping and period, its rows and its totals. */
export interface PointsReport {
  groupBy: ReportGroup;
  period: string;
  /** The period's bounds in the district's time zone (`from` included, `to` not). */
  from: string;
  to: string;
  /** The communities it covers: a staff member's; absent for every community. */
  communities?: string[];
  rows: ReportRow[];
  totals: ReportFigures;
}

export class GetPointsReportQuery extends ScopedQuery<PointsReport | DomainError> {
  constructor(
    actor: Actor,
    readonly groupBy: ReportGroup,
    readonly period: string,
    minPosition?: number,
  ) {
    super(actor, minPosition);
  }
}

/**
 * Points awarded, reversed and redeemed, and riders active, by community, street, activity or
 * source, for a year or a month (by when each act happened, in LEDGER_TIME_ZONE), from the
 * ledger-lines read model. Staff see their communities only.
 */
@QueryHandler(GetPointsReportQuery)
export class GetPointsReportHandler implements IQueryHandler<GetPointsReportQuery> {
  constructor(
    @Inject(READ_MODELS) private readonly models: ReadModels,
    @Inject(LEDGER_CONFIG) private readonly config: LedgerConfig,
  ) {}

  async execute(query: GetPointsReportQuery): Promise<PointsReport | DomainError> {
    const { groupBy, period, actor } = query;
    const bounds = periodOf(period, this.config.timeZone);
    if (isDomainError(bounds)) return bounds;
    await caughtUp(this.models, query, ['ledger-lines', 'directory']);
    const communities = actor.role === 'staff' ? [...actor.communityIds] : undefined;
    const report = await pointsReport(this.models, { groupBy, ...bounds, communities });
    return {
      ...{ groupBy, period, from: bounds.from.toISOString(), to: bounds.to.toISOString() },
      ...(communities && { communities }),
      ...report,
    };
  }
}

/** Hazard reports of a period by category (issue 17): filed, duplicates, waiting, by outcome. */
export interface HazardsReport {
  period: string;
  from: string;
  to: string;
  communities?: string[];
  rows: HazardRow[];
  totals: HazardFigures;
}

export class GetHazardsReportQuery extends ScopedQuery<HazardsReport | DomainError> {
  constructor(
    actor: Actor,
    readonly period: string,
    minPosition?: number,
  ) {
    super(actor, minPosition);
  }
}

/** Hazard reports that happened in the period, by category, as they stand now; staff: theirs. */
@QueryHandler(GetHazardsReportQuery)
export class GetHazardsReportHandler implements IQueryHandler<GetHazardsReportQuery> {
  constructor(
    @Inject(READ_MODELS) private readonly models: ReadModels,
    @Inject(LEDGER_CONFIG) private readonly config: LedgerConfig,
  ) {}

  async execute(query: GetHazardsReportQuery): Promise<HazardsReport | DomainError> {
    const { period, actor } = query;
    const bounds = periodOf(period, this.config.timeZone);
    if (isDomainError(bounds)) return bounds;
    await caughtUp(this.models, query, ['hazards']);
    const communities = actor.role === 'staff' ? [...actor.communityIds] : undefined;
    const report = await hazardsReport(this.models, { ...bounds, communities });
    return {
      ...{ period, from: bounds.from.toISOString(), to: bounds.to.toISOString() },
      ...(communities && { communities }),
      ...report,
    };
  }
}

/** A report's period's bounds, or why it is not one. */
function periodOf(period: string, timeZone: string): { from: Date; to: Date } | DomainError {
  return (
    reportPeriod(period, timeZone) ??
    new DomainError(
      'VALIDATION_FAILED',
      say`period must be a year (2026) or a month (2026-03) from 2000 on, not ${period}`,
    )
  );
}

export const REPORT_QUERY_HANDLERS = [GetPointsReportHandler, GetHazardsReportHandler];
