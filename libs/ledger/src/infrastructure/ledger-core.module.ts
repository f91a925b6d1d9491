import {
  Global,
  Inject,
  Module,
  type DynamicModule,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { openStorage, type LedgerStorage } from '@ledger/event-store';
import type { LedgerConfig } from '../config/ledger-config';
import { inProcessQueueProbe, redisQueueProbe, type QueueProbe } from './queue-probe';
import { EVENT_STORE, LEDGER_CONFIG, LEDGER_STORAGE, QUEUE_PROBE, SQL_DATABASE } from './tokens';

/**
 * The infrastructure every app shares: configuration, the storage (event store and the SQL
 * database beside it, opened once, closed on shutdown) and the queue probe. Apps import it with their loaded configuration.
 */
@Global()
@Module({})
export class LedgerCoreModule implements OnApplicationShutdown {
  constructor(
    @Inject(LEDGER_STORAGE) private readonly storage: LedgerStorage,
    @Inject(QUEUE_PROBE) private readonly queue: QueueProbe,
  ) {}

  static forRoot(config: LedgerConfig): DynamicModule {
    return {
      module: LedgerCoreModule,
      providers: [
        { provide: LEDGER_CONFIG, useValue: config },
        {
          provide: LEDGER_STORAGE,
          useFactory: () => openStorage({ ...config.eventStore, databaseUrl: config.databaseUrl }),
        },
        {
          provide: EVENT_STORE,
          inject: [LEDGER_STORAGE],
          useFactory: (s: LedgerStorage) => s.events,
        },
        {
          provide: SQL_DATABASE,
          inject: [LEDGER_STORAGE],
          useFactory: (s: LedgerStorage) => s.sql,
        },
        {
          provide: QUEUE_PROBE,
          useFactory: () =>
            config.redisUrl ? redisQueueProbe(config.redisUrl) : inProcessQueueProbe(),
        },
      ],
      exports: [LEDGER_CONFIG, EVENT_STORE, SQL_DATABASE, QUEUE_PROBE],
    };
  }

  async onApplicationShutdown(): Promise<void> {
    await this.queue.close();
    await this.storage.close();
  }
}
