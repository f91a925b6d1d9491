import { Command, InvalidArgumentError } from 'commander';
import {
  backupEmbedded,
  EventStoreError,
  InvalidArgument,
  openEventStore,
  restoreEmbedded,
  START,
  type EventStore,
} from '@ledger/event-store';
import { ConfigError, loadConfig } from '@ledger/ledger';
import { seedDistrict, SeedRefused, writeDemoTokens } from '@ledger/seed';
import { auditCommands, EXIT, UsageError } from './audit-commands';
import { importCommands } from './import-commands';
import { statementCommands } from './statement-commands';

const program = new Command()
  .name('ledger')
  .description(
    'Rider ledger command line: read, check, seal, replay and export the ledger; load the demo district. Exit codes: 0 ok, 1 failure, 2 usage or refused, 3 store unavailable, 4 does not verify / differs.',
  )
  .showHelpAfterError();

program
  .command('events')
  .description('print the event log in global order as NDJSON, one event per line')
  .option('--after <cursor>', 'start after this cursor (from a previous line\'s "cursor")', START)
  .option('--limit <n>', 'stop after n events', positiveInteger, Number.MAX_SAFE_INTEGER)
  .option(
    '--stream <name>',
    "only events of this stream; a name ending in * takes every stream it begins (fund-x* is all of fund x's books)",
  )
  .action(async (options: { after: string; limit: number; stream?: string }) => {
    const wanted = streamFilter(options.stream);
    await withStore(async (store) => {
      let printed = 0;
      let cursor = options.after;
      while (printed < options.limit) {
        const page = await store.readAll({
          after: cursor,
          limit: Math.min(1000, options.limit - printed),
        });
        if (page.events.length === 0) break;
        for (const event of page.events) {
          if (!wanted(event.streamName)) continue;
          if (!process.stdout.write(`${JSON.stringify(event)}\n`)) await drained();
          printed++;
        }
        cursor = page.cursor;
      }
    });
  });

program
  .command('ping')
  .description('check that the configured event store answers')
  .action(async () => {
    await withStore(async (store) => {
      await store.ping();
      console.log(`${store.kind}: up`);
    });
  });

program
  .command('seed')
  .description(
    'load the demo district (Jiangjin: 5 streets, 63 communities, 1,500 riders, 51 stations, a year of awards) into an empty store',
  )
  .option('--scale <fraction>', 'a fraction of the district (0 < scale <= 1)', fraction, 1)
  .option('--seed <n>', 'seed of the generator (same seed, same district)', positiveInteger, 2026)
  .option(
    '--riders <n>',
    'riders, whatever the scale (a Chengdu-sized city: 75000)',
    positiveInteger,
  )
  .option('--stations <n>', 'stations, whatever the scale (Chengdu: 240)', positiveInteger)
  .option('--awards-per-rider <n>', 'awards over the year of an average rider', wholeNumber, 20)
  .action(
    async (options: {
      scale: number;
      seed: number;
      riders?: number;
      stations?: number;
      awardsPerRider: number;
    }) => {
      const config = loadConfig();
      const summary = await seedDistrict(config, options);
      const file = writeDemoTokens(config, summary.tokens);
      const { tokens: _tokens, ...figures } = summary;
      console.log(JSON.stringify({ ...figures, tokensFile: file }));
    },
  );

program
  .command('backup <file>')
  .description(
    'copy the embedded folder (DATA_DIR: log, read models, personal data) into one file; refused while the API holds the folder. PostgreSQL: pg_dump, see docs/operations.md',
  )
  .action(async (file: string) => {
    const dataDir = embeddedFolder('backup');
    console.log(JSON.stringify(await refusedAsUsage(backupEmbedded(dataDir, file))));
  });

program
  .command('restore <file>')
  .description(
    'make a new embedded folder at DATA_DIR from a backup; refused when DATA_DIR already holds a store. Then `ledger verify`',
  )
  .action(async (file: string) => {
    const dataDir = embeddedFolder('restore');
    console.log(JSON.stringify(await refusedAsUsage(restoreEmbedded(file, dataDir))));
  });

auditCommands(program);
statementCommands(program);
importCommands(program);

/** The embedded folder a backup or restore works on; a usage error on the other stores. */
function embeddedFolder(verb: string): string {
  const config = loadConfig();
  if (config.eventStore.kind !== 'embedded')
    throw new UsageError(
      `ledger ${verb} works on the embedded folder; with EVENT_STORE=${config.eventStore.kind} use the store's own tools (pg_dump and pg_restore for PostgreSQL: docs/operations.md, "Backups")`,
    );
  return config.dataDir;
}

/** A refusal of the store (no store there, a folder in the way, not a backup) exits 2. */
async function refusedAsUsage<T>(work: Promise<T>): Promise<T> {
  try {
    return await work;
  } catch (error) {
    if (error instanceof InvalidArgument) throw new UsageError(error.message);
    throw error;
  }
}

// Pipe-friendly: `ledger export … | head` ends quietly when the reader has had enough.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(EXIT.ok);
  throw error;
});

async function withStore(work: (store: EventStore) => Promise<void>): Promise<void> {
  const store = await openEventStore(loadConfig().eventStore);
  try {
    await work(store);
  } finally {
    await store.close();
  }
}

function fraction(value: string): number {
  const n = Number(value);
  if (!(n > 0 && n <= 1)) throw new InvalidArgumentError('must be a number above 0, at most 1');
  return n;
}

function positiveInteger(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < 1) throw new InvalidArgumentError('must be a positive integer');
  return n;
}

function wholeNumber(value: string): number {
  if (!/^\d+$/.test(value)) throw new InvalidArgumentError('must be a whole number');
  return Number(value);
}

function drained(): Promise<void> {
  return new Promise((resolve) => process.stdout.once('drain', resolve));
}

program.parseAsync(process.argv).catch((error: unknown) => {
  if (error instanceof ConfigError || error instanceof SeedRefused || error instanceof UsageError) {
    console.error(error.message);
    process.exitCode = EXIT.usage;
  } else if (error instanceof EventStoreError && error.code === 'STORE_UNAVAILABLE') {
    console.error(`event store unavailable: ${error.message}`);
    process.exitCode = EXIT.unavailable;
  } else {
    console.error(error instanceof Error ? error.message : error);
    process.exitCode = EXIT.failure;
  }
});

/** `--stream`: one stream by name, or every stream a prefix ending in `*` begins. */
function streamFilter(stream: string | undefined): (name: string) => boolean {
  if (stream === undefined) return () => true;
  if (stream.endsWith('*')) {
    const prefix = stream.slice(0, -1);
    return (name) => name.startsWith(prefix);
  }
  return (name) => name === stream;
}
