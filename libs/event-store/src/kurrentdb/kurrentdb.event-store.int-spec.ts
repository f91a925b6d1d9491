import { describeEventStoreContract } from '../contract/event-store.contract';
import { StoreUnavailable } from '../event-store.errors';
import type { EventStore } from '../event-store.port';
import { openKurrentDbEventStore } from './kurrentdb.event-store';

/** The KurrentDB contract runs only where a server is configured; none runs on the dev machine. */
const url = process.env.KURRENTDB_URL;

if (url) {
  describeEventStoreContract('kurrentdb', async () => {
    let store = await openKurrentDbEventStore({ connectionString: url });
    return {
      get store() {
        return store;
      },
      rejectsIdsFromOtherStreams: false,
      async reopen(): Promise<EventStore> {
        await store.close();
        store = await openKurrentDbEventStore({ connectionString: url });
        return store;
      },
      async dispose() {
        await store.close();
      },
    };
  });
}

describe('kurrentdb adapter without a server', () => {
  it('answers StoreUnavailable when the server cannot be reached', async () => {
    await expect(
      openKurrentDbEventStore({ connectionString: 'esdb://127.0.0.1:1?tls=false' }),
    ).rejects.toBeInstanceOf(StoreUnavailable);
  }, 20_000);
});
