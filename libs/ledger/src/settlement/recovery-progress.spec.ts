import { openEmbeddedDatabase, type EventStore, type SqlClient } from '@ledger/event-store';
import { RECOVERY_FORMAT, SqlRecoveryProgress } from './recovery-progress';

describe('SqlRecoveryProgress (the table beside the log)', () => {
  let store: EventStore;
  let sql: SqlClient;

  beforeEach(async () => {
    ({ events: store, sql } = await openEmbeddedDatabase({ dataDir: 'memory://' }));
  });

  afterEach(() => store.close());

  it('has nothing saved at first, then gives back the last state saved', async () => {
    const progress = await SqlRecoveryProgress.open(sql);
    expect(await progress.load()).toBeUndefined();
    const open = { awards: [['e1', { points: 30, at: '2026-12-03T08:00:00.000Z' }]], stock: [] };
    await progress.save({ cursor: 'c1', open });
    await progress.save({ cursor: 'c2', open });
    // Another process (another instance on the same table) reads what was saved last.
    expect(await (await SqlRecoveryProgress.open(sql)).load()).toEqual({ cursor: 'c2', open });
  });

  it('ignores a state saved in another format (the log is read from the start once)', async () => {
    const progress = await SqlRecoveryProgress.open(sql);
    await progress.save({ cursor: 'c1', open: {} });
    await sql.query('update ledger_recovery set format = $1', [RECOVERY_FORMAT + 1]);
    expect(await progress.load()).toBeUndefined();
  });
});
