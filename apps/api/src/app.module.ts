import { Module, type DynamicModule } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import {
  IdempotencyStore,
  OperationsQuery,
  LedgerCoreModule,
  LedgerModule,
  SQL_DATABASE,
  type LedgerConfig,
} from '@ledger/ledger';
import { APP_GUARD } from '@nestjs/core';
import { idempotentWrites } from './idempotency/idempotency.interceptor';
import { AuthGuard } from './auth/auth.guard';
import { RateLimits } from './auth/rate-limiter';
import { HealthController } from './health/health.controller';
import { MeController } from './principals/me.controller';
import { PrincipalsController } from './principals/principals.controller';
import { OrganisationController } from './organisation/organisation.controller';
import { RidersController } from './riders/riders.controller';
import { StationsController } from './stations/stations.controller';
import { RedemptionsController } from './redemptions/redemptions.controller';
import { ReportsController } from './reports/reports.controller';
import { CheckInsController } from './workflows/check-ins.controller';
import { StandingsController } from './standings/standings.controller';
import { TasksController } from './workflows/tasks.controller';
import { HazardsController } from './workflows/hazards.controller';
import { AuditController } from './audit/audit.controller';
import { StatementsController } from './audit/statements.controller';
import { ImportsController } from './imports/imports.controller';
import { LedgerHttp } from './http/ledger-http';
import { WebhooksController } from './webhooks/webhooks.controller';
import { ApiMetrics } from './metrics/api-metrics';

@Module({})
export class AppModule {
  static forRoot(config: LedgerConfig): DynamicModule {
    if (config.adminToken === undefined)
      throw new Error('the API needs an admin token (main.ts generates one)');
    return {
      module: AppModule,
      imports: [LedgerCoreModule.forRoot(config), LedgerModule],
      controllers: [
        ...idempotentWrites([
          HealthController,
          PrincipalsController,
          MeController,
          OrganisationController,
          RidersController,
          StationsController,
          RedemptionsController,
          StandingsController,
          ReportsController,
          CheckInsController,
          TasksController,
          HazardsController,
          AuditController,
          StatementsController,
          WebhooksController,
        ]),
        // An import is named by its file's SHA-256: the file is its own idempotency key.
        ImportsController,
      ],
      providers: [
        LedgerHttp,
        {
          provide: ApiMetrics,
          inject: [QueryBus],
          useFactory: (queries: QueryBus) =>
            new ApiMetrics(() => queries.execute(new OperationsQuery())),
        },
        {
          provide: RateLimits,
          useFactory: () =>
            RateLimits.of(
              {
                perMinute: config.rateLimitPerMinute,
                unauthenticatedPerMinute: config.rateLimitUnauthenticatedPerMinute,
              },
              config.redisUrl,
              config.readSchema,
            ),
        },
        { provide: APP_GUARD, useClass: AuthGuard },
        {
          provide: IdempotencyStore,
          inject: [SQL_DATABASE],
          useFactory: IdempotencyStore.openPurging,
        },
      ],
    };
  }
}
