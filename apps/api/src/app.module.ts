import { Module, type DynamicModule } from '@nestjs/common';
import { LedgerCoreModule, LedgerModule, type LedgerConfig } from '@ledger/ledger';
import { APP_GUARD, APP_INTERCEPTOR } from '@nestjs/core';
import { SQL_DATABASE } from '@ledger/ledger';
import type { SqlClient } from '@ledger/event-store';
import { IdempotencyInterceptor } from './idempotency/idempotency.interceptor';
import { IdempotencyStore } from './idempotency/idempotency.store';
import { AuthGuard } from './auth/auth.guard';
import { AuthService } from './auth/auth.service';
import { RateLimiter } from './auth/rate-limiter';
import { HealthController } from './health/health.controller';
import { PrincipalsController } from './principals/principals.controller';
import { OrganisationController } from './organisation/organisation.controller';
import { RidersController } from './riders/riders.controller';
import { StationsController } from './stations/stations.controller';
import { RedemptionsController } from './redemptions/redemptions.controller';
import { StandingsController } from './standings/standings.controller';
import { TasksController } from './workflows/tasks.controller';
import { HazardsController } from './workflows/hazards.controller';
import { AuditController } from './audit/audit.controller';
import { LedgerHttp } from './http/ledger-http';

/** Expired keys are purged at start and every hour (kept 48 h, so always at least the 24 h of api.md). */
const PURGE_INTERVAL_MS = 60 * 60 * 1000;

async function openIdempotencyStore(sql: SqlClient): Promise<IdempotencyStore> {
  const store = await IdempotencyStore.open(sql);
  await store.purgeExpired();
  setInterval(() => void store.purgeExpired().catch(() => undefined), PURGE_INTERVAL_MS).unref();
  return store;
}

@Module({})
export class AppModule {
  static forRoot(config: LedgerConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [LedgerCoreModule.forRoot(config), LedgerModule],
      controllers: [
        HealthController,
        PrincipalsController,
        OrganisationController,
        RidersController,
        StationsController,
        RedemptionsController,
        StandingsController,
        TasksController,
        HazardsController,
        AuditController,
      ],
      providers: [
        AuthService,
        LedgerHttp,
        { provide: RateLimiter, useValue: new RateLimiter(config.rateLimitPerMinute) },
        { provide: APP_GUARD, useClass: AuthGuard },
        { provide: IdempotencyStore, inject: [SQL_DATABASE], useFactory: openIdempotencyStore },
        { provide: APP_INTERCEPTOR, useClass: IdempotencyInterceptor },
      ],
    };
  }
}
