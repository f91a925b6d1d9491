import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import {
  dropSchema,
  requirePostgres,
  tempDir,
  TEST_DATABASE_URL,
  uniqueSchema,
} from '@ledger/testing';

/** The built API (the integration run comes after `npm test`, which builds). */
const MAIN = join(__dirname, '..', '..', 'dist', 'apps', 'api', 'src', 'main.js');
const TOKEN = 'crash-test-admin-token-0123456789abcdefghij';
const RIDERS = 8;
const ROUNDS = 3;

interface Api {
  child: ChildProcess;
  url: string;
}

/** Starts the API as its own process and waits for the URL it prints. */
async function start(env: Record<string, string>): Promise<Api> {
  const child = spawn(process.execPath, [MAIN], {
    env: {
      ...process.env,
      ...env,
      PORT: '0',
      LEDGER_ADMIN_TOKEN: TOKEN,
      RATE_LIMIT_PER_MINUTE: '0',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr?.on('data', (c: Buffer) => (output += c.toString()));
  const deadline = Date.now() + 60_000;
  for (;;) {
    const url = /Rider ledger API\s+(http:\/\/\S+)\n/.exec(output)?.[1];
    if (url) return { child, url };
    if (Date.now() > deadline || child.exitCode !== null)
      throw new Error(`the API did not start:\n${output.slice(-2000)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function kill(api: Api): Promise<void> {
  const exited = new Promise((resolve) => api.child.once('exit', resolve));
  api.child.kill('SIGKILL');
  await exited;
}

async function call(api: Api, method: string, path: string, body?: unknown, key?: string) {
  const res = await fetch(`${api.url}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${TOKEN}`,
      ...(body !== undefined && { 'content-type': 'application/json' }),
      ...(key !== undefined && { 'idempotency-key': key }),
    },
    ...(body !== undefined && { body: JSON.stringify(body) }),
  });
  return {
    status: res.status,
    body: (await res.json().catch(() => ({}))) as Record<string, unknown>,
  };
}

const award = (i: number) => ({
  riderId: `r${i % RIDERS}`,
  activity: 'patrol',
  fundId: 'f1',
  reason: '夜间巡逻',
  occurredAt: new Date(Date.now() - 60_000).toISOString(),
});

/**
 * Kills the API with SIGKILL in the middle of a stream of acknowledged awards, several times, and
 * after each restart checks: every acknowledged award is there once (its key answers it again, its
 * entry is in the rider's ledger once), the fund and the balances agree, the log verifies, and the
 * read models equal a rebuild from the log.
 */
function crashSuite(
  store: string,
  prepare: () => Promise<{ env: Record<string, string>; dispose(): Promise<void> }>,
) {
  it(`loses no acknowledged write when killed mid-stream (${store})`, async () => {
    const { env, dispose } = await prepare();
    let api = await start(env);
    try {
      await call(api, 'POST', '/v1/communities', {
        id: 'c1',
        name: '艾坪山社区',
        street: '几江街道',
        district: '江津区',
      });
      await call(api, 'POST', '/v1/funds', {
        id: 'f1',
        name: '专项',
        district: '江津区',
        budgetPoints: 10_000_000,
      });
      await call(api, 'PUT', '/v1/rules', { rules: [{ activity: 'patrol', points: 10 }] });
      for (let r = 0; r < RIDERS; r++)
        await call(api, 'POST', '/v1/riders', {
          id: `r${r}`,
          communityId: 'c1',
          platform: '美团',
          occupation: 'courier',
          name: `r${r}`,
        });

      const acknowledged = new Map<string, { key: string; body: unknown; entryId: string }>();
      let next = 0;
      const refused: string[] = [];
      for (let round = 0; round < ROUNDS; round++) {
        let stop = false;
        const drivers = Array.from({ length: 8 }, async () => {
          while (!stop) {
            const i = next++;
            const key = `crash-${i}`;
            try {
              const body = award(i);
              const res = await call(api, 'POST', '/v1/awards', body, key);
              if (res.status === 201)
                acknowledged.set(key, { key, body, entryId: String(res.body.entryId) });
              else refused.push(`${res.status} ${String(res.body.code)}`);
            } catch {
              return; // the process died under this request: not acknowledged
            }
          }
        });
        await new Promise((r) => setTimeout(r, 1000 + Math.random() * 1500));
        await kill(api);
        stop = true;
        await Promise.all(drivers);
        api = await start(env);
      }
      expect({ acknowledged: acknowledged.size > 20, refused }).toEqual({
        acknowledged: true,
        refused: [],
      });

      // every acknowledged award: its key answers the same entry again, and nothing new is written
      for (const { key, body, entryId } of acknowledged.values()) {
        const again = await call(api, 'POST', '/v1/awards', body, key);
        expect({
          key,
          status: again.status,
          entryId: again.body.entryId,
          code: again.body.code,
        }).toEqual({
          key,
          status: 201,
          entryId,
          code: undefined,
        });
      }
      // …and is in its rider's ledger exactly once; no entry twice. An award the killed process
      // had half done is finished by settlement recovery: at start, or (when its statement
      // committed on the server after the new process had looked) by the next run, at most a
      // minute later. So the fund and the riders are compared until they agree, for 90 s at most.
      const tally = async () => {
        let earned = 0;
        const seen = new Map<string, number>();
        for (let r = 0; r < RIDERS; r++) {
          const ledger = await call(api, 'GET', `/v1/riders/r${r}/ledger?limit=1000`);
          for (const line of ledger.body.items as { entryId: string; points: number }[]) {
            seen.set(line.entryId, (seen.get(line.entryId) ?? 0) + 1);
            earned += line.points;
          }
        }
        const fund = await call(api, 'GET', '/v1/funds/f1');
        return { seen, earned, paid: Number(fund.body.awardedPoints) };
      };
      let t = await tally();
      for (let wait = 0; wait < 90 && t.paid !== t.earned; wait++) {
        await new Promise((r) => setTimeout(r, 1000));
        t = await tally();
      }
      for (const { entryId } of acknowledged.values())
        expect({ entryId, times: t.seen.get(entryId) }).toEqual({ entryId, times: 1 });
      expect([...t.seen.values()].every((n) => n === 1)).toBe(true);
      expect(t.paid).toBe(t.earned);
      expect((await call(api, 'GET', '/v1/audit/verification')).body).toMatchObject({ ok: true });
      const replay = await call(api, 'POST', '/v1/audit/replays');
      let status: Record<string, unknown> = {};
      for (let t = 0; t < 600 && status.status !== 'done' && status.status !== 'failed'; t++) {
        await new Promise((r) => setTimeout(r, 100));
        status = (await call(api, 'GET', `/v1/audit/replays/${String(replay.body.id)}`)).body;
      }
      expect(status).toMatchObject({ status: 'done', differences: [] });
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
