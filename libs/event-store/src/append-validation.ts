import { InvalidArgument } from './event-store.errors';
import {
  ANY,
  MAX_APPEND_EVENTS,
  MAX_READ_BATCH,
  NO_STREAM,
  STREAM_EXISTS,
  type ExpectedRevision,
  type NewEvent,
} from './event-store.port';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
// eslint-disable-next-line no-control-regex
const CONTROL_CHARS = /[\u0000-\u001f\u007f]/;
/** Stream names are built by code (`streams.ts` in the domain), so a long one is a bug. */
const MAX_STREAM_NAME_LENGTH = 200;
const MAX_EVENT_TYPE_LENGTH = 100;

/** Checks an append before any adapter sees it, so every adapter refuses the same things. */
export function validateAppend(
  streamName: string,
  events: readonly NewEvent[],
  expectedRevision: ExpectedRevision,
): void {
  if (streamName.length === 0 || streamName.length > MAX_STREAM_NAME_LENGTH) {
    throw new InvalidArgument(`stream name must be 1-${MAX_STREAM_NAME_LENGTH} characters`);
  }
  if (CONTROL_CHARS.test(streamName) || streamName.startsWith('$')) {
    throw new InvalidArgument('stream name must not start with $ or contain control characters');
  }
  if (!isExpectedRevision(expectedRevision)) {
    throw new InvalidArgument(`bad expected revision ${String(expectedRevision)}`);
  }
  if (events.length === 0 || events.length > MAX_APPEND_EVENTS) {
    throw new InvalidArgument(`an append holds 1-${MAX_APPEND_EVENTS} events`);
  }
  const ids = new Set<string>();
  for (const event of events) {
    validateEvent(event);
    const id = event.eventId.toLowerCase();
    if (ids.has(id)) throw new InvalidArgument(`event id ${id} appears twice in one append`);
    ids.add(id);
  }
}

function validateEvent(event: NewEvent): void {
  if (!UUID.test(event.eventId))
    throw new InvalidArgument(`event id ${event.eventId} is not a UUID`);
  if (event.type.length === 0 || event.type.length > MAX_EVENT_TYPE_LENGTH) {
    throw new InvalidArgument(`event type must be 1-${MAX_EVENT_TYPE_LENGTH} characters`);
  }
  if (!Number.isSafeInteger(event.schemaVersion) || event.schemaVersion < 1) {
    throw new InvalidArgument(`schema version must be a positive integer`);
  }
  if (!isPlainObject(event.data)) throw new InvalidArgument('event data must be a JSON object');
  if (!isPlainObject(event.metadata)) throw new InvalidArgument('metadata must be a JSON object');
  if (Object.keys(event.metadata).some((key) => key.startsWith('$'))) {
    throw new InvalidArgument('metadata keys starting with $ are reserved for the store');
  }
}

function isExpectedRevision(value: ExpectedRevision): boolean {
  if (value === NO_STREAM || value === ANY || value === STREAM_EXISTS) return true;
  return Number.isSafeInteger(value) && value >= 0;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A read's `limit`, as every adapter takes it: default and cap MAX_READ_BATCH, at least 1. */
export function clampLimit(limit: number | undefined): number {
  if (limit === undefined) return MAX_READ_BATCH;
  if (!Number.isSafeInteger(limit) || limit < 1) throw new InvalidArgument('limit must be ≥ 1');
  return Math.min(limit, MAX_READ_BATCH);
}

/** The end of an exhaustive switch: reaching it is a bug. */
export function assertNever(value: never): never {
  throw new Error(`unhandled case ${JSON.stringify(value)}`);
}
