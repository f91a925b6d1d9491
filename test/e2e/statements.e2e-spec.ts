import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import {
  base64ToBytes,
  MemoryTree,
  merkleHasher,
  verifyConsistency,
  verifyStatement,
  type Statement,
} from '@ledger/domain';
import { NODE_STATEMENT_CRYPTO, TreeHeads } from '@ledger/ledger';
import { tempDir } from '@ledger/testing';
import { createHash } from 'node:crypto';
import { apiClient, openTestApi, setUpDistrict } from './api-fixture';

const hasher = merkleHasher(NODE_STATEMENT_CRYPTO.sha256);
const check = (statement: Statement, key = statement.publicKey.publicKey) =>
  verifyStatement(statement, key, NODE_STATEMENT_CRYPTO);
const copy = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;

/**
 * Issue 16: statements a rider can verify. The log is an RFC 9162 Merkle tree; a rider's
 * statement lists its events with inclusion proofs against a signed tree head, and verifies
 * offline with the public key; any change to it is refused, naming what is wrong.
 */
describe('verifiable statements', () => {
  const dir = tempDir();
  let app: NestFastifyApplication;
  let tokens: Record<string, string>;
  const call = (...args: Parameters<ReturnType<typeof apiClient>>) => apiClient(app)(...args);
  const award = (riderId: string, i: number) =>
    call(
      'POST',
      '/v1/awards',
      {
        riderId,
        activity: 'patrol',
        fundId: 'f1',
        reason: '夜间巡逻',
        occurredAt: new Date(Date.now() - 3_600_000).toISOString(),
      },
      undefined,
      { 'idempotency-key': `award-${riderId}-${i}` },
    );
  const statementOf = async (riderId: string, token?: string) => {
    const res = await call('GET', `/v1/riders/${riderId}/statement`, undefined, token);
    expect(res.status).toBe(200);
    return res.body as unknown as Statement;
  };

  beforeAll(async () => {
    app = await openTestApi(dir.path);
    tokens = await setUpDistrict(call, {
      communities: { c1: '几江街道', c2: '鼎山街道' },
      rules: [{ activity: 'patrol', points: 20 }],
      riders: { r1: 'c1', r2: 'c1', r3: 'c2' },
      principals: [
        { id: 'staff-c2', name: 's', role: 'staff', communityIds: ['c2'] },
        { id: 'rider-r1', name: 'r', role: 'rider', riderId: 'r1' },
      ],
    });
    for (let i = 0; i < 5; i++) {
      expect((await award('r1', i)).status).toBe(201);
      expect((await award(i % 2 ? 'r2' : 'r3', i)).status).toBe(201);
    }
  }, 60_000);
  afterAll(async () => {
    await app.close();
    dir.remove();
  });

  it('publishes the public key without a token', async () => {
    const res = await app.inject({ method: 'GET', url: '/v1/audit/public-key' });
    expect(res.statusCode).toBe(200);
    const key = res.json<Record<string, string>>();
    expect(key).toMatchObject({ algorithm: 'Ed25519', origin: 'rider-ledger/embedded' });
    expect(base64ToBytes(key.publicKey)).toHaveLength(32);
  });

  it('gives the rider a statement that verifies offline and adds up to its balance', async () => {
    const statement = await statementOf('r1', tokens['rider-r1']);
    const balance = await call('GET', '/v1/riders/r1/balance');
    expect(statement.balance).toBe(100);
    expect(statement.balance).toBe(balance.body.balance);
    expect(statement.entries.map((e) => e.event.type)).toEqual([
      'RiderRegistered',
      ...Array<string>(5).fill('PointsAwarded'),
    ]);
    expect(await check(statement)).toMatchObject({
      ok: true,
      problems: [],
      entries: 6,
      balance: 100,
      keyId: statement.checkpoint.keyId,
    });
  });

  it('refuses a statement changed in any way, naming what is wrong', async () => {
    const statement = await statementOf('r1');
    const cases: [string, (s: Statement) => void, RegExp][] = [
      [
        'points raised',
        (s) => ((s.entries[1].event.data as { points: number }).points = 2000),
        /content does not give its hash/,
      ],
      [
        'balance raised',
        (s) => ((s as { balance: number }).balance = 999),
        /add up to 100, the statement says 999/,
      ],
      ['an event left out', (s) => (s.entries as unknown[]).splice(2, 1), /must be all of them/],
      [
        'wrong leaf index',
        (s) => ((s.entries[3] as { leafIndex: number }).leafIndex += 1),
        /not in the signed tree/,
      ],
      [
        'a proof cut short',
        (s) => (s.entries[3].inclusionProof as string[]).pop(),
        /not in the signed tree/,
      ],
      [
        'a forged tree size',
        (s) => ((s.checkpoint as { treeSize: number }).treeSize += 1),
        /signature does not verify/,
      ],
      [
        'a forged root',
        (s) =>
          ((s.checkpoint as { rootHash: string }).rootHash = Buffer.alloc(32, 7).toString(
            'base64',
          )),
        /signature does not verify/,
      ],
      [
        'a bad signature',
        (s) =>
          ((s.checkpoint as { signature: string }).signature = Buffer.alloc(64, 1).toString(
            'base64',
          )),
        /signature does not verify/,
      ],
    ];
    for (const [what, change, problem] of cases) {
      const forged = copy(statement);
      change(forged);
      const result = await check(forged);
      expect({ what, ok: result.ok }).toEqual({ what, ok: false });
      const problems = result.problems.join('\n');
      expect({ what, problems, matches: problem.test(problems) }).toMatchObject({
        what,
        matches: true,
      });
    }
    // Another district's key: the statement is not that district's.
    const other = Buffer.from(createHash('sha256').update('other').digest()).toString('base64');
    expect((await check(statement, other)).problems.join('\n')).toMatch(/names key/);
  });

  it('is the rider’s own, its community staff’s, an admin’s or an auditor’s to read', async () => {
    const otherRider = await call('GET', '/v1/riders/r2/statement', undefined, tokens['rider-r1']);
    expect(otherRider.status).toBe(403);
    const otherStaff = await call('GET', '/v1/riders/r1/statement', undefined, tokens['staff-c2']);
    expect(otherStaff.status).toBe(403);
    expect(
      (await call('GET', '/v1/riders/r3/statement', undefined, tokens['staff-c2'])).status,
    ).toBe(200);
    expect((await call('GET', '/v1/riders/nobody/statement')).status).toBe(404);
    expect((await call('GET', '/v1/riders/r1/statement?asOf=yesterday')).status).toBe(400);
  });

  it('signs tree heads that later heads are consistent with', async () => {
    const first = (await call('GET', '/v1/audit/checkpoints/latest')).body;
    for (let i = 5; i < 9; i++) expect((await award('r2', i)).status).toBe(201);
    await app.get(TreeHeads).sign(new Date()); // what the hourly seal job does
    const second = (await call('GET', '/v1/audit/checkpoints/latest')).body;
    const [from, to] = [Number(first.treeSize), Number(second.treeSize)];
    expect(to).toBeGreaterThan(from);
    const res = await call('GET', `/v1/audit/consistency?from=${from}&to=${to}`);
    expect(res.status).toBe(200);
    const proof = (res.body.proof as string[]).map(base64ToBytes);
    const roots = [first, second].map((h) => base64ToBytes(String(h.rootHash)));
    expect(verifyConsistency(from, to, roots[0], roots[1], proof, hasher)).toBeUndefined();
    expect(verifyConsistency(from, to, roots[1], roots[0], proof, hasher)).toBeDefined();
    expect((await call('GET', `/v1/audit/consistency?from=${to}&to=${from}`)).status).toBe(400);
    expect((await call('GET', `/v1/audit/consistency?from=0&to=${to}`)).status).toBe(400);
  });

  it('holds the same tree as one rebuilt from the log itself', async () => {
    const events = (await call('GET', '/v1/audit/events?limit=1000')).body.items as {
      hash: string;
    }[];
    const head = (await call('GET', '/v1/audit/checkpoints/latest')).body;
    const tree = new MemoryTree(hasher);
    events.forEach((e) => tree.append(Buffer.from(e.hash, 'hex')));
    expect(Buffer.from(tree.root(Number(head.treeSize))).toString('base64')).toBe(head.rootHash);
  });

  it('still verifies after the rider’s personal data is erased and after a restart', async () => {
    expect((await call('DELETE', '/v1/riders/r1/personal-data')).status).toBe(204);
    const key = (await call('GET', '/v1/audit/public-key')).body.publicKey;
    await app.close();
    app = await openTestApi(dir.path);
    expect((await call('GET', '/v1/audit/public-key')).body.publicKey).toBe(key);
    const statement = await statementOf('r1');
    expect(await check(statement, String(key))).toMatchObject({ ok: true, balance: 100 });
  });
});
