import {
  badgesDecider,
  checkImport,
  DomainError,
  importDecider,
  importStream,
  isDomainError,
  notFound,
  riderDecider,
  riderStream,
  say,
  BADGES_STREAM,
  upcastLedgerEvent,
  type AwardPoints,
  type DomainErrorCode,
  type ImportEvent,
  type ImportRow,
  type ImportState,
  type RiderCommand,
  type RowVerdict,
} from '@ledger/domain';
import { streamEvents, type EventStore } from '@ledger/event-store';
import type { ReadModels } from '@ledger/projections';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { RegisterRiderCommand } from '../commands/rider-registration';
import { EVENT_STORE, READ_MODELS } from '../infrastructure/tokens';
import { settleAward } from '../settlement/award';
import { settleRedemption } from '../settlement/redemption';
import { derivedId, type LedgerRequest } from '../write/ledger-request';
import { StreamWriter } from '../write/stream-writer';
import { importIdOf, readImportFile } from './import-file';
import { importedEntryId, importLedgerOf, inParallel } from './import-ledger';

/** Rows written between two records of progress in the import's stream. */
export const IMPORT_BATCH_ROWS = 500;
/** Riders written at once within a batch (each rider's rows one after another, in order). */
const WRITE_WIDTH = 64;

/** A file checked: every row's verdict, and what a confirmation would write. */
export interface ImportReport {
  importId: string;
  fileName: string;
  format: 'csv' | 'xlsx';
  rows: number;
  accepted: number;
  refused: number;
  /** Rows an earlier run of this file already wrote. */
  imported: number;
  verdicts: readonly RowVerdict[];
  toWrite: readonly ImportRow[];
}

/** Writes a confirmed import's rows; `onProgress` hears the rows written so far. */
export type Writing = (
  onProgress?: (written: number, total: number) => void,
) => Promise<ImportStatus | DomainError>;

/** Where an import stands, from its stream in the log. */
export interface ImportStatus {
  importId: string;
  fileName: string;
  status: 'writing' | 'stopped' | 'done';
  rows: number;
  toWrite: number;
  written: number;
  batches: number;
  confirmations: number;
  confirmedBy: string;
  confirmedAt: string;
  stopped?: ImportState['stopped'];
  completed?: ImportState['completed'];
}

/**
 * Imports a district's past history (issue 16): a file of riders, awards and redemptions with
 * their original dates. `check` reads and checks every row and writes nothing; `confirm` writes a
 * file whose check refused no row, named by its SHA-256, in batches, each row once whatever
 * happens (its events' ids are of the file and the row), and records each batch in the import's
 * stream, so a confirmation sent again after a crash goes on where the log shows it stopped.
 */
@Injectable()
export class Importer {
  private readonly logger = new Logger('imports');
  /**
   * Imports this process is confirming or writing in the background (`start`), by id: each the
   * answer its confirmation gave. Left when its writing ends.
   */
  private readonly writing = new Map<string, Promise<ImportStatus | DomainError>>();

  constructor(
    private readonly writer: StreamWriter,
    private readonly commands: CommandBus,
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(READ_MODELS) private readonly models: ReadModels,
  ) {}

  /**
   * Brings the read models up to date, for a process that follows none (the CLI): the check
   * finds a phone number's holder among the riders they hold.
   */
  async catchUpReadModels(): Promise<void> {
    await this.models.catchUp();
  }

  async check(
    content: Uint8Array,
    fileName: string,
    request: LedgerRequest,
  ): Promise<ImportReport | DomainError> {
    const importId = importIdOf(content);
    const file = await readImportFile(content, request.context);
    if (isDomainError(file)) return file;
    const parts = { writer: this.writer, store: this.store, models: this.models, request };
    const ledger = await importLedgerOf(file.rows, parts);
    const { verdicts, toWrite } = checkImport(file.rows, ledger);
    const count = (outcome: RowVerdict['outcome']) =>
      verdicts.filter((v) => v.outcome === outcome).length;
    return {
      ...{ importId, fileName, format: file.format, rows: verdicts.length },
      ...{ accepted: count('accepted'), refused: count('refused'), imported: count('imported') },
      verdicts,
      toWrite,
    };
  }

  /**
   * Writes the file `confirmed` names (its SHA-256, as its check answered) if every row is
   * accepted (or already imported). `onProgress` hears the rows written so far.
   */
  async confirm(
    content: Uint8Array,
    fileName: string,
    confirmed: string,
    request: LedgerRequest,
    onProgress?: (written: number, total: number) => void,
  ): Promise<{ report: ImportReport; status: ImportStatus } | DomainError> {
    const begun = await this.begin(content, fileName, confirmed, request);
    if (isDomainError(begun)) return begun;
    const status = await begun.write(onProgress);
    return isDomainError(status) ? status : { report: begun.report, status };
  }

