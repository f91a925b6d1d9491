import { OCCUPATIONS } from '../rider/rider.events';
import { ACTIVITIES } from '../rules/rules';
import { DomainError } from '../shared/domain-error';
import { isValidPoints } from '../shared/points';
import { say, type Said } from '../shared/said';
import { WHOLE_PHONE } from '../shared/scope';
import { localIso, parseInstant } from '../shared/time';
import { ID_PATTERN } from '../streams';
import type { ImportRow, ImportRowKind } from './import';

/** A cell as a CSV or spreadsheet gives it: text, a number, or (spreadsheets) a date. */
export type Cell = string | number | Date | undefined;

/** The columns of an import file. Headers may be these names or the Chinese ones of `HEADERS`. */
export const IMPORT_COLUMNS = [
  'kind',
  'riderId',
  'communityId',
  'name',
  'phone',
  'platform',
  'occupation',
  'date',
  'activity',
  'points',
  'fundId',
  'reason',
  'stationId',
  'item',
  'quantity',
] as const;
export type ImportColumn = (typeof IMPORT_COLUMNS)[number];

/** Headers a district's own spreadsheet may use (the field reports' words), by column. */
export const HEADERS: Readonly<Record<string, ImportColumn>> = {
  类型: 'kind',
  小哥编号: 'riderId',
  社区编号: 'communityId',
  姓名: 'name',
  电话: 'phone',
  手机号: 'phone',
  平台: 'platform',
  职业: 'occupation',
  日期: 'date',
  活动: 'activity',
  积分: 'points',
  资金: 'fundId',
  资金编号: 'fundId',
  事由: 'reason',
  驿站编号: 'stationId',
  物品: 'item',
  数量: 'quantity',
};

const KINDS: Readonly<Record<string, ImportRowKind>> = {
  rider: 'rider',
  award: 'award',
  redemption: 'redemption',
  小哥: 'rider',
  奖励: 'award',
  兑换: 'redemption',
};

/** The kind a `kind` cell names (English or Chinese), if any. */
export function rowKindOf(cell: Cell): ImportRowKind | undefined {
  return typeof cell === 'string' ? KINDS[cell.trim()] : undefined;
}

/** The column a header names (case and spaces aside), or undefined for a column not read. */
export function columnOf(header: string): ImportColumn | undefined {
  const text = header.trim();
  const english = IMPORT_COLUMNS.find((c) => c.toLowerCase() === text.toLowerCase());
  return english ?? HEADERS[text];
}

/** Imported history is of the past, but not before this (a year typed wrong, 1025 for 2025). */
const EARLIEST = Date.UTC(2000, 0, 1);

/**
 * One row of the file, read: the kind its `kind` cell names, with the cells that kind needs,
 * checked (ids, points, dates), or why not. `now` bounds dates: history cannot be in the future.
 */
export function readImportRow(
  cells: Readonly<Partial<Record<ImportColumn, Cell>>>,
  row: number,
  context: { timeZone: string; now: Date },
): ImportRow | DomainError {
  const read = new RowReader(cells, context);
  const kind = rowKindOf(cells.kind);
  if (!kind) return refusal(say`kind must be rider, award or redemption (小哥, 奖励, 兑换)`);
  const riderId = read.id('riderId');
  const outcome = ((): ImportRow | undefined => {
    if (kind === 'rider') {
      const occupation = read.oneOf('occupation', OCCUPATIONS);
      const occurredAt = read.has('date') ? read.date('date') : undefined;
      const phone = read.phone('phone');
      return riderId === undefined || occupation === undefined
        ? undefined
        : {
            ...{ row, kind, riderId, communityId: read.id('communityId') ?? '' },
            ...{ name: read.words('name', 100) ?? '', platform: read.words('platform', 100) ?? '' },
            occupation,
            ...(phone !== undefined && { phone }),
            ...(occurredAt !== undefined && { occurredAt }),
          };
    }
    const occurredAt = read.date('date');
    const points = read.points('points');
    if (kind === 'award') {
      const activity = read.oneOf('activity', ACTIVITIES);
      const fundId = read.id('fundId');
      const reason = read.words('reason', 500);
      return riderId && occurredAt && points && activity && fundId && reason
        ? { row, kind, riderId, occurredAt, activity, points, fundId, reason }
        : undefined;
    }
    const stationId = read.id('stationId');
    const item = read.words('item', 100);
    const quantity = read.points('quantity');
    return riderId && occurredAt && points && stationId && item && quantity
      ? { row, kind, riderId, occurredAt, stationId, item, quantity, points }
      : undefined;
  })();
  if (read.problem) return refusal(read.problem);
  if (!outcome) throw new Error(`row ${row} read without a value and without a problem`);
  return outcome;
}

function refusal(said: Said): DomainError {
  return new DomainError('VALIDATION_FAILED', said);
}

/** Reads typed values out of a row's cells; the first problem met is kept (one reason per row). */
class RowReader {
  problem: Said | undefined;

  constructor(
    private readonly cells: Readonly<Partial<Record<ImportColumn, Cell>>>,
    private readonly context: { timeZone: string; now: Date },
  ) {}

  has(column: ImportColumn): boolean {
    return this.text(column) !== undefined;
  }

