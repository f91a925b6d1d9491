import type { SqlClient } from './sql/sql-client';
import { openEmbeddedDatabase } from './embedded/pglite.event-store';
import type { EventStore } from './event-store.port';
import type { EventStoreSettings } from './event-store.factory';
import { openKurrentDbEventStore } from './kurrentdb/kurrentdb.event-store';
import { openPostgresDatabase, pgClient, postgresPool } from './postgres/postgres.event-store';

/**
 * Everything the ledger keeps: the event log, and a SQL database for what is not an event
 * (personal data, read models, idempotency records). Embedded: one PGlite folder for both.
 * PostgreSQL: one pool for both. KurrentDB: the log there, the tables in PostgreSQL.
 */
export interface LedgerStorage {
  readonly events: EventStore;
  readonly sql: SqlClient;
  close(): Promise<void>;
}

export async function openStorage(
  settings: EventStoreSettings & { databaseUrl?: string },
): Promise<LedgerStorage> {
  switch (settings.kind) {
    case 'embedded': {
      const { events, sql } = await openEmbeddedDatabase({ dataDir: settings.dataDir });
      return { events, sql, close: () => events.close() };
    }
    case 'postgres': {
      const { events, sql } = await openPostgresDatabase({
        connectionString: settings.databaseUrl,
        schema: settings.schema,
        poolSize: settings.poolSize,
        statementTimeoutMs: settings.statementTimeoutMs,
      });
      return { events, sql, close: () => events.close() };
    }
    case 'kurrentdb': {
      if (!settings.databaseUrl)
        throw new Error('the kurrentdb store keeps its tables in PostgreSQL: DATABASE_URL');
      const pool = postgresPool({ connectionString: settings.databaseUrl });
      const events = await openKurrentDbEventStore({ connectionString: settings.kurrentDbUrl });
      const sql = pgClient(pool, 'ledger');
      return {
        events,
        sql,
        close: async () => {
          await events.close();
          await pool.end();
        },
      };
    }
  }
}

export type {
  NotificationHandlers,
  SqlClient,
  SqlQuery,
  TransactionOptions,
} from './sql/sql-client';
