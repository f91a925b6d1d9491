import { openPostgresDatabase } from '@ledger/event-store';
import { dropSchema, requirePostgres, TEST_DATABASE_URL, uniqueSchema } from '@ledger/testing';
import { describeRebuildProperty } from './testing/rebuild-property.suite';

describeRebuildProperty('postgres', async () => {
  await requirePostgres();
  const schema = uniqueSchema('rm');
  const { events, sql } = await openPostgresDatabase({
    connectionString: TEST_DATABASE_URL,
    schema,
  });
  return {
    store: events,
    sql,
    schema: `${schema}_read`,
    dispose: async () => {
      await events.close();
      for (const s of [schema, `${schema}_read`, `${schema}_read_shadow`]) await dropSchema(s);
    },
  };
});