  text(column: ImportColumn): string | undefined {
    const cell = this.cells[column];
    if (cell === undefined) return undefined;
    const text = cell instanceof Date ? cell.toISOString() : String(cell).trim();
    return text === '' ? undefined : text;
  }

  required(column: ImportColumn): string | undefined {
    const text = this.text(column);
    if (text === undefined) this.fail(say`${column} is empty`);
    return text;
  }

  /** Words of at most `max` characters, as the API takes them (a name, a reason). */
  words(column: ImportColumn, max: number): string | undefined {
    const text = this.required(column);
    if (text === undefined || [...text].length <= max) return text;
    this.fail(say`${column} must be at most ${max} characters`);
    return undefined;
  }

  /** A phone number as registration takes it (optional). */
  phone(column: ImportColumn): string | undefined {
    const text = this.text(column);
    if (text === undefined || WHOLE_PHONE.test(text)) return text;
    this.fail(say`${column} must be 5–20 digits, spaces or dashes, with a + in front if need be`);
    return undefined;
  }

  id(column: ImportColumn): string | undefined {
    const text = this.required(column);
    if (text !== undefined && !ID_PATTERN.test(text)) {
      this.fail(say`${column} ${text} is not an id (letters, digits, _ . -; up to 64)`);
      return undefined;
    }
    return text;
  }

  oneOf<T extends string>(column: ImportColumn, allowed: readonly T[]): T | undefined {
    const text = this.required(column);
    if (text === undefined) return undefined;
    if ((allowed as readonly string[]).includes(text)) return text as T;
    this.fail(say`${column} ${text} is not one of ${allowed.join(', ')}`);
    return undefined;
  }

  points(column: ImportColumn): number | undefined {
    const text = this.required(column);
    if (text === undefined) return undefined;
    const value = Number(text);
    if (/^\d+$/.test(text) && isValidPoints(value)) return value;
    this.fail(say`${column} must be a whole number from 1 to 1,000,000, not ${text}`);
    return undefined;
  }

  /** The instant a date cell means, in the district's zone (a date alone: noon of that day). */
  date(column: ImportColumn): string | undefined {
    const cell = this.cells[column];
    const instant =
      cell instanceof Date ? wallDate(cell, this.context.timeZone) : this.dateText(column);
    if (instant === undefined) return undefined;
    if (instant.getTime() > this.context.now.getTime()) {
      this.fail(say`${column} ${localIso(instant, this.context.timeZone)} is in the future`);
      return undefined;
    }
    if (instant.getTime() < EARLIEST) {
      this.fail(say`${column} ${instant.toISOString().slice(0, 10)} is before the year 2000`);
      return undefined;
    }
    return instant.toISOString();
  }

  private dateText(column: ImportColumn): Date | undefined {
    const text = this.required(column);
    if (text === undefined) return undefined;
    const instant = parseInstant(text) ?? localDate(text, this.context.timeZone);
    if (!instant)
      this.fail(
        say`${column} ${text} is not a date (2025-03-14, 2025-03-14 09:30 or 2025年3月14日)`,
      );
    return instant;
  }

  private fail(said: Said): void {
    this.problem ??= said;
  }
}

const LOCAL_DATE =
  /^(\d{4})[-/年](\d{1,2})[-/月](\d{1,2})日?(?:[ T](\d{1,2}):(\d{2})(?::(\d{2}))?)?$/;

/** `2025-03-14`, `2025/3/14`, `2025年3月14日`, with a time or not, as a wall time in `timeZone`. */
function localDate(text: string, timeZone: string): Date | undefined {
  const m = LOCAL_DATE.exec(text);
  if (!m) return undefined;
  const [year, month, day] = [1, 2, 3].map((i) => Number(m[i]));
  const timed = m[4] !== undefined;
  const [hour, minute, second] = timed ? [4, 5, 6].map((i) => Number(m[i] ?? 0)) : [12, 0, 0];
  if (month < 1 || month > 12 || day < 1) return undefined;
  if (day > new Date(Date.UTC(year, month, 0)).getUTCDate()) return undefined;
  if (hour > 23 || minute > 59 || second > 59) return undefined;
  return atWallTime(Date.UTC(year, month - 1, day, hour, minute, second), timeZone);
}

/**
 * A spreadsheet's date cell: the reader gives the wall time shown as if it were UTC. Midnight
 * sharp is a date without a time, read as noon (as a date typed as text).
 */
function wallDate(cell: Date, timeZone: string): Date | undefined {
  if (Number.isNaN(cell.getTime())) return undefined;
  const midnight = cell.getUTCHours() === 0 && cell.getUTCMinutes() === 0;
  return atWallTime(cell.getTime() + (midnight ? 12 * 3_600_000 : 0), timeZone);
}

/** The instant whose wall time in `timeZone` is `wall` (milliseconds of that wall time as UTC). */
export function atWallTime(wall: number, timeZone: string): Date {
  let instant = wall;
  // Twice: the offset at the guess, then at the corrected instant (a change of offset between).
  for (let i = 0; i < 2; i++) instant = wall - offsetAt(new Date(instant), timeZone);
  return new Date(instant);
}

function offsetAt(instant: Date, timeZone: string): number {
  const iso = localIso(instant, timeZone);
  const m = /([+-])(\d{2}):(\d{2})$/.exec(iso);
  if (!m) return 0;
  return (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3])) * 60_000;
}
