import { Controller, Get, Headers, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiProperty, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { IsIn, IsOptional, Matches } from 'class-validator';
import { REPORT_GROUPS, say, type ReportGroup } from '@ledger/domain';
import {
  formatRows,
  GetHazardsReportQuery,
  GetPointsReportQuery,
  type HazardsReport,
  type PointsReport,
} from '@ledger/ledger';
import type { FastifyReply } from 'fastify';
import { inWords } from '../http/i18n/validation-words';
import { LedgerHttp, type Caller } from '../http/ledger-http';
import { Answers, Refusals } from '../http/openapi';
import { Ledger } from '../http/request-context';
import { MinPositionDto } from '../organisation/min-position.dto';

export class PeriodQueryDto extends MinPositionDto {
  @ApiProperty({ example: '2026', description: 'a year (YYYY) or a month (YYYY-MM)' })
  @Matches(/^\d{4}(-\d{2})?$/, inWords((p) => say`${p} must be YYYY or YYYY-MM`))
  period!: string;
}

export class PointsReportQueryDto extends PeriodQueryDto {
  @ApiPropertyOptional({ enum: REPORT_GROUPS, default: 'community' })
  @IsOptional()
  @IsIn(REPORT_GROUPS)
  groupBy?: ReportGroup;
}

const REPORT: PointsReport = {
  groupBy: 'community',
  period: '2026-03',
  from: '2026-02-28T16:00:00.000Z',
  to: '2026-03-31T16:00:00.000Z',
  communities: ['jijiang-aipingshan', 'jijiang-binjiang'],
  rows: [
    { key: 'jijiang-aipingshan', awarded: 1240, reversed: 20, redeemed: 300, riders: 31 },
    { key: 'jijiang-binjiang', awarded: 860, reversed: 0, redeemed: 150, riders: 22 },
  ],
  totals: { awarded: 2100, reversed: 20, redeemed: 450, riders: 53 },
};

const HAZARDS: HazardsReport = {
  period: '2026',
  from: '2025-12-31T16:00:00.000Z',
  to: '2026-12-31T16:00:00.000Z',
  communities: ['jijiang-aipingshan'],
  rows: [
    {
      category: '井盖破损',
      ...{ reported: 42, duplicates: 6, waiting: 3, rejected: 5 },
      ...{ minor: 15, moderate: 10, major: 3 },
    },
  ],
  totals: {
    ...{ reported: 42, duplicates: 6, waiting: 3, rejected: 5 },
    ...{ minor: 15, moderate: 10, major: 3 },
  },
};

/** A report's answer as CSV (on `Accept: text/csv`), as the OpenAPI document shows it. */
const asCsv = (example: string) => ({ 'text/csv': { schema: { type: 'string' }, example } });

/**
 * Reports upward (issue 17), for a period: points by community, street, activity or source, and
 * hazard reports by category; each as JSON or as CSV.
 */
@ApiTags('reports')
@ApiBearerAuth()
@Controller('v1/reports')
export class ReportsController {
  constructor(private readonly ledger: LedgerHttp) {}

  /**
   * Points awarded, reversed (reversals made in the period) and redeemed (net of cancellations),
   * and riders active, per group, with totals; by when each act happened. `Accept: text/csv`
   * answers the rows as CSV, the totals last (key `total`).
   */
  @Get('points')
  @Answers(
    200,
    REPORT,
    'The report.',
    { optional: ['communities'] },
    asCsv(
      'key,awarded,reversed,redeemed,riders\njijiang-aipingshan,1240,20,300,31\n' +
        'jijiang-binjiang,860,0,150,22\ntotal,2100,20,450,53\n',
    ),
  )
  @Refusals('VALIDATION_FAILED')
  async points(
    @Query() query: PointsReportQueryDto,
    @Ledger() caller: Caller,
    @Headers('accept') accept: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    const { groupBy = 'community', period, minPosition } = query;
    const report = await this.ledger.ask(
      new GetPointsReportQuery(caller.actor, groupBy, period, minPosition),
    );
    if (!wantsCsv(reply, accept)) return report;
    return csvAnswer(reply, [...report.rows, { key: 'total', ...report.totals }]);
  }

  /**
   * Hazard reports (随手拍) that happened in the period, by category, as they stand now: filed,
   * duplicates, waiting, rejected, and confirmed by severity. Staff see their communities only.
   * `Accept: text/csv` answers the rows as CSV, the totals last (category `total`).
   */
  @Get('hazards')
  @Answers(
    200,
    HAZARDS,
    'The report.',
    { optional: ['communities'] },
    asCsv(
      'category,reported,duplicates,waiting,rejected,minor,moderate,major\n' +
        '井盖破损,42,6,3,5,15,10,3\ntotal,42,6,3,5,15,10,3\n',
    ),
  )
  @Refusals('VALIDATION_FAILED')
  async hazards(
    @Query() query: PeriodQueryDto,
    @Ledger() caller: Caller,
    @Headers('accept') accept: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    const report = await this.ledger.ask(
      new GetHazardsReportQuery(caller.actor, query.period, query.minPosition),
    );
    if (!wantsCsv(reply, accept)) return report;
    return csvAnswer(reply, [...report.rows, { category: 'total', ...report.totals }]);
  }
}

/**
 * A report's rows as CSV with the ledger's own writer (exports): a header of the rows' fields,
 * cells safe in a spreadsheet, one line each.
 */
async function csvAnswer(reply: FastifyReply, rows: readonly object[]): Promise<string> {
  void reply.header('content-type', 'text/csv; charset=utf-8');
  const lines: string[] = [];
  const records: Record<string, unknown>[] = rows.map((row) => ({ ...row }));
  for await (const line of formatRows(records, 'csv')) lines.push(line);
  return `${lines.join('\n')}\n`;
}

/**
 * Whether the client asks for CSV before JSON (a browser's or spreadsheet's download). The answer
 * depends on `Accept`, and says so (`Vary`), so no cache hands one's CSV to another's JSON.
 */
function wantsCsv(reply: FastifyReply, accept: string | undefined): boolean {
  void reply.header('vary', 'Accept');
  const types = (accept ?? '').split(',').map((t) => t.split(';')[0].trim().toLowerCase());
  const csv = types.indexOf('text/csv');
  const json = types.indexOf('application/json');
  return csv !== -1 && (json === -1 || csv < json);
}
