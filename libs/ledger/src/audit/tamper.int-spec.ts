import { openPostgresDatabase } from '@ledger/event-store';
import { dropSchema, requirePostgres, TEST_DATABASE_URL, uniqueSchema } from '@ledger/testing';
import { describeTamperEvidence } from './testing/tamper.suite';

describeTamperEvidence('postgres', async () => {
  await requirePostgres();
  const schema = uniqueSchema('tamper');
  const { events, sql } = await openPostgresDatabase({
    connectionString: TEST_DATABASE_URL,
    schema,
    poolSize: 4,
  });
  return {
    store: events,
    sql,
    schema,
    dispose: async () => {
      await events.close();
      await dropSchema(schema);
    },
  };
});
