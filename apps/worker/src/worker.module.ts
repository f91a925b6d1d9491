import { Module, type DynamicModule } from '@nestjs/common';
import { LedgerCoreModule, type LedgerConfig } from '@ledger/ledger';

/** The background process: BullMQ processors and projection runners register here. */
@Module({})
export class WorkerModule {
  static forRoot(config: LedgerConfig): DynamicModule {
    return { module: WorkerModule, imports: [LedgerCoreModule.forRoot(config)] };
  }
}
