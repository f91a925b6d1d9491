import { EventStoreError, InvalidArgument, StoreUnavailable } from '../event-store.errors';

/**
 * SQLSTATEs that mean "the server cannot serve now", not "this request is wrong": shutdown,
 * crash, start-up, too many connections, out of resources, a deadlock, and 57014, a statement
 * cancelled by `statement_timeout` (the server was too slow; the statement was rolled back), and
 * 25006, a write refused by a read-only server (a standby, or a primary set read-only).
 */
const UNAVAILABLE_STATES = new Set([
  '57P01',
  '57P02',
  '57P03',
  '53300',
  '53400',
  '40P01',
  '57014',
  '25006',
]);
/** SQLSTATEs caused by the data itself (a NUL in JSON text, a value too large …). */
const BAD_DATA_STATES = new Set(['22P05', '22021', '22P02', '54000', '22003']);
/** Node socket errors seen when the server is down or the connection breaks. */
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EHOSTUNREACH',
  'EAI_AGAIN',
]);
const NETWORK_MESSAGES =
  /connection terminated|timeout exceeded when trying to connect|connection is closed|client has encountered a connection error|cannot use a pool after calling end|query read timeout|PGlite is closed/i;

/** The SQLSTATE of a unique violation; an append maps it to `DuplicateEventId` itself. */
export const UNIQUE_VIOLATION = '23505';

export function sqlState(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

/** `StoreUnavailable` when a `pg` or PGlite error says the database cannot serve now. */
export function unavailableError(error: unknown): StoreUnavailable | undefined {
  if (error instanceof StoreUnavailable) return error;
  const code = sqlState(error);
  const message = error instanceof Error ? error.message : String(error);
  if (code !== undefined && (code.startsWith('08') || UNAVAILABLE_STATES.has(code))) {
    return new StoreUnavailable(`database unavailable (${code})`, { cause: error });
  }
  if (code !== undefined && NETWORK_CODES.has(code)) {
    return new StoreUnavailable(`database unreachable (${code})`, { cause: error });
  }
  if (NETWORK_MESSAGES.test(message)) {
    return new StoreUnavailable('database connection lost', { cause: error });
  }
  return undefined;
}

/** Classifies an error from `pg` or PGlite into a port error, or `undefined` to rethrow as is. */
export function classifyPgError(error: unknown): EventStoreError | undefined {
  if (error instanceof EventStoreError) return error;
  const unavailable = unavailableError(error);
  if (unavailable) return unavailable;
  const code = sqlState(error);
  if (code !== undefined && BAD_DATA_STATES.has(code)) {
    return new InvalidArgument(`the store cannot hold this data (${code})`, { cause: error });
  }
  return undefined;
}

/** Runs a call on the SQL database beside the log, its driver errors turned into the port's. */
export async function classifiedPg<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw classifyPgError(error) ?? error;
  }
}
