import { alreadyExists, DomainError, notFound } from '../shared/domain-error';
import { say } from '../shared/said';
import { phoneKeyOf } from '../shared/scope';
import { localIso } from '../shared/time';
import type { ImportRow, ImportRowKind } from './import';

/** A rider the ledger already has, as far as an import needs it. */
export interface KnownRider {
  readonly registrationId: string;
  /** When the rider joined, where its registration says (an imported one with a date). */
  readonly joinedAt?: number;
  /** Entry ids of its awards and ids of its redemptions (an imported row's id among them: done). */
  readonly entries: ReadonlySet<string>;
  /** The points each of its events moved, and when the act happened (epoch ms). */
  readonly moves: readonly { readonly at: number; readonly points: number }[];
}

/** A fund as an import needs it: the points it has left, and the entries it holds points for. */
export interface KnownFund {
  /** Budget less what is reserved, reversals given back. */
  readonly remaining: number;
  /**
   * Awards it holds points for (reserved, not released): an award of the file among them was cut
   * by a crash between its reservation and its credit, and takes no more of the budget.
   */
  readonly held: ReadonlySet<string>;
}

/** What the ledger holds that an import's rows are checked against. */
export interface ImportLedger {
  /** The district's time zone, in which the check's reasons name dates. */
  readonly timeZone: string;
  /** The communities the file names that the ledger has, with the district of each. */
  readonly communities: ReadonlyMap<string, string>;
  readonly stations: ReadonlySet<string>;
  readonly funds: ReadonlyMap<string, KnownFund>;
  /** The riders the file names that the ledger has. */
  readonly riders: ReadonlyMap<string, KnownRider>;
  /** The rider holding each phone number of the file's rider rows, by `phoneClaimOf`. */
  readonly phoneHolders: ReadonlyMap<string, string>;
  /** The id a row's event gets (registration, award entry, redemption): `importRowKey`'s. */
  idOf(row: ImportRow): string;
}

/**
 * What makes a row the row it is, whatever file holds it and wherever: a rider row is its rider; an
 * award or a redemption is everything it says, its time to the minute (a spreadsheet saved again
 * may show `09:30` for `09:30:15`). The ids of an import's events are made of it, so a file
 * edited or saved again after it was written (rows added, a date cell retyped) writes only what
 * it adds, and two identical acts in one file are one act written twice (refused: tell them apart
 * by their time or reason).
 */
export function importRowKey(row: ImportRow): string {
  switch (row.kind) {
    case 'rider':
      return JSON.stringify(['rider', row.riderId]);
    case 'award': {
      const { riderId, activity, points, fundId, reason } = row;
      const at = toMinute(row.occurredAt);
      return JSON.stringify(['award', riderId, at, activity, points, fundId, reason]);
    }
    case 'redemption': {
      const { riderId, stationId, item, quantity, points } = row;
      const at = toMinute(row.occurredAt);
      return JSON.stringify(['redemption', riderId, at, stationId, item, quantity, points]);
    }
  }
}

/** An ISO instant to its minute: `2024-05-01T01:30:15.000Z` → `2024-05-01T01:30Z`. */
function toMinute(iso: string): string {
  return `${new Date(Date.parse(iso)).toISOString().slice(0, 16)}Z`;
}

/** A phone number as a district holds it unique: the district, and the number's key. */
export function phoneClaimOf(district: string, phone: string): string | undefined {
  const key = phoneKeyOf(phone);
  return key === undefined ? undefined : `${district}\u0000${key}`;
}

/** A row that could not be read, and why. */
export interface UnreadRow {
  readonly row: number;
  readonly kind?: ImportRowKind;
  readonly refusal: DomainError;
}

export type RowOutcome = 'accepted' | 'refused' | 'imported';

export interface RowVerdict {
  readonly row: number;
  readonly kind?: ImportRowKind;
  readonly riderId?: string;
  readonly occurredAt?: string;
  readonly points?: number;
  readonly outcome: RowOutcome;
  readonly refusal?: DomainError;
}

export interface ImportCheck {
  /** One per row, in row order. */
  readonly verdicts: readonly RowVerdict[];
  /**
   * The accepted rows in the order they are written: the riders, in row order, then each rider's
   * awards and then its redemptions, each in date order (riders in the order of their first award,
   * then riders with redemptions only).
   */
  readonly toWrite: readonly ImportRow[];
}

/**
 * Checks an import's rows against the ledger as if they had been written when they happened:
 * riders before their acts, awards within their funds' budgets in date order, and no balance
 * below zero at any moment of the rider's history (its live events and the file's, by the time
 * each act happened). A row whose act the ledger already holds from an import (the same rider, or
 * the same act: `importRowKey`) is `imported`, not a duplicate.
 */
