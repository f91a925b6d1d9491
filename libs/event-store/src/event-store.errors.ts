import type { ExpectedRevision } from './event-store.port';

/** Base of every error the port throws; `code` is stable and safe to branch on. */
export abstract class EventStoreError extends Error {
  abstract readonly code: string;
}

/** The stream was not at the expected revision: someone else appended first. */
export class WrongExpectedRevision extends EventStoreError {
  readonly code = 'WRONG_EXPECTED_REVISION';
  constructor(
    readonly streamName: string,
    readonly expected: ExpectedRevision,
    /** -1 when the stream does not exist. */
    readonly actual: number,
  ) {
    super(`stream ${streamName}: expected revision ${String(expected)}, actual ${actual}`);
  }
}

/** An event id was stored before, but not as part of an identical earlier append. */
export class DuplicateEventId extends EventStoreError {
  readonly code = 'DUPLICATE_EVENT_ID';
  constructor(
    readonly streamName: string,
    readonly eventId: string,
  ) {
    super(`event id ${eventId} was already stored, not as a retry of this append to ${streamName}`);
  }
}

/** A malformed request: an append with no events or a bad id, data the store cannot hold, a bad cursor. */
export class InvalidArgument extends EventStoreError {
  readonly code = 'INVALID_ARGUMENT';
}

/**
 * The store could not be reached or failed. For an append the outcome may be unknown (the
 * commit may have happened): retry with the same event ids, which is safe.
 */
export class StoreUnavailable extends EventStoreError {
  readonly code = 'STORE_UNAVAILABLE';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/**
 * The store was written by a newer release (its recorded schema version is above this code's):
 * opening it would run older code on a newer layout. Upgrade the release; stores never go back.
 */
export class StoreNewerThanCode extends EventStoreError {
  readonly code = 'STORE_NEWER_THAN_CODE';
  constructor(
    readonly storeVersion: number,
    readonly codeVersion: number,
  ) {
    super(
      `the event store has schema version ${storeVersion}, written by a newer release; this release knows versions up to ${codeVersion} and does not open it (run the newer release, or restore a backup made before the upgrade)`,
    );
  }
}
