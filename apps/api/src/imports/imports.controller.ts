import { Body, Controller, Get, HttpCode, Param, Post, Put, Query, Req, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiConsumes, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { IsOptional, MaxLength } from 'class-validator';
import { DomainError, say } from '@ledger/domain';
import {
  CheckImportQuery,
  ImportStatusQuery,
  StartImportCommand,
  type ImportStatus,
} from '@ledger/ledger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { IMPORT_PATH, IMPORT_TYPES } from '../http/framework-errors';
import { languageOf } from '../http/i18n/language';
import { inWords } from '../http/i18n/validation-words';
import { LedgerHttp, type Caller } from '../http/ledger-http';
import { Answers, Refusals } from '../http/openapi';
import { ProblemException } from '../http/problem';
import { Ledger } from '../http/request-context';
import { importReportJson } from './import-report';

const SHA = '6f87e5f6c95e44b8af936ff4306920d66c9524a4e9dbceb0f6976dfd248035e7';

export class ImportQueryDto {
  @ApiPropertyOptional({
    example: '江津区2024年积分台账.xlsx',
    description: 'the file’s name, kept in the import’s record (`upload` when absent)',
  })
  @IsOptional()
  @MaxLength(200, inWords((p) => say`${p} must be at most 200 characters`))
  fileName?: string;
}

const STATUS: ImportStatus = {
  importId: SHA,
  fileName: '江津区2024年积分台账.xlsx',
  status: 'writing',
  rows: 31_204,
  toWrite: 31_204,
  written: 12_500,
  batches: 25,
  confirmations: 1,
  confirmedBy: 'admin',
  confirmedAt: '2026-12-05T09:30:00.000Z',
};

/**
 * Imports of a district's past history (issue 16): the file is the body (CSV or .xlsx). POST
 * checks it, a report of every row and nothing written; PUT at its SHA-256 (the id the report
 * gave) writes it in the background (202), its progress at GET /v1/imports/{id}.
 */
@ApiTags('imports')
@ApiBearerAuth()
@Controller('v1/imports')
export class ImportsController {
  constructor(private readonly ledger: LedgerHttp) {}

  @Post()
  @HttpCode(200)
  @ApiConsumes(...IMPORT_TYPES)
  @ApiBody({ schema: { type: 'string', format: 'binary' } })
  @Answers(
    200,
    {
      importId: SHA,
      fileName: '江津区2024年积分台账.csv',
      format: 'csv',
      rows: 3,
      accepted: 2,
      refused: 1,
      imported: 0,
      items: [
        { row: 2, kind: 'rider', riderId: 'jj-r0001', outcome: 'accepted' },
        {
          row: 3,
          kind: 'award',
          riderId: 'jj-r0001',
          occurredAt: '2024-03-05T04:00:00.000Z',
          points: 20,
          outcome: 'accepted',
        },
        {
          row: 4,
          kind: 'redemption',
          riderId: 'jj-r0001',
          occurredAt: '2024-03-01T04:00:00.000Z',
          points: 150,
          outcome: 'refused',
          code: 'INSUFFICIENT_BALANCE',
          reason: 'the redemption takes 150 points; the balance on that date is 0',
        },
      ],
    },
    'The check: every row’s verdict; nothing written.',
  )
  @Refusals('VALIDATION_FAILED')
  async check(
    @Body() body: unknown,
    @Query() query: ImportQueryDto,
    @Ledger() caller: Caller,
    @Req() http: FastifyRequest,
  ) {
    const request = this.ledger.request(caller);
    const check = new CheckImportQuery(fileOf(body), query.fileName ?? 'upload', request);
    const report = await this.ledger.ask(check);
    return importReportJson(report, languageOf(http.headers['accept-language']));
  }

  /**
   * Writes the file whose SHA-256 is `id` (as its check answered), after checking it again: 202
   * at once, the rows written in the background. A file written before answers its record.
   */
  @Put(':id')
  @HttpCode(202)
  @ApiConsumes(...IMPORT_TYPES)
  @ApiBody({ schema: { type: 'string', format: 'binary' } })
  @Answers(202, STATUS, 'Confirmed: the rows are being written (`Location`: its progress).', {
    optional: ['completed'],
  })
  @Refusals('VALIDATION_FAILED')
  async confirm(
    @Param('id') id: string,
    @Body() body: unknown,
    @Query() query: ImportQueryDto,
    @Ledger() caller: Caller,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    const request = this.ledger.request(caller);
    const fileName = query.fileName ?? 'upload';
    const start = new StartImportCommand(fileOf(body), fileName, id, request);
    const status = await this.ledger.execute(start);
    void reply.header('Location', `${IMPORT_PATH}/${status.importId}`);
    return status;
  }

  @Get(':id')
  @Answers(
    200,
    {
      ...STATUS,
      status: 'done',
      written: 31_204,
      completed: { riders: 1500, awards: 29_204, redemptions: 500 },
    },
    'Done.',
    {
      optional: ['completed'],
    },
  )
  @Refusals('NOT_FOUND')
  status(@Param('id') id: string) {
    return this.ledger.ask(new ImportStatusQuery(id));
  }
}

/** The request's body as the file it must be. */
function fileOf(body: unknown): Buffer {
  if (Buffer.isBuffer(body) && body.length > 0) return body;
  throw ProblemException.of(
    new DomainError(
      'VALIDATION_FAILED',
      say`send the file as the body, as text/csv, application/vnd.openxmlformats-officedocument.spreadsheetml.sheet or application/octet-stream`,
    ),
  );
}
