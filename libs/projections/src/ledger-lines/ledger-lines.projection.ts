import type { LedgerEvent, PricedItem } from '@ledger/domain';
import type { SqlQuery } from '@ledger/event-store';
import type { Projection } from '../projection';

/** Every movement of a rider's points, one line each, in the rider's own order (revision). */
export const ledgerLinesProjection: Projection = {
  name: 'ledger-lines',
  /**
   * 2: a redemption's line carries its items. 3: a reversal's line names the award it undoes.
   * 4: an award's line its source (issue 17); every line the community it counts in (reports).
   * 5: an award's line the principal that approved it, and the check-in it was made from.
   */
  version: 5,
  tables: [
    { name: 'ledger_lines', orderBy: 'rider_id, revision' },
    { name: 'ledger_line_riders', orderBy: 'rider_id' },
    { name: 'ledger_line_check_ins', orderBy: 'check_in_id' },
  ],
  ddl: (s) => `
    create table if not exists ${s}.ledger_lines (rider_id text not null, revision bigint not null,
      entry_id text not null, type text not null, points bigint not null, balance_after bigint not null,
      activity text, reason text, station_id text, actor text not null, occurred_at timestamptz not null,
      recorded_at timestamptz not null, position bigint not null, items jsonb, reversal_of text,
      source text, community_id text not null, approved_by text, check_in_id text,
      primary key (rider_id, revision));
    create index if not exists ledger_lines_entry on ${s}.ledger_lines (entry_id);
    create index if not exists ledger_lines_occurred on ${s}.ledger_lines (occurred_at);
    create table if not exists ${s}.ledger_line_riders (rider_id text primary key,
      community_id text not null);
    create table if not exists ${s}.ledger_line_check_ins (check_in_id text primary key,
      opened_by text not null);`,
  async applyBatch(batch, q, { schema: s }) {
    const communities = await ridersCommunities(batch, q, s);
    const openers = await checkInOpeners(batch, q, s);
    const columns: unknown[][] = Array.from({ length: 19 }, () => []);
    for (const { event, stored } of batch) {
      const actor =
        (stored.metadata.actor as { principalId?: string } | undefined)?.principalId ?? 'unknown';
      if (remembered(event, actor, communities, openers)) continue;
      const line = ledgerLine(event);
      if (!line) continue;
      // An award is approved by who made it, or, made from a check-in, by who opened the check-in
      // (the code on their screen is their word that the rider was there).
      const approvedBy =
        line.type !== 'award'
          ? null
          : line.checkInId === undefined
            ? actor
            : (openers.of.get(line.checkInId) ?? actor);
      const occurredAt =
        typeof stored.metadata.occurredAt === 'string'
          ? stored.metadata.occurredAt
          : stored.recordedAt.toISOString();
      // Awards and reversals count where the points were earned; redemptions where the rider is.
      const community = line.communityId ?? communities.of.get(line.riderId) ?? '';
      const row = [
        line.riderId,
        stored.revision,
        line.entryId,
        line.type,
        line.points,
        line.balanceAfter,
        line.activity ?? null,
        line.reason ?? null,
        line.stationId ?? null,
        actor,
        occurredAt,
        stored.recordedAt.toISOString(),
        stored.position,
        line.items === undefined ? null : JSON.stringify(line.items),
        line.reversalOf ?? null,
        line.source ?? null,
        community,
        approvedBy,
        line.checkInId ?? null,
      ];
      row.forEach((value, i) => columns[i].push(value));
    }
    await keepCommunities(communities, q, s);
    await keepOpeners(openers, q, s);
    if (columns[0].length === 0) return;
    await q(
      `insert into ${s}.ledger_lines
       select r, v, e, t, p, b, a, re, st, ac, o, rec, pos, it::jsonb, rv, so, c, ap, ci
       from unnest($1::text[], $2::bigint[], $3::text[], $4::text[], $5::bigint[], $6::bigint[], $7::text[],
         $8::text[], $9::text[], $10::text[], $11::timestamptz[], $12::timestamptz[], $13::bigint[], $14::text[],
         $15::text[], $16::text[], $17::text[], $18::text[], $19::text[])
         as x(r, v, e, t, p, b, a, re, st, ac, o, rec, pos, it, rv, so, c, ap, ci)`,
      columns,
    );
  },
};

/** Keeps what later lines need: a rider's community, a check-in's opener. True: not a line. */
function remembered(
  event: LedgerEvent,
  actor: string,
  communities: Communities,
  openers: Openers,
): boolean {
  const moved =
    event.type === 'RiderRegistered'
      ? { riderId: event.data.riderId, to: event.data.communityId }
      : event.type === 'RiderTransferred'
        ? { riderId: event.data.riderId, to: event.data.toCommunityId }
        : undefined;
  if (moved) {
    communities.of.set(moved.riderId, moved.to);
    communities.changed.add(moved.riderId);
    return true;
  }
  if (event.type !== 'CheckInOpened') return false;
  openers.of.set(event.data.checkInId, actor);
  openers.opened.push(event.data.checkInId);
  return true;
}