export function checkImport(
  rows: readonly (ImportRow | UnreadRow)[],
  ledger: ImportLedger,
): ImportCheck {
  const verdicts = new Map<number, RowVerdict>();
  const refuse = (row: ImportRow | UnreadRow, refusal: DomainError) =>
    verdicts.set(row.row, { ...summaryOf(row), outcome: 'refused', refusal });
  const settled = (row: ImportRow, outcome: RowOutcome) =>
    verdicts.set(row.row, { ...summaryOf(row), outcome });
  const read: ImportRow[] = [];
  for (const row of rows) {
    if ('refusal' in row) refuse(row, row.refusal);
    else read.push(row);
  }
  const riders = checkRiders(read, ledger, refuse, settled);
  const acts = read
    .filter((r): r is Act => r.kind !== 'rider')
    .sort((a, b) => a.occurredAt.localeCompare(b.occurredAt) || a.row - b.row);
  const live = checkActs(acts, riders, ledger, refuse, settled);
  const awards = live.filter((a): a is Award => a.kind === 'award');
  const redemptions = checkBalances(
    live.filter((a): a is Redemption => a.kind === 'redemption'),
    awards,
    ledger,
    refuse,
  );
  for (const act of [...awards, ...redemptions]) settled(act, 'accepted');
  const newRiders = read.filter((r) => r.kind === 'rider' && riders.accepted.has(r.row));
  return {
    verdicts: [...verdicts.values()].sort((a, b) => a.row - b.row),
    toWrite: [...newRiders, ...byRider([...awards, ...redemptions])],
  };
}

/**
 * Acts grouped by rider, each rider's in the order given (awards, then redemptions): a rider's
 * balance in the log never goes below zero while the import writes, and a station's redemption
 * made meanwhile meets the rider's history whole or not at all.
 */
function byRider(acts: readonly Act[]): Act[] {
  const groups = new Map<string, Act[]>();
  for (const act of acts) {
    const group = groups.get(act.riderId);
    if (group) group.push(act);
    else groups.set(act.riderId, [act]);
  }
  return [...groups.values()].flat();
}

type Act = Exclude<ImportRow, { kind: 'rider' }>;
type Award = Extract<ImportRow, { kind: 'award' }>;
type Redemption = Extract<ImportRow, { kind: 'redemption' }>;
type Refuse = (row: ImportRow, refusal: DomainError) => void;
type Settle = (row: ImportRow, outcome: RowOutcome) => void;

function summaryOf(row: ImportRow | UnreadRow): Omit<RowVerdict, 'outcome'> {
  if ('refusal' in row) return { row: row.row, ...(row.kind && { kind: row.kind }) };
  const { kind, riderId } = row;
  return {
    row: row.row,
    kind,
    riderId,
    ...(row.occurredAt !== undefined && { occurredAt: row.occurredAt }),
    ...(row.kind !== 'rider' && { points: row.points }),
  };
}

/** The riders an import's acts may name, and when each joined (where known). */
interface Riders {
  readonly accepted: ReadonlySet<number>;
  readonly joined: ReadonlyMap<string, number | undefined>;
}

/**
 * Rider rows: new riders of known communities, once each, with phone numbers nobody else in the
 * district holds (compared as the district's table compares them: 138-0000-0000 is 13800000000).
 */
function checkRiders(
  rows: readonly ImportRow[],
  ledger: ImportLedger,
  refuse: Refuse,
  settled: Settle,
): Riders {
  const accepted = new Set<number>();
  const joined = new Map([...ledger.riders].map(([id, r]) => [id, r.joinedAt]));
  const firstRow = new Map<string, number>();
  const phoneRow = new Map<string, number>();
  for (const row of rows) {
    if (row.kind !== 'rider') continue;
    const earlier = firstRow.get(row.riderId);
    const existing = ledger.riders.get(row.riderId);
    const district = ledger.communities.get(row.communityId);
    const claim =
      row.phone !== undefined && district !== undefined
        ? phoneClaimOf(district, row.phone)
        : undefined;
    const phoneEarlier = claim !== undefined ? phoneRow.get(claim) : undefined;
    const holder = claim !== undefined ? ledger.phoneHolders.get(claim) : undefined;
    if (earlier !== undefined)
      refuse(row, alreadyExists(say`rider ${row.riderId} of row ${earlier}`));
    else if (existing?.registrationId === ledger.idOf(row)) settled(row, 'imported');
    else if (existing)
      refuse(
        row,
        new DomainError(
          'ALREADY_EXISTS',
          say`rider ${row.riderId} is already registered; leave its row out of the file`,
        ),
      );
    else if (district === undefined) refuse(row, notFound(say`community ${row.communityId}`));
    else if (phoneEarlier !== undefined)
      refuse(row, alreadyExists(say`the phone number of row ${phoneEarlier}`));
    else if (holder !== undefined)
      refuse(
        row,
        new DomainError('ALREADY_EXISTS', say`rider ${holder} already has this phone number`),
      );
    else {
      accepted.add(row.row);
      joined.set(
        row.riderId,
        row.occurredAt === undefined ? undefined : Date.parse(row.occurredAt),
      );
      settled(row, 'accepted');
    }
    firstRow.set(row.riderId, firstRow.get(row.riderId) ?? row.row);
    if (claim !== undefined && accepted.has(row.row)) phoneRow.set(claim, row.row);
  }
  return { accepted, joined };
}

