import { START, type EventStore } from '@ledger/event-store';
import {
  EVENT_STORE,
  Importer,
  KeptTexts,
  PrincipalTokens,
  Progress,
  READ_MODELS,
  withLedger,
  type LedgerConfig,
} from '@ledger/ledger';
import type { ReadModels } from '@ledger/projections';
import { CommandBus } from '@nestjs/cqrs';
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { Loader, type Loaded } from './loader';
import { seedPlan } from './plan';

/** The store already holds a ledger: seeding it would mix demo data into real data. */
export class SeedRefused extends Error {}

export type SeedSummary = Loaded & { events: number; seconds: number };

export interface SeedOptions {
  scale?: number;
  seed?: number;
  quiet?: boolean;
  riders?: number;
  stations?: number;
  awardsPerRider?: number;
  /** Bring the read models up to date at the end (default); a bench that rebuilds them skips it. */
  readModels?: boolean;
}

/**
 * Loads the demo district through the ledger's own command handlers and its import of past
 * history (every invariant holds, every event is chained): a year of awards and redemptions at
 * the stations with their original dates, a few reversals and two open tasks.
 * Refuses a store that already holds events. Used by `npm run seed` and `npm start -- --demo`.
 */
export async function seedDistrict(
  config: LedgerConfig,
  options: SeedOptions = {},
): Promise<SeedSummary> {
  const started = Date.now();
  const plan = seedPlan(options.scale ?? 1, options.seed ?? 2026, options.awardsPerRider, {
    riders: options.riders,
    stations: options.stations,
  });
  // Projections wait until the end: one catch-up in large batches beats following every write.
  return withLedger(config, async (app) => {
    const store = app.get<EventStore>(EVENT_STORE);
    if ((await store.headCursor()) !== START)
      throw new SeedRefused('the store already holds a ledger; seed an empty one (a new DATA_DIR)');
    const beside = { texts: app.get(KeptTexts), tokens: app.get(PrincipalTokens) };
    const quiet = options.quiet ?? false;
    const loader = new Loader(
      app.get(CommandBus),
      app.get(Importer),
      beside,
      config.timeZone,
      quiet,
    );
    const loaded = await loader.load(plan);
    const head = store.positionOf(await store.headCursor()) ?? 0;
    if (options.readModels ?? true) {
      const projecting = options.quiet ? undefined : new Progress('read models', head);
      await app.get<ReadModels>(READ_MODELS).catchUp({ onProgress: (n) => projecting?.update(n) });
      projecting?.done();
    }
    return { ...loaded, events: head, seconds: (Date.now() - started) / 1000 };
  });
}

/** Where the demo principals' tokens are kept: in the embedded folder, or here. */
export function demoTokensFile(config: LedgerConfig): string {
  return resolve(config.eventStore.kind === 'embedded' ? config.dataDir : '.', 'demo-tokens.json');
}

/** Writes the demo principals' tokens (owner-only file) beside the embedded store, or here; answers its path. */
export function writeDemoTokens(config: LedgerConfig, tokens: SeedSummary['tokens']): string {
  const file = demoTokensFile(config);
  writeFileSync(file, `${JSON.stringify(tokens, null, 2)}\n`, { mode: 0o600 });
  return file;
}
