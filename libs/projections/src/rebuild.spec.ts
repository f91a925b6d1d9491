import { openEmbeddedDatabase } from '@ledger/event-store';
import { describeRebuildProperty } from './testing/rebuild-property.suite';

describeRebuildProperty('embedded (PGlite)', async () => {
  const { events, sql } = await openEmbeddedDatabase({ dataDir: 'memory://' });
  return { store: events, sql, schema: 'read', dispose: () => events.close() };
});
