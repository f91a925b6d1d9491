import {
  columnOf,
  DomainError,
  readImportRow,
  rowKindOf,
  say,
  type Cell,
  type ImportColumn,
  type ImportRow,
  type UnreadRow,
} from '@ledger/domain';
import { parse } from 'csv-parse/sync';
import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';

/**
 * read-excel-file's types are an ES module's, which this CommonJS build cannot import; its
 * CommonJS build is loaded instead, with the one function used here typed as its docs say.
 */
const { readSheet } = createRequire(__filename)('read-excel-file/node') as {
  readSheet(input: Buffer): Promise<(string | number | boolean | Date | null)[][]>;
};

/** Rows an import file may hold (a city's year of a paper ledger fits several times over). */
export const MAX_IMPORT_ROWS = 200_000;

/** The file's id: SHA-256 (hex) of its bytes. The confirming call names it. */
export function importIdOf(content: Uint8Array): string {
  return createHash('sha256').update(content).digest('hex');
}

export interface ReadFile {
  readonly format: 'csv' | 'xlsx';
  readonly rows: (ImportRow | UnreadRow)[];
}

/**
 * Reads an import file: an .xlsx workbook (its first sheet) or CSV (UTF-8, or GB18030 as Excel
 * saves CSV on Chinese Windows), the first row naming the columns. A file that cannot be read at
 * all is a DomainError; a row that cannot be read is an UnreadRow with its reason.
 */
export async function readImportFile(
  content: Uint8Array,
  context: { timeZone: string; now: Date },
): Promise<ReadFile | DomainError> {
  const xlsx = content[0] === 0x50 && content[1] === 0x4b; // "PK": a zip, as every .xlsx is
  let table: Cell[][];
  try {
    table = xlsx ? await sheetOf(content) : csvOf(content);
  } catch (error) {
    const why = error instanceof Error ? error.message : String(error);
    return new DomainError(
      'VALIDATION_FAILED',
      xlsx ? say`the workbook cannot be read: ${why}` : say`the CSV cannot be read: ${why}`,
    );
  }
  const [header = [], ...body] = table;
  const columns = header.map((h) => (typeof h === 'string' ? columnOf(h) : undefined));
  const missing = ['kind', 'riderId'].filter((c) => !columns.includes(c as ImportColumn));
  if (missing.length > 0)
    return new DomainError(
      'VALIDATION_FAILED',
      say`the first row must name the columns; ${missing.join(', ')} is missing`,
    );
  if (body.length > MAX_IMPORT_ROWS)
    return new DomainError(
      'VALIDATION_FAILED',
      say`the file has ${body.length} rows; split it into files of at most ${MAX_IMPORT_ROWS}`,
    );
  // Columns the header names (a spreadsheet saved as CSV pads every row to the widest one).
  const named = header.findLastIndex((h) => h !== undefined && h !== '') + 1;
  const rows: (ImportRow | UnreadRow)[] = [];
  body.forEach((cells, i) => {
    if (cells.every((c) => c === undefined || c === '')) return; // a blank line
    const record: Partial<Record<ImportColumn, Cell>> = {};
    columns.forEach((column, j) => {
      if (column) record[column] = cells[j];
    });
    const row = i + 2; // as the spreadsheet numbers it: the header is row 1
    const cellCount = cells.findLastIndex((c) => c !== undefined && c !== '') + 1;
    if (!xlsx && cellCount > named) {
      // A comma outside quotes: every cell after it has moved one column on.
      const why = say`the row has ${cellCount} cells but the first row names ${named} columns; a cell with a comma needs quotes`;
      rows.push(unread(row, record, new DomainError('VALIDATION_FAILED', why)));
      return;
    }
    const read = readImportRow(record, row, context);
    rows.push(read instanceof DomainError ? unread(row, record, read) : read);
  });
  return { format: xlsx ? 'xlsx' : 'csv', rows };
}

function unread(
  row: number,
  record: Partial<Record<ImportColumn, Cell>>,
  refusal: DomainError,
): UnreadRow {
  const kind = rowKindOf(record.kind);
  return { row, refusal, ...(kind && { kind }) };
}

async function sheetOf(content: Uint8Array): Promise<Cell[][]> {
  const data = await readSheet(Buffer.from(content));
  return data.map((row) =>
    row.map((cell): Cell => {
      if (cell === null || cell === undefined) return undefined;
      return typeof cell === 'boolean' ? String(cell) : cell;
    }),
  );
}

function csvOf(content: Uint8Array): Cell[][] {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(content);
  } catch {
    text = new TextDecoder('gb18030').decode(content);
  }
  return parse(text, { bom: true, relax_column_count: true, skip_empty_lines: true });
}
