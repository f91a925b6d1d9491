import {
  dropSchema,
  requirePostgres,
  tempDir,
  TEST_DATABASE_URL,
  uniqueSchema,
} from '@ledger/testing';
import { call, eventually, kill, ledgerOf, replay, startApi } from '../support/processes';
import { waterAward, waterRedemption, type Acknowledged } from './water-district';

const RIDERS = 8;
const ROUNDS = 3;
const STOCK = 100_000;

const award = (i: number) => waterAward(i, RIDERS);
const redemption = (i: number) => waterRedemption(i, RIDERS);

/**
 * Kills the API with SIGKILL in the middle of a stream of acknowledged awards and redemptions,
 * several times, and after each restart checks: every acknowledged write is there once (its key
 * answers it again, its line is in the rider's ledger once), the fund paid what riders earned and
 * the station handed out what riders redeemed (half-done acts finished), the log verifies, and
 * the read models equal a rebuild from the log.
 */
function crashSuite(
  store: string,
  prepare: () => Promise<{ env: Record<string, string>; dispose(): Promise<void> }>,
) {
  it(`loses no acknowledged write when killed mid-stream (${store})`, async () => {
    const { env, dispose } = await prepare();
    let api = await startApi(env);
    try {
      const must = async (method: string, path: string, body: unknown) => {
        const res = await call(api, method, path, body);
        if (res.status >= 300)
          throw new Error(`${path}: ${res.status} ${JSON.stringify(res.body)}`);
      };
      await must('POST', '/v1/communities', {
        id: 'c1',
        name: '艾坪山社区',
        street: '几江街道',
        district: '江津区',
      });
      await must('POST', '/v1/funds', {
        id: 'f1',
        name: '专项',
        district: '江津区',
        budgetPoints: 10_000_000,
      });
      await must('PUT', '/v1/rules', { rules: [{ activity: 'patrol', points: 10 }] });
      await must('POST', '/v1/stations', {
        id: 's1',
        name: '几江驿站',
        district: '江津区',
        kind: 'station',
      });
      await must('PUT', '/v1/stations/s1/items/water', {
        name: '矿泉水',
        kind: 'goods',
        pricePoints: 5,
      });
      await must('POST', '/v1/stations/s1/items/water/restock', { quantity: STOCK });
      for (let r = 0; r < RIDERS; r++)
        await must('POST', '/v1/riders', {
          id: `r${r}`,
          communityId: 'c1',
          platform: '美团',
          occupation: 'courier',
          name: `r${r}`,
        });

      const acknowledged: Acknowledged[] = [];
      let next = 0;
      const refused: string[] = [];
      let cut = 0;
      const restartsMs: number[] = [];
      for (let round = 0; round < ROUNDS; round++) {
        let stop = false;
        const current = api;
        const drivers = Array.from({ length: 8 }, async () => {
          while (!stop) {
            const i = next++;
            // Two awards for every redemption: each rider earns 20 for every 5 it spends.
            const route = i % 3 === 2 ? '/v1/redemptions' : '/v1/awards';
            const key = `crash-${i}`;
            const body = route === '/v1/awards' ? award(i) : redemption(i);
            try {
              const res = await call(current, 'POST', route, body, { key });
              if (res.status === 201) {
                const id = String(res.body.entryId ?? res.body.redemptionId);
                acknowledged.push({ route, key, body, id });
              } else if (res.body.code !== 'INSUFFICIENT_BALANCE') {
                refused.push(`${route} ${res.status} ${String(res.body.code)}`);
              }
            } catch {
              cut++;
              return; // the process died under this request: not acknowledged
            }
          }
        });
        await new Promise((r) => setTimeout(r, 1000 + Math.random() * 1500));
        await kill(api);
        stop = true;
        await Promise.all(drivers);
        const restarting = Date.now();
        api = await startApi(env);
        restartsMs.push(Date.now() - restarting);
      }
      expect({
        awards: acknowledged.filter((a) => a.route === '/v1/awards').length > 20,
        redemptions: acknowledged.filter((a) => a.route === '/v1/redemptions').length > 5,
        refused,
      }).toEqual({ awards: true, redemptions: true, refused: [] });

      // Every acknowledged write: its key answers the same entry again, and nothing new is written.
      for (const { route, key, body, id } of acknowledged) {
        const again = await call(api, 'POST', route, body, { key });
        expect({
          key,
          status: again.status,
          id: String(again.body.entryId ?? again.body.redemptionId),
        }).toEqual({ key, status: 201, id });
      }
      // …and is in its rider's ledger exactly once; no line twice. An act the killed process had
      // half done is finished by settlement recovery: at start, or on PostgreSQL (where the act may
      // still be finishing in another process, and a statement can commit on the server after the
      // new process looked) by a run once the grace period is over, at most a minute later.
      // So the fund, the station and the riders are compared until they agree, for 90 s at most.
      const tally = async () => {
        let earned = 0;
        let redeemed = 0;
        const seen = new Map<string, number>();
        for (let r = 0; r < RIDERS; r++) {
          for (const line of await ledgerOf(api, `r${r}`)) {
            const id = `${line.type}:${line.entryId}`;
            seen.set(id, (seen.get(id) ?? 0) + 1);
            if (line.type === 'award') earned += line.points;
            if (line.type === 'redemption') redeemed++;
          }
        }
        const fund = await call(api, 'GET', '/v1/funds/f1');
        const items = (await call(api, 'GET', '/v1/stations/s1/items')).body.items as {
          stock: number;
        }[];
        return {
          seen,
          earned,
          paid: Number(fund.body.awardedPoints),
          redeemed,
          handedOut: STOCK - items[0].stock,
        };
      };
      const settling = Date.now();
      let t = await tally();
      // On the embedded store the folder is locked to one process, so the restarted one finishes
      // every act the killed one left half done at its start, before it serves.
      if (store === 'embedded')
        expect({ paid: t.paid, handedOut: t.handedOut }).toEqual({
          paid: t.earned,
          handedOut: t.redeemed,
        });
      await eventually(async () => {
        t = await tally();
        return t.paid === t.earned && t.handedOut === t.redeemed;
      }, 90_000);
      // The figures of the run, for docs/reliability.md.
      console.log(
        `crash figures, ${store}: ${JSON.stringify({
          rounds: ROUNDS,
          awards: acknowledged.filter((a) => a.route === '/v1/awards').length,
          redemptions: acknowledged.filter((a) => a.route === '/v1/redemptions').length,
          cutByKill: cut,
          restartMs: restartsMs,
          wholeAfterMs: Date.now() - settling,
        })}`,
      );
      for (const { route, id } of acknowledged) {
        const line = `${route === '/v1/awards' ? 'award' : 'redemption'}:${id}`;
        expect({ line, times: t.seen.get(line) }).toEqual({ line, times: 1 });
      }
      expect([...t.seen.entries()].filter(([, n]) => n !== 1)).toEqual([]);
      expect({ paid: t.paid, handedOut: t.handedOut }).toEqual({
        paid: t.earned,
        handedOut: t.redeemed,
      });
      expect((await call(api, 'GET', '/v1/audit/verification')).body).toMatchObject({ ok: true });
      expect(await replay(api)).toMatchObject({ status: 'done', differences: [] });
    } finally {
      await kill(api).catch(() => undefined);
      await dispose();
    }
  }, 240_000);
}

describe('crash: SIGKILL mid-stream, restart, nothing lost or doubled', () => {
  crashSuite('embedded', () => {
    const dir = tempDir();
    return Promise.resolve({
      env: { DATA_DIR: dir.path },
      dispose: () => Promise.resolve(dir.remove()),
    });
  });
  crashSuite('postgres', async () => {
    await requirePostgres();
    const schema = uniqueSchema('crash');
    const dir = tempDir();
    return {
      env: {
        EVENT_STORE: 'postgres',
        DATABASE_URL: TEST_DATABASE_URL,
        DATABASE_SCHEMA: schema,
        DATA_DIR: dir.path,
      },
      dispose: async () => {
        await dropSchema(schema);
        await dropSchema(`${schema}_read`);
        dir.remove();
      },
    };
  });
});
