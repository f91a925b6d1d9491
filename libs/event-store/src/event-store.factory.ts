import { assertNever } from './append-validation';
import { openEmbeddedEventStore } from './embedded/pglite.event-store';
import type { EventStore } from './event-store.port';
import { openKurrentDbEventStore } from './kurrentdb/kurrentdb.event-store';
import { openPostgresEventStore } from './postgres/postgres.event-store';

export type EventStoreSettings =
  | { readonly kind: 'embedded'; readonly dataDir: string }
  | {
      readonly kind: 'postgres';
      readonly databaseUrl: string;
      readonly schema: string;
      readonly poolSize: number;
      readonly statementTimeoutMs?: number;
    }
  | { readonly kind: 'kurrentdb'; readonly kurrentDbUrl: string };

/** Opens the adapter the settings name; the only place that knows all three. */
export function openEventStore(settings: EventStoreSettings): Promise<EventStore> {
  switch (settings.kind) {
    case 'embedded':
      return openEmbeddedEventStore({ dataDir: settings.dataDir });
    case 'postgres':
      return openPostgresEventStore({
        connectionString: settings.databaseUrl,
        schema: settings.schema,
        poolSize: settings.poolSize,
        statementTimeoutMs: settings.statementTimeoutMs,
      });
    case 'kurrentdb':
      return openKurrentDbEventStore({ connectionString: settings.kurrentDbUrl });
    default:
      return assertNever(settings);
  }
}
