import { START, type EventStore, type SqlClient } from '@ledger/event-store';
import { eventHash, storedHash } from '../write/chain';

/**
 * One-off for logs written before the hash chain (issue 06) on the SQL stores: gives every event
 * without `metadata.hash` its chain hash, in log order, and leaves hashed events as they are. The
 * only sanctioned edit of stored events, and only of their metadata; run it once, before the first
 * seal, with the API and worker stopped. Idempotent: a second run changes nothing. KurrentDB
 * events cannot be changed: a KurrentDB log starts with hashes or is verified from its first seal.
 */
export async function migrateChain(
  store: EventStore,
  sql: SqlClient,
  schema: string,
  onProgress: (checked: number) => void = () => undefined,
): Promise<{ checked: number; hashed: number }> {
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(schema)) throw new Error(`bad schema ${schema}`);
  const heads = new Map<string, string>();
  let checked = 0;
  let hashed = 0;
  for (let cursor = START; ;) {
    const page = await store.readAll({ after: cursor, limit: 1000 });
    if (page.events.length === 0) break;
    for (const event of page.events) {
      checked++;
      let hash = storedHash(event);
      if (hash === '') {
        hash = eventHash(event, heads.get(event.streamName) ?? '');
        await sql.query(
          `update ${schema}.events set metadata = metadata || jsonb_build_object('hash', $2::text)
           where global_position = $1 and not (metadata ? 'hash')`,
          [event.position, hash],
        );
        hashed++;
      }
      heads.set(event.streamName, hash);
    }
    cursor = page.cursor;
    onProgress(checked);
  }
  return { checked, hashed };
}