/**
 * The community of each rider the batch names, as the projection last saw it: a redemption's
 * line counts in the rider's community at the time. `changed`: riders to write back.
 */
interface Communities {
  readonly of: Map<string, string>;
  readonly changed: Set<string>;
}

async function ridersCommunities(
  batch: Parameters<Projection['applyBatch']>[0],
  q: SqlQuery,
  s: string,
): Promise<Communities> {
  const wanted = new Set<string>();
  for (const { event } of batch)
    if (event.type === 'RedemptionMade' || event.type === 'RedemptionCancelled')
      wanted.add(event.data.riderId);
  const of = await keptOf(q, `${s}.ledger_line_riders`, 'rider_id', 'community_id', wanted);
  return { of, changed: new Set() };
}

async function keepCommunities({ of, changed }: Communities, q: SqlQuery, s: string) {
  if (changed.size === 0) return;
  const riders = [...changed];
  await q(
    `insert into ${s}.ledger_line_riders (rider_id, community_id)
     select * from unnest($1::text[], $2::text[])
     on conflict (rider_id) do update set community_id = excluded.community_id`,
    [riders, riders.map((r) => of.get(r))],
  );
}

/** Who opened each check-in the batch's awards name (`opened`: check-ins to write down). */
interface Openers {
  readonly of: Map<string, string>;
  readonly opened: string[];
}

async function checkInOpeners(
  batch: Parameters<Projection['applyBatch']>[0],
  q: SqlQuery,
  s: string,
): Promise<Openers> {
  const wanted = new Set<string>();
  for (const { event } of batch)
    if (event.type === 'PointsAwarded' && event.data.checkInId !== undefined)
      wanted.add(event.data.checkInId);
  const of = await keptOf(q, `${s}.ledger_line_check_ins`, 'check_in_id', 'opened_by', wanted);
  return { of, opened: [] };
}

/** What a keeping table holds for these keys (`key` → `value`). */
async function keptOf(
  q: SqlQuery,
  table: string,
  key: string,
  value: string,
  keys: ReadonlySet<string>,
): Promise<Map<string, string>> {
  const of = new Map<string, string>();
  if (keys.size === 0) return of;
  const { rows } = await q<{ k: string; v: string }>(
    `select ${key} as k, ${value} as v from ${table} where ${key} = any($1::text[])`,
    [[...keys]],
  );
  for (const r of rows) of.set(r.k, r.v);
  return of;
}

async function keepOpeners({ of, opened }: Openers, q: SqlQuery, s: string) {
  if (opened.length === 0) return;
  await q(
    `insert into ${s}.ledger_line_check_ins (check_in_id, opened_by)
     select * from unnest($1::text[], $2::text[]) on conflict (check_in_id) do nothing`,
    [opened, opened.map((id) => of.get(id))],
  );
}

interface Line {
  riderId: string;
  entryId: string;
  type: 'award' | 'reversal' | 'redemption' | 'cancellation';
  points: number;
  balanceAfter: number;
  activity?: string;
  reason?: string;
  stationId?: string;
  items?: readonly PricedItem[];
  reversalOf?: string;
  source?: string;
  /** An award made from a check-in: the check-in. */
  checkInId?: string;
  /** Where an award's or a reversal's points count (the community they were earned in). */
  communityId?: string;
}

/** Signed points: positive credits the rider, negative debits. */
function ledgerLine(event: LedgerEvent): Line | undefined {
  const { type, data: d } = event;
  if (type === 'PointsAwarded')
    return line(d, d.entryId, 'award', d.points, {
      ...{ activity: d.activity, reason: d.reason, source: d.source },
      communityId: d.communityId,
      ...(d.checkInId !== undefined && { checkInId: d.checkInId }),
    });
  if (type === 'AwardReversed')
    return line(d, d.entryId, 'reversal', -d.points, {
      reason: d.reason,
      reversalOf: d.reversalOf,
      communityId: d.communityId,
    });
  if (type === 'RedemptionMade')
    return line(d, d.redemptionId, 'redemption', -d.points, {
      stationId: d.stationId,
      items: d.items,
    });
  if (type === 'RedemptionCancelled')
    return line(d, d.redemptionId, 'cancellation', d.points, {
      reason: d.reason,
      stationId: d.stationId,
    });
  return undefined;
}

function line(
  of: { riderId: string; balanceAfter: number },
  entryId: string,
  type: Line['type'],
  points: number,
  more: Omit<Line, 'riderId' | 'entryId' | 'type' | 'points' | 'balanceAfter'>,
): Line {
  return { riderId: of.riderId, entryId, type, points, balanceAfter: of.balanceAfter, ...more };
}
