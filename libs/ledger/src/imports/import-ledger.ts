import {
  importRowKey,
  phoneClaimOf,
  remainingPoints,
  riderStream,
  upcastLedgerEvent,
  type ImportLedger,
  type ImportRow,
  type KnownFund,
  type KnownRider,
  type RiderEvent,
  type UnreadRow,
} from '@ledger/domain';
import { streamEvents, type EventStore, type StoredEvent } from '@ledger/event-store';
import type { ReadModels } from '@ledger/projections';
import { readOf } from '../commands/stream-command';
import { phoneHeldInDistrict } from '../personal-data/rider-directory';
import { FundBooks } from '../settlement/fund-books';
import { derivedId, type LedgerRequest } from '../write/ledger-request';
import type { StreamWriter } from '../write/stream-writer';

/** Streams read at once while an import's ledger is gathered. */
const READ_WIDTH = 32;

/**
 * The id of the event a row of an import writes (registration, award entry, redemption): of what
 * the row says, not of the file, so every file holding the row, however saved, names one event.
 */
export function importedEntryId(row: ImportRow): string {
  return derivedId('import', importRowKey(row));
}

/**
 * What the ledger holds that a file's rows name: its communities (and their districts), stations,
 * funds' points left, the riders with the points their events moved and when, and the riders
 * already holding the file's phone numbers.
 */
export async function importLedgerOf(
  rows: readonly (ImportRow | UnreadRow)[],
  parts: { writer: StreamWriter; store: EventStore; models: ReadModels; request: LedgerRequest },
): Promise<ImportLedger> {
  const { writer, request } = parts;
  const { timeZone } = request.context;
  const read = rows.filter((r): r is ImportRow => !('refusal' in r));
  const distinct = (pick: (row: ImportRow) => string | undefined) =>
    [...new Set(read.map(pick))].filter((id): id is string => id !== undefined);
  const districts = new Map<string, string>();
  await inParallel(
    distinct((r) => (r.kind === 'rider' ? r.communityId : undefined)),
    async (id) => {
      const { exists, state } = await readOf(writer, 'community', id, timeZone);
      if (exists) districts.set(id, state.district);
    },
  );
  const stations = new Set<string>();
  await inParallel(
    distinct((r) => (r.kind === 'redemption' ? r.stationId : undefined)),
    async (id) => {
      if ((await readOf(writer, 'station', id, timeZone)).exists) stations.add(id);
    },
  );
  const funds = new Map<string, KnownFund>();
  await inParallel(
    distinct((r) => (r.kind === 'award' ? r.fundId : undefined)),
    async (id) => {
      const fund = await FundBooks.of(writer).state(id, request);
      if (!fund.exists) return;
      const held = [...fund.reservations].filter(([, r]) => !r.released).map(([entry]) => entry);
      funds.set(id, { remaining: remainingPoints(fund), held: new Set(held) });
    },
  );
  const riders = new Map<string, KnownRider>();
  await inParallel(
    distinct((r) => r.riderId),
    async (id) => {
      const rider = await knownRider(parts.store, id);
      if (rider) riders.set(id, rider);
    },
  );
  const phoneHolders = new Map<string, string>();
  await inParallel(read, async (row) => {
    if (row.kind !== 'rider' || row.phone === undefined) return;
    const district = districts.get(row.communityId);
    const claim = district !== undefined ? phoneClaimOf(district, row.phone) : undefined;
    if (district === undefined || claim === undefined) return;
    const { phone, riderId } = row;
    const holder = await phoneHeldInDistrict(parts.models, { district, phone, riderId });
    if (holder !== undefined) phoneHolders.set(claim, holder);
  });
  return {
    ...{ timeZone, communities: districts, stations, funds, riders, phoneHolders },
    idOf: importedEntryId,
  };
}

/** A rider's registration, entries and the points each event moved, at the time its act happened. */
async function knownRider(store: EventStore, riderId: string): Promise<KnownRider | undefined> {
  let registrationId: string | undefined;
  let joinedAt: number | undefined;
  const entries = new Set<string>();
  const moves: { at: number; points: number }[] = [];
  for await (const stored of streamEvents(store, riderStream(riderId))) {
    const event = upcastLedgerEvent<RiderEvent>(stored);
    const at = actedAt(stored);
    switch (event.type) {
      case 'RiderRegistered':
        registrationId = event.data.registrationId;
        // An imported registration's date is when the rider joined; a live one's is not known.
        if (event.data.imported && event.data.occurredAt)
          joinedAt = Date.parse(event.data.occurredAt);
        break;
      case 'PointsAwarded':
        entries.add(event.data.entryId);
        moves.push({ at: Date.parse(event.data.occurredAt), points: event.data.points });
        break;
      case 'AwardReversed':
        moves.push({ at, points: -event.data.points });
        break;
      case 'RedemptionMade':
        entries.add(event.data.redemptionId);
        moves.push({ at, points: -event.data.points });
        break;
      case 'RedemptionCancelled':
        moves.push({ at, points: event.data.points });
        break;
      default:
        break;
    }
  }
  if (registrationId === undefined) return undefined;
  return { registrationId, entries, moves, ...(joinedAt !== undefined && { joinedAt }) };
}

/** When an event's act happened: its metadata's `occurredAt`, else when it was recorded. */
function actedAt(stored: StoredEvent): number {
  const occurred = stored.metadata.occurredAt;
  return typeof occurred === 'string' ? Date.parse(occurred) : stored.recordedAt.getTime();
}

/** Works through `items`, `READ_WIDTH` at a time (order of completion not kept). */
export async function inParallel<T>(
  items: readonly T[],
  work: (item: T) => Promise<void>,
  width = READ_WIDTH,
): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(width, items.length) }, async () => {
      while (next < items.length) await work(items[next++]);
    }),
  );
}
