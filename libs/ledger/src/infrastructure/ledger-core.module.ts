import {
  Global,
  Inject,
  Module,
  type DynamicModule,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { openEventStore, type EventStore } from '@ledger/event-store';
import type { LedgerConfig } from '../config/ledger-config';
import { inProcessQueueProbe, redisQueueProbe, type QueueProbe } from './queue-probe';
import { EVENT_STORE, LEDGER_CONFIG, QUEUE_PROBE } from './tokens';

/**
 * The infrastructure every app shares: configuration, the event store (opened once, closed on
 * shutdown) and the queue probe. Apps import it with their loaded configuration.
 */
@Global()
@Module({})
export class LedgerCoreModule implements OnApplicationShutdown {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(QUEUE_PROBE) private readonly queue: QueueProbe,
  ) {}

  static forRoot(config: LedgerConfig): DynamicModule {
    return {
      module: LedgerCoreModule,
      providers: [
        { provide: LEDGER_CONFIG, useValue: config },
        { provide: EVENT_STORE, useFactory: () => openEventStore(config.eventStore) },
        {
          provide: QUEUE_PROBE,
          useFactory: () =>
            config.redisUrl ? redisQueueProbe(config.redisUrl) : inProcessQueueProbe(),
        },
      ],
      exports: [LEDGER_CONFIG, EVENT_STORE, QUEUE_PROBE],
    };
  }

  async onApplicationShutdown(): Promise<void> {
    await this.queue.close();
    await this.store.close();
  }
}