/**
 * Awards and redemptions, in date order: their rider, fund and station exist, the rider had
 * joined, they are not a repeat of an earlier row, and awards stay within their fund's budget.
 * Answers the acts still to write (an act the ledger holds from an import is settled as imported).
 */
function checkActs(
  acts: readonly Act[],
  riders: Riders,
  ledger: ImportLedger,
  refuse: Refuse,
  settled: Settle,
): Act[] {
  const seen = new Map<string, number>();
  const left = new Map([...ledger.funds].map(([id, fund]) => [id, fund.remaining]));
  const live: Act[] = [];
  for (const act of acts) {
    const key = importRowKey(act);
    const repeated = seen.get(key);
    if (repeated === undefined) seen.set(key, act.row);
    const problem =
      repeated !== undefined
        ? alreadyExists(
            say`the same ${act.kind === 'award' ? say`award` : say`redemption`} in row ${repeated}`,
          )
        : refusalOf(act, riders, ledger);
    if (problem) {
      refuse(act, problem);
      continue;
    }
    const id = ledger.idOf(act);
    if (ledger.riders.get(act.riderId)?.entries.has(id)) {
      settled(act, 'imported');
      continue;
    }
    if (act.kind === 'award' && !ledger.funds.get(act.fundId)?.held.has(id)) {
      const remaining = left.get(act.fundId) ?? 0;
      if (act.points > remaining) {
        refuse(
          act,
          new DomainError(
            'FUND_EXHAUSTED',
            say`fund ${act.fundId} has ${remaining} points left for this award of ${act.points}`,
          ),
        );
        continue;
      }
      left.set(act.fundId, remaining - act.points);
    }
    live.push(act);
  }
  return live;
}

function refusalOf(act: Act, riders: Riders, ledger: ImportLedger): DomainError | undefined {
  if (!riders.joined.has(act.riderId))
    return new DomainError(
      'NOT_FOUND',
      say`rider ${act.riderId} is not registered, nor added by an accepted rider row of the file`,
    );
  // By the district's calendar: an act of the day the rider joined is of a rider who had joined.
  const joined = riders.joined.get(act.riderId);
  const day = (instant: number) => localIso(new Date(instant), ledger.timeZone).slice(0, 10);
  if (joined !== undefined && day(Date.parse(act.occurredAt)) < day(joined))
    return new DomainError(
      'VALIDATION_FAILED',
      say`rider ${act.riderId} joined on ${day(joined)}, after this act`,
    );
  if (act.kind === 'award')
    return ledger.funds.has(act.fundId) ? undefined : notFound(say`fund ${act.fundId}`);
  if (!ledger.stations.has(act.stationId)) return notFound(say`station ${act.stationId}`);
  if (act.points % act.quantity !== 0)
    return new DomainError(
      'VALIDATION_FAILED',
      say`${act.points} points do not divide into ${act.quantity} items of one price`,
    );
  return undefined;
}

/**
 * Redemptions in date order, each kept only if the rider's balance, at every moment of its
 * history (its events in the ledger and the file's accepted acts, by when each happened), stays
 * at zero or more with it. Each rider's history is a tree of balances over time, so a file of
 * 200,000 rows of one rider is checked in n log n, not n².
 */