  /**
   * The first half of `confirm`: checks the file again and records its confirmation in the
   * import's stream; `write` then writes its rows (the API runs it after answering).
   */
  async begin(
    content: Uint8Array,
    fileName: string,
    confirmed: string,
    request: LedgerRequest,
  ): Promise<{ report: ImportReport; write: Writing } | DomainError> {
    const importId = importIdOf(content);
    if (confirmed.toLowerCase() !== importId) return notThisFile(importId, confirmed);
    const report = await this.check(content, fileName, request);
    if (isDomainError(report)) return report;
    if (report.refused > 0)
      return new DomainError(
        'VALIDATION_FAILED',
        say`${report.refused} rows of the file are refused; correct them and check the file again`,
      );
    await this.record(importStream(importId), request, {
      type: 'ConfirmImport',
      ...{ importId, fileName, rows: report.rows, toWrite: report.toWrite.length },
      alreadyImported: report.imported,
    });
    return { report, write: (onProgress) => this.write(report, request, onProgress) };
  }

  private async write(
    report: ImportReport,
    request: LedgerRequest,
    onProgress: (written: number, total: number) => void = () => undefined,
  ): Promise<ImportStatus | DomainError> {
    const { importId, toWrite } = report;
    const stream = importStream(importId);
    const { state } = await this.writer.read(importDecider, stream, request.context.timeZone);
    let batch = state.batches;
    for (let from = 0; from < toWrite.length; from += IMPORT_BATCH_ROWS) {
      const rows = toWrite.slice(from, from + IMPORT_BATCH_ROWS);
      // One request per batch: its own correlation id, and the clock read as it starts (a long
      // import's events are recorded when they are, and go to the fund book open then).
      const correlationId = derivedId('import', importId, String(batch + 1));
      const context = { ...request.context, now: new Date() };
      const batchRequest = { ...request, context, correlationId };
      const refused = await this.writeBatch(importId, rows, batchRequest);
      if (refused) {
        await this.record(stream, batchRequest, { type: 'StopImport', importId, ...refused });
        return refusedAtWrite(refused);
      }
      batch++;
      const lastRow = rows[rows.length - 1].row;
      await this.record(stream, batchRequest, {
        type: 'RecordImportBatch',
        ...{ importId, batch, written: rows.length, lastRow },
      });
      onProgress(from + rows.length, toWrite.length);
    }
    const counted = (kind: ImportRow['kind']) =>
      report.verdicts.filter((v) => v.kind === kind && v.outcome !== 'refused').length;
    const done = {
      ...{ ...request, correlationId: derivedId('import', importId, 'completed') },
      context: { ...request.context, now: new Date() },
    };
    await this.record(stream, done, {
      type: 'CompleteImport',
      ...{ importId, riders: counted('rider'), awards: counted('award') },
      redemptions: counted('redemption'),
    });
    const status = await this.status(importId);
    if (!status) throw new Error(`import ${importId} written without its stream`);
    return status;
  }

  /**
   * Confirms the file (as `begin`) and writes it in the background, answering its record at
   * once: a file written before answers its record; one this process is confirming or writing is
   * not started twice (a confirmation sent meanwhile answers as the first). A write cut by a crash
   * or a stop leaves the record `writing` or `stopped`: the file sent again goes on from the rows
   * the log holds.
   */
  async start(
    content: Uint8Array,
    fileName: string,
    importId: string,
    request: LedgerRequest,
  ): Promise<ImportStatus | DomainError> {
    const id = importIdOf(content);
    if (importId.toLowerCase() !== id) return notThisFile(id, importId);
    // Set before any await: two confirmations of one file met in this process start one write.
    let started = this.writing.get(id);
    if (!started) {
      started = this.startWriting(content, fileName, id, request);
      this.writing.set(id, started);
    }
    const begun = await started;
    return isDomainError(begun) ? begun : this.recordOf(id);
  }

  /** `start`'s work: the record of a file written before, or its confirmation, then its writing. */
  private async startWriting(
    content: Uint8Array,
    fileName: string,
    id: string,
    request: LedgerRequest,
  ): Promise<ImportStatus | DomainError> {
    const forget = () => this.writing.delete(id);
    let launched = false;
    try {
      const before = await this.recordOf(id);
      if (!isDomainError(before) && before.status === 'done') {
        forget();
        return before;
      }
      const begun = await this.begin(content, fileName, id, request);
      if (isDomainError(begun)) {
        forget();
        return begun;
      }
      launched = true;
      begun
        .write()
        .then((outcome) => {
          if (isDomainError(outcome)) this.logger.warn(`import ${id} stopped: ${outcome.detail}`);
        })
        .catch((error: unknown) => this.logger.error(`import ${id} failed: ${String(error)}`))
        .finally(forget);
      return await this.recordOf(id);
    } catch (error) {
      if (!launched) forget(); // a write under way forgets itself when it ends
      throw error;
    }
  }

  /** The import's record, or NOT_FOUND. */
  async recordOf(importId: string): Promise<ImportStatus | DomainError> {
    const id = importId.toLowerCase();
    const status = /^[0-9a-f]{64}$/.test(id) ? await this.status(id) : undefined;
    return status ?? notFound(say`import ${id}`);
  }

