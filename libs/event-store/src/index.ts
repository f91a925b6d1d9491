export * from './event-store.port';
export * from './event-store.errors';
export * from './event-store.factory';
export { openEmbeddedEventStore } from './embedded/pglite.event-store';
export {
  openPostgresEventStore,
  DEFAULT_PG_POOL_SIZE,
  DEFAULT_STATEMENT_TIMEOUT_MS,
} from './postgres/postgres.event-store';
export {
  kurrentDbConnectionString,
  openKurrentDbEventStore,
} from './kurrentdb/kurrentdb.event-store';
export * from './storage';
export { openEmbeddedDatabase } from './embedded/pglite.event-store';
export { backupEmbedded, restoreEmbedded, type BackupFigures } from './embedded/backup';
export { openPostgresDatabase } from './postgres/postgres.event-store';
export { parseDatabaseUrl, type DatabaseUrl, type PgHost } from './postgres/hosts';
export { classifiedPg, classifyPgError, sqlState, UNIQUE_VIOLATION } from './sql/pg-errors';
export { sleep } from './subscription';
export { streamEvents } from './stream-events';
