import { openEmbeddedDatabase } from '@ledger/event-store';
import { describeTamperEvidence } from './testing/tamper.suite';

describeTamperEvidence('embedded (PGlite)', async () => {
  const { events, sql } = await openEmbeddedDatabase({ dataDir: 'memory://' });
  return { store: events, sql, schema: 'ledger', dispose: () => events.close() };
});