  /** The import's progress and outcome, from its stream; undefined when no file was confirmed. */
  async status(importId: string): Promise<ImportStatus | undefined> {
    let state = importDecider.initialState();
    let confirmedBy = '';
    let confirmedAt = '';
    for await (const stored of streamEvents(this.store, importStream(importId))) {
      const event = upcastLedgerEvent<ImportEvent>(stored);
      state = importDecider.evolve(state, event);
      if (event.type === 'ImportConfirmed') {
        confirmedBy = principalOf(stored.metadata.actor);
        confirmedAt = stored.recordedAt.toISOString();
      }
    }
    if (!state.exists) return undefined;
    const { fileName, rows, toWrite, written, batches, confirmations, stopped, completed } = state;
    return {
      ...{ importId, fileName, rows, toWrite, written, batches, confirmations },
      status: completed ? 'done' : stopped ? 'stopped' : 'writing',
      ...{ confirmedBy, confirmedAt },
      ...(stopped && !completed && { stopped }),
      ...(completed && { completed }),
    };
  }

  private async record(
    stream: string,
    request: LedgerRequest,
    command: Parameters<typeof importDecider.decide>[0],
  ): Promise<void> {
    const written = await this.writer.execute(importDecider, stream, command, request);
    if (isDomainError(written)) throw new Error(`recording ${stream}: ${written.detail}`);
  }

  /** A batch's rows, riders in parallel; the first row refused (by a change since the check), if any. */
  private async writeBatch(
    importId: string,
    rows: readonly ImportRow[],
    request: LedgerRequest,
  ): Promise<{ row: number; code: string; reason: string } | undefined> {
    const byRider = new Map<string, ImportRow[]>();
    for (const row of rows) {
      const list = byRider.get(row.riderId);
      if (list) list.push(row);
      else byRider.set(row.riderId, [row]);
    }
    const refusals: { row: number; code: string; reason: string }[] = [];
    await inParallel(
      [...byRider.values()],
      async (riderRows) => {
        for (const row of riderRows) {
          const outcome = await this.writeRow(importId, row, request);
          if (!isDomainError(outcome)) continue;
          refusals.push({ row: row.row, code: outcome.code, reason: outcome.detail });
          return;
        }
      },
      WRITE_WIDTH,
    );
    return refusals.sort((a, b) => a.row - b.row)[0];
  }

  private async writeRow(
    importId: string,
    row: ImportRow,
    request: LedgerRequest,
  ): Promise<unknown> {
    const id = importedEntryId(row);
    const imported = { importId, row: row.row };
    if (row.kind === 'rider') {
      const { kind: _kind, row: _row, ...input } = row;
      return this.commands.execute(
        new RegisterRiderCommand({ ...input, registrationId: id, imported }, request),
      );
    }
    if (row.kind === 'award') return this.award(row, id, imported, request);
    const debit: Extract<RiderCommand, { type: 'MakeRedemption' }> = {
      type: 'MakeRedemption',
      ...{ redemptionId: id, riderId: row.riderId, stationId: row.stationId },
      items: [{ sku: row.item, quantity: row.quantity, pricePoints: row.points / row.quantity }],
      ...{ points: row.points, occurredAt: row.occurredAt, imported },
    };
    // Stock handed out years ago is not today's: the station's stock is left alone.
    return settleRedemption(this.writer, debit, request);
  }

  /** An award of the past: the file's points, outside today's rules (rule version 0), no cap. */
  private async award(
    row: Extract<ImportRow, { kind: 'award' }>,
    entryId: string,
    imported: { importId: string; row: number },
    request: LedgerRequest,
  ): Promise<unknown> {
    const { timeZone } = request.context;
    const badges = await this.writer.read(badgesDecider, BADGES_STREAM, timeZone);
    const { riderId, activity, points, fundId, reason, occurredAt } = row;
    const command: AwardPoints = {
      type: 'AwardPoints',
      ...{ entryId, riderId, activity, points, fundId, ruleVersion: 0, reason, occurredAt },
      source: 'import',
      badges: badges.state.badges,
      imported,
    };
    const rider = riderStream(riderId);
    const { decision } = await this.writer.dryRun(riderDecider, rider, command, request.context);
    if (isDomainError(decision)) return decision;
    return settleAward(this.writer, command, request, { reserve: decision.length > 0 });
  }
}

function refusedAtWrite(refused: { row: number; code: string; reason: string }): DomainError {
  return new DomainError(
    refused.code as DomainErrorCode,
    say`row ${refused.row} was refused while it was written (${refused.reason}); the rows written before it stay written: check the file again and confirm it to write the rest`,
  );
}

/** Who an event's metadata says acted ('' when it names nobody). */
function principalOf(actor: unknown): string {
  const id = (actor as { principalId?: unknown } | undefined)?.principalId;
  return typeof id === 'string' ? id : '';
}

function notThisFile(importId: string, confirmed: string): DomainError {
  return new DomainError(
    'VALIDATION_FAILED',
    say`this file's SHA-256 is ${importId}, not the ${confirmed} confirmed; check this file first`,
  );
}
