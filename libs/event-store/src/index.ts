export * from './event-store.port';
export * from './event-store.errors';
export * from './event-store.factory';
export { openEmbeddedEventStore } from './embedded/pglite.event-store';
export { openPostgresEventStore, DEFAULT_PG_POOL_SIZE } from './postgres/postgres.event-store';
export { openKurrentDbEventStore } from './kurrentdb/kurrentdb.event-store';
