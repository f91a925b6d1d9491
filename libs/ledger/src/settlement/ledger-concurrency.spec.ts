import { openEmbeddedEventStore } from '@ledger/event-store';
import { describeLedgerConcurrency } from '../testing/ledger-concurrency.suite';

describeLedgerConcurrency('embedded (PGlite)', async () => {
  const store = await openEmbeddedEventStore({ dataDir: 'memory://' });
  return { store, dispose: () => store.close() };
});
