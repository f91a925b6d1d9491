import { Module, type DynamicModule } from '@nestjs/common';
import { LedgerCoreModule, LedgerModule, type LedgerConfig } from '@ledger/ledger';
import { APP_GUARD } from '@nestjs/core';
import { AuthGuard } from './auth/auth.guard';
import { AuthService } from './auth/auth.service';
import { HealthController } from './health/health.controller';
import { PrincipalsController } from './principals/principals.controller';

@Module({})
export class AppModule {
  static forRoot(config: LedgerConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [LedgerCoreModule.forRoot(config), LedgerModule],
      controllers: [HealthController, PrincipalsController],
      providers: [AuthService, { provide: APP_GUARD, useClass: AuthGuard }],
    };
  }
}
