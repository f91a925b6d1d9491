import type { Projection } from '../projection';
import { registered } from './events';
import { projectionSpec } from './projection-spec';

/** A projection that is wrong on purpose: it counts batches, so its rows depend on their boundaries. */
const batchCounter: Projection = {
  name: 'batch-counter',
  tables: [{ name: 'batches', orderBy: 'id' }],
  ddl: (s) => `create table ${s}.batches (id int primary key, n int not null);
    insert into ${s}.batches values (1, 0);`,
  async applyBatch(_batch, q, { schema }) {
    await q(`update ${schema}.batches set n = n + 1`);
  },
};

describe('the projection spec helper', () => {
  const spec = projectionSpec(batchCounter);

  it('fails a projection whose rows depend on batch boundaries', async () => {
    await expect(
      spec.given([registered('r1'), registered('r2')]).then({ batches: [{ id: 1, n: 1 }] }),
    ).rejects.toThrow(/batches/);
  });

  it('fails rows that differ from the expected ones, and names an unknown table', async () => {
    await expect(spec.given([]).then({ batches: [{ id: 1, n: 7 }] })).rejects.toThrow();
    await expect(spec.given([]).then({ nope: [] })).rejects.toThrow(/has no table nope/);
    await expect(spec.given([]).then({ batches: [{ id: 1, n: 0 }] })).resolves.toBeDefined();
  });
});
