import { openPostgresEventStore } from '@ledger/event-store';
import { dropSchema, requirePostgres, TEST_DATABASE_URL, uniqueSchema } from '@ledger/testing';
import { describeLedgerConcurrency } from '../testing/ledger-concurrency.suite';

describeLedgerConcurrency('postgres', async () => {
  await requirePostgres();
  const schema = uniqueSchema('lc');
  const store = await openPostgresEventStore({
    connectionString: TEST_DATABASE_URL,
    schema,
    poolSize: 8,
  });
  return {
    store,
    dispose: async () => {
      await store.close();
      await dropSchema(schema);
    },
  };
});
