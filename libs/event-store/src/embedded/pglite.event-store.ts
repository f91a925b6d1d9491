import { PGlite } from '@electric-sql/pglite';
import { resolve } from 'node:path';
import type { EventStore } from '../event-store.port';
import { classifyPgError } from '../sql/pg-errors';
import { withUnavailableErrors, type SqlClient } from '../sql/sql-client';
import { SqlEventStore } from '../sql/sql-event-store';
import { DataDirLock } from './data-dir-lock';
import { makePrivateFolder, restrictModes } from './private-folder';

export interface EmbeddedStoreOptions {
  /** Folder that holds the database; created when missing. `memory://` keeps it in memory (tests). */
  readonly dataDir: string;
  readonly schema?: string;
}

/**
 * Commits by another process are impossible (the folder is locked to this one), so an idle
 * subscription is woken by local appends; the timer only bounds how long a missed wake-up lasts.
 */
const EMBEDDED_POLL_INTERVAL_MS = 1000;

/** The embedded store: PostgreSQL compiled to WebAssembly (PGlite), in a folder on disk. */
export async function openEmbeddedEventStore(options: EmbeddedStoreOptions): Promise<EventStore> {
  return (await openEmbeddedDatabase(options)).events;
}

/**
 * The embedded folder as the whole database: the event store and, on the same PGlite, a SQL
 * client for read models and other tables. Closing `events` closes the database.
 */
export async function openEmbeddedDatabase(
  options: EmbeddedStoreOptions,
): Promise<{ events: EventStore; sql: SqlClient }> {
  const inMemory = options.dataDir.startsWith('memory://');
  const dir = inMemory ? options.dataDir : resolve(options.dataDir, 'pglite');
  let lock: DataDirLock | undefined;
  if (!inMemory) {
    makePrivateFolder(options.dataDir);
    makePrivateFolder(dir);
    lock = DataDirLock.acquire(resolve(options.dataDir));
  }
  try {
    const db = await PGlite.create(dir);
    // A finished WAL segment is removed, not renamed for reuse with its old contents: erased
    // personal data must not outlive its checkpoint in a recycled segment.
    await db.query('alter system set wal_recycle = off');
    await db.query('select pg_reload_conf()');
    const ownerOnly = () => {
      if (!inMemory) restrictModes(resolve(options.dataDir));
    };
    ownerOnly();
    const client = pgliteClient(db, () => {
      ownerOnly();
      lock?.release();
    });
    const events = await SqlEventStore.open(client, embeddedOptions(options.schema ?? 'ledger'));
    return { events, sql: client };
  } catch (error) {
    lock?.release();
    throw error;
  }
}

/** The store over an open PGlite; closing the store closes `db`, then calls `onClose`. */
export function embeddedStoreOnDb(
  db: PGlite,
  schema: string,
  onClose: () => void = () => undefined,
): Promise<EventStore> {
  return SqlEventStore.open(pgliteClient(db, onClose), embeddedOptions(schema));
}

function embeddedOptions(schema: string) {
  return {
    kind: 'embedded' as const,
    schema,
    pollIntervalMs: EMBEDDED_POLL_INTERVAL_MS,
    classifyError: classifyPgError,
    // PGlite runs one statement at a time: appends that wait for it go together.
    appendsAtOnce: 1,
  };
}

function pgliteClient(db: PGlite, onClose: () => void): SqlClient {
  return withUnavailableErrors({
    query: async <Row>(text: string, params?: readonly unknown[]) => {
      const result = await db.query<Row>(text, params ? [...params] : undefined);
      return { rows: result.rows };
    },
    exec: async (text) => {
      await db.exec(text);
    },
    transaction: (work, options) =>
      db.transaction(async (tx) => {
        if (options?.idleTimeoutMs !== undefined)
          await tx.query(
            `set local idle_in_transaction_session_timeout = ${Math.ceil(options.idleTimeoutMs)}`,
          );
        return work(async <Row>(text: string, params?: readonly unknown[]) => {
          const result = await tx.query<Row>(text, params ? [...params] : undefined);
          return { rows: result.rows };
        });
      }),
    // One process holds the folder: every NOTIFY is this process's own, heard from the start.
    listen: async (channel, handlers) => {
      const stop = await db.listen(channel, (payload) => handlers.message(payload));
      handlers.listening(true);
      return async () => {
        handlers.listening(false);
        await stop();
      };
    },
    close: async () => {
      try {
        await db.close();
      } finally {
        onClose();
      }
    },
  });
}
