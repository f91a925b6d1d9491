import { openEmbeddedDatabase } from '@ledger/event-store';
import { loadConfig, verifyLog } from '@ledger/ledger';
import { tempDir } from '@ledger/testing';
import { seedDistrict, SeedRefused } from './seed';

describe('seeding the demo district', () => {
  const dir = tempDir();
  afterAll(() => dir.remove());

  it('loads a small district that keeps every invariant, and refuses to seed it twice', async () => {
    const config = loadConfig({ DATA_DIR: dir.path });
    const summary = await seedDistrict(config, { scale: 0.03, quiet: true });
    expect(summary).toMatchObject({ communities: 5, stations: 2, riders: 45 });
    expect(summary.awards).toBeGreaterThan(300);
    expect(summary.redemptions).toBeGreaterThan(0);
    expect(summary.tokens.map((t) => t.role)).toEqual(
      expect.arrayContaining(['staff', 'station', 'verifier', 'auditor', 'rider']),
    );

    const { events, sql } = await openEmbeddedDatabase({ dataDir: dir.path });
    try {
      const totals = await sql.query<Record<string, string>>(
        `select sum(balance) as balance, sum(earned) as earned, sum(redeemed) as redeemed,
           sum(reversed) as reversed, min(balance) as lowest from read.balances`,
      );
      const t = totals.rows[0];
      // product.md invariant 3: balances + redeemed = awarded − reversed; none below zero
      expect(Number(t.balance) + Number(t.redeemed)).toBe(Number(t.earned) - Number(t.reversed));
      expect(Number(t.lowest)).toBeGreaterThanOrEqual(0);
      const fund = await sql.query<Record<string, string>>(
        'select budget_points, awarded_points, reversed_points from read.funds',
      );
      const f = fund.rows[0];
      expect(Number(f.awarded_points) - Number(f.reversed_points)).toBe(
        Number(t.earned) - Number(t.reversed),
      );
      expect(Number(f.awarded_points) - Number(f.reversed_points)).toBeLessThanOrEqual(
        Number(f.budget_points),
      );
      expect(await verifyLog(events)).toMatchObject({ ok: true, eventsChecked: summary.events });
      // The demo rider's own account keeps its name as the rider's personal data (erased with it).
      const rider = summary.tokens.find((t) => t.role === 'rider');
      const riderId = rider?.id.replace(/^rider-/, '') ?? '';
      const subjects = await sql.query<{ subject: string }>(
        `select k.subject from kept_texts k join read.principals p on p.name_text_id = k.text_id
         where p.principal_id = $1`,
        [rider?.id],
      );
      expect(subjects.rows).toEqual([{ subject: `rider:${riderId}` }]);
      // Two tasks open for the demo rider to sign up for.
      const open = await sql.query<{ n: string }>(
        'select count(*) as n from read.tasks where starts_at <= now() and ends_at > now()',
      );
      expect(Number(open.rows[0].n)).toBe(2);
    } finally {
      await events.close();
    }
    await expect(seedDistrict(config, { scale: 0.03, quiet: true })).rejects.toBeInstanceOf(
      SeedRefused,
    );
  }, 60_000);
});
