import { Test } from '@nestjs/testing';
import { eventHash, storedHash } from './write/chain';
import { CommandBus } from '@nestjs/cqrs';
import type { EventStore } from '@ledger/event-store';
import { tempDir } from '@ledger/testing';
import { requestOf } from './testing';
import { AwardPointsCommand, type AwardResult } from './commands/award-points';
import { RegisterRiderCommand } from './commands/rider-registration';
import { StreamCommand } from './commands/stream-command';
import { loadConfig } from './config/ledger-config';
import { LedgerCoreModule } from './infrastructure/ledger-core.module';
import { EVENT_STORE, PERSONAL_DATA } from './infrastructure/tokens';
import { LedgerModule } from './ledger.module';
import { SettlementRecovery, type RecoveryReport } from './settlement/recovery';
import type { PersonalDataStore } from './personal-data/personal-data.store';

describe('LedgerModule on the CommandBus (embedded store)', () => {
  it('registers, awards through the bus, and stamps every event with who, when, why', async () => {
    const dir = tempDir();
    const moduleRef = await Test.createTestingModule({
      imports: [LedgerCoreModule.forRoot(loadConfig({ DATA_DIR: dir.path })), LedgerModule],
    }).compile();
    const app = await moduleRef.init(); // an application context: no HTTP needed here
    try {
      const bus = app.get(CommandBus);
      const admin = requestOf();
      await bus.execute(
        new StreamCommand(
          {
            kind: 'community',
            id: 'c1',
            command: {
              type: 'RegisterCommunity',
              communityId: 'c1',
              name: '几江',
              street: '几江街道',
              district: '江津区',
            },
          },
          admin,
        ),
      );
      await bus.execute(
        new StreamCommand(
          {
            kind: 'rules',
            command: { type: 'SetRules', rules: [{ activity: 'patrol', points: 20 }] },
          },
          admin,
        ),
      );
      await bus.execute(
        new StreamCommand(
          {
            kind: 'fund',
            id: 'f1',
            command: {
              type: 'CreateFund',
              fundId: 'f1',
              name: '基金',
              district: '江津区',
              budgetPoints: 1000,
            },
          },
          admin,
        ),
      );
      await bus.execute(
        new RegisterRiderCommand(
          {
            riderId: 'r1',
            communityId: 'c1',
            platform: '饿了么',
            occupation: 'food_delivery',
            name: '李小哥',
          },
          admin,
        ),
      );
      const award = await bus.execute<AwardPointsCommand, AwardResult>(
        new AwardPointsCommand(
          {
            riderId: 'r1',
            activity: 'patrol',
            fundId: 'f1',
            reason: '夜间巡逻',
            occurredAt: '2026-06-14T13:00:00Z',
          },
          requestOf(undefined, 'key-7'),
        ),
      );
      expect(award).toMatchObject({ points: 20, balanceAfter: 20, ruleVersion: 1 });
      expect(await app.get<PersonalDataStore>(PERSONAL_DATA).find('r1')).toEqual({
        name: '李小哥',
      });
      const [registered, credited] = await app.get<EventStore>(EVENT_STORE).readStream('rider-r1');
      expect(credited.type).toBe('PointsAwarded');
      expect(credited.metadata).toEqual({
        actor: { principalId: 'admin', role: 'admin' },
        occurredAt: '2026-06-14T13:00:00.000Z',
        recordedAt: '2026-06-15T04:00:00.000Z',
        correlationId: expect.any(String) as string,
        idempotencyKey: 'key-7',
        hash: eventHash(credited, storedHash(registered)), // chained to the event before it
      });
      expect(registered.metadata.hash).toBe(eventHash(registered, ''));
    } finally {
      await app.close();
      dir.remove();
    }
  });

  it('a process that starts takes up settlement recovery where the last run saved it', async () => {
    const dir = tempDir();
    const reports: RecoveryReport[] = [];
    const run = SettlementRecovery.prototype.run;
    const spy = jest.spyOn(SettlementRecovery.prototype, 'run').mockImplementation(function (
      this: SettlementRecovery,
      ...args
    ) {
      const report = run.apply(this, args);
      void report.then((r) => reports.push(r));
      return report;
    });
    const boot = async () =>
      (
        await Test.createTestingModule({
          imports: [LedgerCoreModule.forRoot(loadConfig({ DATA_DIR: dir.path })), LedgerModule],
        }).compile()
      ).init();
    try {
      const first = await boot();
      const fund = (id: string) =>
        new StreamCommand(
          {
            kind: 'fund',
            id,
            command: {
              type: 'CreateFund',
              fundId: id,
              name: id,
              district: '江津区',
              budgetPoints: 10,
            },
          },
          requestOf(),
        );
      for (const id of ['f1', 'f2', 'f3']) await first.get(CommandBus).execute(fund(id));
      await first.get(SettlementRecovery).run(new Date()); // the minute's run: reads and saves
      await first.close();
      expect(reports.map((r) => r.eventsScanned)).toEqual([0, 3]);

      const second = await boot(); // its run at start reads from the saved point: nothing old
      await second.close();
      expect(reports.map((r) => r.eventsScanned)).toEqual([0, 3, 0]);
    } finally {
      spy.mockRestore();
      dir.remove();
    }
  });
});
