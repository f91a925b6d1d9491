import { alreadyExists, DomainError, notFound } from '../shared/domain-error';
import { say } from '../shared/said';
import type { ImportRow, ImportRowKind } from './import';

/** A rider the ledger already has, as far as an import needs it. */
export interface KnownRider {
  readonly registrationId: string;
  /** Entry ids of its awards and ids of its redemptions (an imported row's id among them: done). */
  readonly entries: ReadonlySet<string>;
  /** The points each of its events moved, and when the act happened (epoch ms). */
  readonly moves: readonly { readonly at: number; readonly points: number }[];
}

/** What the ledger holds that an import's rows are checked against. */
export interface ImportLedger {
  readonly communities: ReadonlySet<string>;
  readonly stations: ReadonlySet<string>;
  /** Each fund's points still to award (budget less what is reserved, reversals given back). */
  readonly funds: ReadonlyMap<string, number>;
  /** The riders the file names that the ledger has. */
  readonly riders: ReadonlyMap<string, KnownRider>;
  /** The rider holding each phone number of the file's rider rows in the district, if any. */
  readonly phoneHolders: ReadonlyMap<string, string>;
  /** The id a row's event gets (registration, award entry, redemption): of the file and row. */
  idOf(row: number): string;
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
  /** The accepted rows in the order they are written: riders, then awards, then redemptions, each in date order. */
  readonly toWrite: readonly ImportRow[];
}

/**
 * Checks an import's rows against the ledger as if they had been written when they happened:
 * riders before their acts, awards within their funds' budgets in date order, and no balance
 * below zero at any moment of the rider's history (its live events and the file's, by the time
 * each act happened). A row an earlier run of the same file wrote is `imported`, not a duplicate.
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
    toWrite: [...newRiders, ...awards, ...redemptions],
  };
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

/** Rider rows: new riders of known communities, once each, with phones nobody else holds. */
function checkRiders(
  rows: readonly ImportRow[],
  ledger: ImportLedger,
  refuse: Refuse,
  settled: Settle,
): { accepted: Set<number>; known: Set<string> } {
  const accepted = new Set<number>();
  const known = new Set(ledger.riders.keys());
  const firstRow = new Map<string, number>();
  const phoneRow = new Map<string, number>();
  for (const row of rows) {
    if (row.kind !== 'rider') continue;
    const earlier = firstRow.get(row.riderId);
    const existing = ledger.riders.get(row.riderId);
    const phoneEarlier = row.phone !== undefined ? phoneRow.get(row.phone) : undefined;
    const holder = row.phone !== undefined ? ledger.phoneHolders.get(row.phone) : undefined;
    if (earlier !== undefined)
      refuse(row, alreadyExists(say`rider ${row.riderId} of row ${earlier}`));
    else if (existing?.registrationId === ledger.idOf(row.row)) settled(row, 'imported');
    else if (existing)
      refuse(
        row,
        new DomainError(
          'ALREADY_EXISTS',
          say`rider ${row.riderId} is already registered; leave its row out of the file`,
        ),
      );
    else if (!ledger.communities.has(row.communityId))
      refuse(row, notFound(say`community ${row.communityId}`));
    else if (phoneEarlier !== undefined)
      refuse(row, alreadyExists(say`the phone number of row ${phoneEarlier}`));
    else if (holder !== undefined)
      refuse(
        row,
        new DomainError('ALREADY_EXISTS', say`rider ${holder} already has this phone number`),
      );
    else {
      accepted.add(row.row);
      known.add(row.riderId);
      settled(row, 'accepted');
    }
    firstRow.set(row.riderId, firstRow.get(row.riderId) ?? row.row);
    if (row.phone !== undefined) phoneRow.set(row.phone, phoneRow.get(row.phone) ?? row.row);
  }
  return { accepted, known };
}

/**
 * Awards and redemptions, in date order: their rider, fund and station exist, they are not a
 * repeat of an earlier row, and awards stay within their fund's budget. Answers the acts still to
 * write (a row an earlier run wrote is settled as imported).
 */
function checkActs(
  acts: readonly Act[],
  riders: { known: ReadonlySet<string> },
  ledger: ImportLedger,
  refuse: Refuse,
  settled: Settle,
): Act[] {
  const seen = new Map<string, number>();
  const left = new Map(ledger.funds);
  const live: Act[] = [];
  for (const act of acts) {
    const key = JSON.stringify({ ...act, row: 0 });
    const repeated = seen.get(key);
    if (repeated === undefined) seen.set(key, act.row);
    const problem =
      repeated !== undefined
        ? alreadyExists(
            say`the same ${act.kind === 'award' ? say`award` : say`redemption`} in row ${repeated}`,
          )
        : refusalOf(act, riders.known, ledger);
    if (problem) {
      refuse(act, problem);
      continue;
    }
    if (ledger.riders.get(act.riderId)?.entries.has(ledger.idOf(act.row))) {
      settled(act, 'imported');
      continue;
    }
    if (act.kind === 'award') {
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

function refusalOf(
  act: Act,
  riders: ReadonlySet<string>,
  ledger: ImportLedger,
): DomainError | undefined {
  if (!riders.has(act.riderId))
    return new DomainError(
      'NOT_FOUND',
      say`rider ${act.riderId} is not registered, nor added by an accepted rider row of the file`,
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
 * at zero or more with it.
 */
function checkBalances(
  redemptions: readonly Redemption[],
  awards: readonly Award[],
  ledger: ImportLedger,
  refuse: Refuse,
): Redemption[] {
  const moves = new Map<string, Move[]>();
  const add = (riderId: string, move: Move) =>
    moves.set(riderId, [...(moves.get(riderId) ?? []), move]);
  for (const [riderId, rider] of ledger.riders)
    for (const { at, points } of rider.moves) add(riderId, { at, order: -1, points });
  for (const a of awards)
    add(a.riderId, { at: Date.parse(a.occurredAt), order: a.row, points: a.points });
  const kept: Redemption[] = [];
  for (const r of redemptions) {
    const at = Date.parse(r.occurredAt);
    const history = moves.get(r.riderId) ?? [];
    const withIt = [...history, { at, order: r.row, points: -r.points }];
    const lowest = lowestBalance(withIt);
    if (lowest.balance < 0) {
      const before = balanceBefore(history, at, r.row);
      refuse(
        r,
        new DomainError(
          'INSUFFICIENT_BALANCE',
          lowest.at === at
            ? say`the redemption takes ${r.points} points; the balance on that date is ${before}`
            : say`the redemption takes ${r.points} points that a later redemption of the rider spends`,
        ),
      );
      continue;
    }
    moves.set(r.riderId, withIt);
    kept.push(r);
  }
  return kept;
}

interface Move {
  at: number;
  /** The row (-1 for the ledger's events, which come first at the same moment). */
  order: number;
  points: number;
}

function lowestBalance(moves: readonly Move[]): { balance: number; at: number } {
  let balance = 0;
  let lowest = { balance: 0, at: -Infinity };
  for (const move of [...moves].sort((a, b) => a.at - b.at || a.order - b.order)) {
    balance += move.points;
    if (balance < lowest.balance) lowest = { balance, at: move.at };
  }
  return lowest;
}

function balanceBefore(moves: readonly Move[], at: number, order: number): number {
  return moves
    .filter((m) => m.at < at || (m.at === at && m.order < order))
    .reduce((sum, m) => sum + m.points, 0);
}
