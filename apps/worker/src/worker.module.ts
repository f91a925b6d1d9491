import { Module, type DynamicModule } from '@nestjs/common';
import { LedgerCoreModule, LedgerModule, type LedgerConfig } from '@ledger/ledger';

/** The background process: the projection runners today; BullMQ processors join with issue 05. */
@Module({})
export class WorkerModule {
  static forRoot(config: LedgerConfig): DynamicModule {
    return {
      module: WorkerModule,
      imports: [LedgerCoreModule.forRoot({ ...config, runProjections: true }), LedgerModule],
    };
  }
}
