import { Module, type DynamicModule } from '@nestjs/common';
import { LedgerCoreModule, LedgerModule, type LedgerConfig } from '@ledger/ledger';
import { HealthController } from './health/health.controller';

@Module({})
export class AppModule {
  static forRoot(config: LedgerConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [LedgerCoreModule.forRoot(config), LedgerModule],
      controllers: [HealthController],
    };
  }
}
