import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import type { EventStore } from '@ledger/event-store';
import {
  closeOnSignals,
  ConfigError,
  EVENT_STORE,
  exitOnStartupError,
  JsonLogger,
  loadConfig,
  QUEUE_PROBE,
  type QueueProbe,
} from '@ledger/ledger';
import { WorkerModule } from './worker.module';

async function main(): Promise<void> {
  const config = loadConfig();
  if (config.eventStore.kind === 'embedded') {
    // The embedded folder belongs to one process, and the API runs its jobs in-process there.
    throw new ConfigError([
      'the worker runs beside a server store: set EVENT_STORE=postgres or kurrentdb (and REDIS_URL)',
    ]);
  }
  if (!config.redisUrl)
    throw new ConfigError(['the worker takes its jobs from Redis: set REDIS_URL']);
  const app = await NestFactory.createApplicationContext(WorkerModule.forRoot(config), {
    logger: new JsonLogger(),
  });
  const store = app.get<EventStore>(EVENT_STORE);
  const queue = await app.get<QueueProbe>(QUEUE_PROBE).check();
  await store.ping();
  console.log(
    `worker ready: event store ${store.kind}, queue ${queue.kind} (${queue.status}); projections and jobs running`,
  );
  closeOnSignals(app, 'the worker');
}

main().catch(exitOnStartupError);
