import {
  EVENT_SCHEMA_VERSIONS,
  isLedgerEventType,
  type LedgerEvent,
  type LedgerEventType,
} from './events';
import { invariant } from './shared/domain-error';
import { sourceOfEarlierAward } from './rider/award-source';

/** An event as a store gives it back: its type, the schema version it was written with, its data. */
export interface RecordedEvent {
  readonly type: string;
  readonly schemaVersion: number;
  readonly data: Readonly<Record<string, unknown>>;
}

type EventData = Readonly<Record<string, unknown>>;

/**
 * Upcasters by event type and the version they read: each turns data of version n into version
 * n + 1. Old events are upcast on read and never rewritten (their hashes cover what was stored).
 * Raising a version in EVENT_SCHEMA_VERSIONS means adding its upcaster here
 * (docs/event-catalogue.md lists both).
 */
const UPCASTERS: Partial<
  Record<LedgerEventType, Readonly<Record<number, (data: EventData) => EventData>>>
> = {
  // v2 keeps the name beside the log and the token's hash out of it.
  PrincipalCreated: {
    1: ({ name, tokenHash, ...rest }) => ({
      ...rest,
      name: { inline: name },
      token: { legacyHash: tokenHash },
    }),
  },
  // v2 keeps the description beside the log.
  HazardReported: {
    1: ({ description, ...rest }) => ({ ...rest, description: { inline: description } }),
  },
  // v2 records where the award came from; earlier awards get it from what they carry.
  PointsAwarded: {
    1: (data) => ({ ...data, source: sourceOfEarlierAward(data) }),
  },
  // v2: the award a reservation is for records its source, as PointsAwarded v2 does.
  FundPointsReserved: {
    1: ({ award, ...rest }) => {
      const pending = award as EarlierAward;
      return { ...rest, award: { ...pending, source: sourceOfEarlierAward(pending) } };
    },
  },
};

type EarlierAward = Parameters<typeof sourceOfEarlierAward>[0];

/**
 * A recorded event in the shape the domain reads today, or `undefined` for a type that is not a
 * ledger event (a store's own, or a foreign stream's). An event newer than this code is a bug or
 * a rollback past a schema change: it fails loudly instead of being misread.
 */
export function upcast(recorded: RecordedEvent): LedgerEvent | undefined {
  if (!isLedgerEventType(recorded.type)) return undefined;
  const current = EVENT_SCHEMA_VERSIONS[recorded.type];
  invariant(
    Number.isSafeInteger(recorded.schemaVersion) && recorded.schemaVersion <= current,
    `${recorded.type} version ${recorded.schemaVersion} is newer than this code reads (${current})`,
  );
  let data = recorded.data;
  for (let version = recorded.schemaVersion; version < current; version++) {
    const step = UPCASTERS[recorded.type]?.[version];
    invariant(step !== undefined, `no upcaster for ${recorded.type} version ${version}`);
    data = step(data);
  }
  // The one place stored data becomes a typed event: the type names its shape at `current`.
  return { type: recorded.type, data } as LedgerEvent;
}

/** `upcast` for an event that must be a ledger event (a ledger stream's): anything else is a bug. */
export function upcastLedgerEvent<E extends LedgerEvent = LedgerEvent>(recorded: RecordedEvent): E {
  const event = upcast(recorded);
  invariant(event !== undefined, `${recorded.type} is not an event of the ledger`);
  return event as E;
}