function checkBalances(
  redemptions: readonly Redemption[],
  awards: readonly Award[],
  ledger: ImportLedger,
  refuse: Refuse,
): Redemption[] {
  // The moves of each rider with a redemption in the file: the ledger's, then the file's.
  const moves = new Map<string, Move[]>();
  const movesOf = (riderId: string): Move[] => {
    let list = moves.get(riderId);
    if (!list) {
      const known = ledger.riders.get(riderId)?.moves ?? [];
      list = known.map(({ at, points }): Move => ({ at, rank: 0, order: 0, points }));
      moves.set(riderId, list);
    }
    return list;
  };
  for (const r of redemptions) {
    const at = Date.parse(r.occurredAt);
    movesOf(r.riderId).push({ at, rank: 2, order: r.row, points: 0, redemption: r });
  }
  for (const a of awards) {
    const at = Date.parse(a.occurredAt);
    moves.get(a.riderId)?.push({ at, rank: 1, order: a.row, points: a.points });
  }
  const histories = new Map<string, History>();
  for (const [riderId, list] of moves) histories.set(riderId, historyOf(list));
  const kept: Redemption[] = [];
  for (const r of redemptions) {
    const history = histories.get(r.riderId);
    if (!history) throw new Error(`no history of rider ${r.riderId}`);
    const at = history.positions.get(r.row);
    if (at === undefined) throw new Error(`redemption of row ${r.row} not in its rider's history`);
    const before = history.balances.min(at, at);
    if (history.balances.min(at, history.size - 1) < r.points) {
      refuse(
        r,
        new DomainError(
          'INSUFFICIENT_BALANCE',
          before < r.points
            ? say`the redemption takes ${r.points} points; the balance on that date is ${before}`
            : say`the redemption takes ${r.points} points that a later redemption of the rider spends`,
        ),
      );
      continue;
    }
    history.balances.add(at, history.size - 1, -r.points);
    kept.push(r);
  }
  return kept;
}

interface Move {
  at: number;
  /** At one moment: the ledger's events first (0), then the file's awards (1), its redemptions (2). */
  rank: 0 | 1 | 2;
  /** The row, among the file's acts of one rank at one moment. */
  order: number;
  points: number;
  redemption?: Redemption;
}

/**
 * A rider's moves in time order: the balance after each (a redemption of the file counts 0 until
 * kept), and where each of the file's redemptions stands.
 */
interface History {
  size: number;
  positions: Map<number, number>;
  balances: MinTree;
}

function historyOf(moves: Move[]): History {
  moves.sort((a, b) => a.at - b.at || a.rank - b.rank || a.order - b.order);
  const positions = new Map<number, number>();
  let balance = 0;
  const balances = moves.map((move, i) => {
    if (move.redemption) positions.set(move.redemption.row, i);
    return (balance += move.points);
  });
  return { size: moves.length, positions, balances: new MinTree(balances) };
}

/** Numbers with two operations, each in log n: add to a range, and the least of a range. */
export class MinTree {
  private readonly least: number[];
  private readonly pending: number[];
  private readonly size: number;

  constructor(values: readonly number[]) {
    this.size = values.length;
    this.least = new Array<number>(4 * Math.max(1, values.length)).fill(0);
    this.pending = new Array<number>(4 * Math.max(1, values.length)).fill(0);
    if (values.length > 0) this.build(values, 1, 0, values.length - 1);
  }

  add(from: number, to: number, delta: number): void {
    this.update(1, 0, this.size - 1, from, to, delta);
  }

  min(from: number, to: number): number {
    return this.query(1, 0, this.size - 1, from, to);
  }

  private build(values: readonly number[], node: number, lo: number, hi: number): void {
    if (lo === hi) {
      this.least[node] = values[lo];
      return;
    }
    const mid = (lo + hi) >> 1;
    this.build(values, 2 * node, lo, mid);
    this.build(values, 2 * node + 1, mid + 1, hi);
    this.least[node] = Math.min(this.least[2 * node], this.least[2 * node + 1]);
  }

  private update(node: number, lo: number, hi: number, from: number, to: number, d: number): void {
    if (to < lo || hi < from) return;
    if (from <= lo && hi <= to) {
      this.least[node] += d;
      this.pending[node] += d;
      return;
    }
    const mid = (lo + hi) >> 1;
    this.update(2 * node, lo, mid, from, to, d);
    this.update(2 * node + 1, mid + 1, hi, from, to, d);
    this.least[node] =
      Math.min(this.least[2 * node], this.least[2 * node + 1]) + this.pending[node];
  }

  private query(node: number, lo: number, hi: number, from: number, to: number): number {
    if (to < lo || hi < from) return Infinity;
    if (from <= lo && hi <= to) return this.least[node];
    const mid = (lo + hi) >> 1;
    const inner = Math.min(
      this.query(2 * node, lo, mid, from, to),
      this.query(2 * node + 1, mid + 1, hi, from, to),
    );
    return inner + this.pending[node];
  }
}
