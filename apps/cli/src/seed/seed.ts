import { CommandBus } from '@nestjs/cqrs';
import { isDomainError, type Actor, type DomainError, type Role } from '@ledger/domain';
import { START, type EventStore } from '@ledger/event-store';
import {
  AwardPointsCommand,
  EVENT_STORE,
  MakeRedemptionCommand,
  newToken,
  READ_MODELS,
  RegisterRiderCommand,
  ReverseAwardCommand,
  StreamCommand,
  tokenHash,
  type AwardResult,
  type LedgerConfig,
  type LedgerRequest,
  type RedemptionResult,
  type ReversalResult,
  type StreamCommandBody,
} from '@ledger/ledger';
import type { ReadModels } from '@ledger/projections';
import { randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { withLedger } from '../ledger-context';
import { Progress } from '../progress';
import {
  CATALOGUE,
  DEMO_BADGES,
  DEMO_FUND,
  DEMO_RULES,
  JIANGJIN,
  prng,
  seedPlan,
  type SeedPlan,
} from './plan';

/** Writes the demo principals' tokens (owner-only file) beside the embedded store, or here; answers its path. */
export function writeDemoTokens(config: LedgerConfig, tokens: SeedSummary['tokens']): string {
  const file = resolve(
    config.eventStore.kind === 'embedded' ? config.dataDir : '.',
    'demo-tokens.json',
  );
  writeFileSync(file, `${JSON.stringify(tokens, null, 2)}\n`, { mode: 0o600 });
  return file;
}

/** The store already holds a ledger: seeding it would mix demo data into real data. */
export class SeedRefused extends Error {}

export interface SeedSummary {
  communities: number;
  stations: number;
  riders: number;
  awards: number;
  refusedAwards: number;
  reversals: number;
  redemptions: number;
  events: number;
  seconds: number;
  /** Demo principals and their tokens (shown once; stored only as hashes). */
  tokens: { id: string; role: Role; token: string }[];
}

/** Riders seeded at once: awards of different riders go in parallel, group-committed on the fund. */
const PARALLEL_RIDERS = 64;
const ADMIN: Actor = { principalId: 'admin', role: 'admin', communityIds: [], stationIds: [] };

/**
 * Loads the demo district through the ledger's own command handlers (every invariant holds, every
 * event is chained), with a year of awards, a few reversals and redemptions at the stations.
 * Refuses a store that already holds events.
 */
export async function seedDistrict(
  config: LedgerConfig,
  options: {
    scale?: number;
    seed?: number;
    quiet?: boolean;
    riders?: number;
    stations?: number;
    awardsPerRider?: number;
    /** Bring the read models up to date at the end (default); a bench that rebuilds them skips it. */
    readModels?: boolean;
  } = {},
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
    const loader = new Loader(app.get(CommandBus), config.timeZone, options.quiet ?? false);
    const summary = await loader.load(plan);
    const head = store.positionOf(await store.headCursor()) ?? 0;
    if (options.readModels ?? true) {
      const projecting = options.quiet ? undefined : new Progress('read models', head);
      await app.get<ReadModels>(READ_MODELS).catchUp({ onProgress: (n) => projecting?.update(n) });
      projecting?.done();
    }
    return { ...summary, events: head, seconds: (Date.now() - started) / 1000 };
  });
}

class Loader {
  private readonly random = prng(7);

  constructor(
    private readonly commands: CommandBus,
    private readonly timeZone: string,
    private readonly quiet: boolean,
  ) {}

  async load(plan: SeedPlan): Promise<Omit<SeedSummary, 'events' | 'seconds'>> {
    const now = Date.now();
    await this.organisation(plan);
    const tokens = await this.principals(plan);
    const staffOf = new Map(
      JIANGJIN.streets.map((street, i) => [street, staffActor(i, plan, street)]),
    );
    const streetOf = new Map(plan.communities.map((c) => [c.id, c.street]));

    const riders = this.progress('riders', plan.riders.length);
    let registered = 0;
    await inParallel(plan.riders, PARALLEL_RIDERS, async (rider) => {
      const { id, ...input } = rider;
      must(
        await this.commands.execute(
          new RegisterRiderCommand(
            { riderId: id, ...input },
            this.request(ADMIN, now - 366 * 86_400_000),
          ),
        ),
      );
      registered++;
      riders?.update(registered);
    });
    riders?.done();

    const byRider = new Map<string, SeedPlan['awards']>();
    for (const a of plan.awards) byRider.set(a.riderId, [...(byRider.get(a.riderId) ?? []), a]);
    let awards = 0;
    let refusedAwards = 0;
    let reversals = 0;
    let redemptions = 0;
    const balances = new Map<string, number>();
    const progress = this.progress('awards', plan.awards.length);
    await inParallel(plan.riders, PARALLEL_RIDERS, async (rider) => {
      const staff = staffOf.get(streetOf.get(rider.communityId) ?? '') ?? ADMIN;
      for (const planned of byRider.get(rider.id) ?? []) {
        const occurred = dayTime(now, planned.daysAgo, this.random());
        const result = await this.commands.execute<AwardPointsCommand, AwardResult | DomainError>(
          new AwardPointsCommand(
            {
              riderId: rider.id,
              activity: planned.activity,
              fundId: DEMO_FUND.id,
              reason: REASONS[planned.activity] ?? '志愿服务',
              occurredAt: new Date(occurred).toISOString(),
            },
            this.request(staff, occurred + 30 * 60_000),
          ),
        );
        // A daily cap is the rules at work; anything else (the fund run dry) is a seed that went
        // wrong, and a district quietly smaller than planned would mislead whoever measures it.
        if (isDomainError(result) && result.code !== 'RULE_VIOLATION')
          throw new Error(`seed award refused: ${result.code} ${result.detail}`);
        if (isDomainError(result)) refusedAwards++;
        else awards++;
        progress?.update(awards + refusedAwards);
        if (isDomainError(result)) continue;
        balances.set(rider.id, result.balanceAfter);
        if (this.random() < 0.005) {
          const reversed = await this.commands.execute<
            ReverseAwardCommand,
            ReversalResult | DomainError
          >(
            new ReverseAwardCommand(
              { riderId: rider.id, entryId: result.entryId, reason: '重复录入，予以冲正' },
              this.request(staff, occurred + 86_400_000),
            ),
          );
          if (!isDomainError(reversed)) {
            reversals++;
            balances.set(rider.id, reversed.balanceAfter);
          }
        }
      }
    });
    progress?.done();

    const stationOf = new Map(
      plan.stations.filter((s) => s.communityId).map((s) => [s.communityId, s]),
    );
    const centre = plan.stations[plan.stations.length - 1];
    const redeeming = this.progress('redemptions', plan.riders.length);
    let seen = 0;
    await inParallel(plan.riders, PARALLEL_RIDERS, async (rider) => {
      let balance = balances.get(rider.id) ?? 0;
      const station = stationOf.get(rider.communityId) ?? centre;
      const actor: Actor = {
        principalId: `station-${station.id}`,
        role: 'station',
        communityIds: [],
        stationIds: [station.id],
      };
      for (let round = 0; round < 3 && balance > 100; round++) {
        const affordable = CATALOGUE.filter((item) => item.pricePoints <= balance * 0.4);
        if (affordable.length === 0) break;
        const item = affordable[Math.floor(this.random() * affordable.length)];
        const made = await this.commands.execute<
          MakeRedemptionCommand,
          RedemptionResult | DomainError
        >(
          new MakeRedemptionCommand(
            { riderId: rider.id, stationId: station.id, items: [{ sku: item.sku, quantity: 1 }] },
            this.request(actor, now - (30 - round * 10) * 86_400_000),
          ),
        );
        if (isDomainError(made)) break;
        redemptions++;
        balance = made.balanceAfter;
      }
      seen++;
      redeeming?.update(seen);
    });
    redeeming?.done();
    return {
      communities: plan.communities.length,
      stations: plan.stations.length,
      riders: plan.riders.length,
      awards,
      refusedAwards,
      reversals,
      redemptions,
      tokens,
    };
  }

  private async organisation(plan: SeedPlan): Promise<void> {
    const at = Date.now() - 366 * 86_400_000;
    const steps: StreamCommandBody[] = [
      { kind: 'rules', command: { type: 'SetRules', rules: DEMO_RULES } },
      { kind: 'badges', command: { type: 'SetBadges', badges: DEMO_BADGES } },
      {
        kind: 'fund',
        id: DEMO_FUND.id,
        command: {
          type: 'CreateFund',
          fundId: DEMO_FUND.id,
          name: DEMO_FUND.name,
          district: JIANGJIN.district,
          // Jiangjin's budget, or more when the district is sized up (30 points an award covers
          // the activities' mix with room to spare).
          budgetPoints: Math.max(DEMO_FUND.budgetPoints, plan.awards.length * 30),
        },
      },
      ...plan.communities.map((c): StreamCommandBody => ({
        kind: 'community',
        id: c.id,
        command: {
          type: 'RegisterCommunity',
          communityId: c.id,
          name: c.name,
          street: c.street,
          district: JIANGJIN.district,
        },
      })),
    ];
    for (const station of plan.stations) {
      steps.push({
        kind: 'station',
        id: station.id,
        command: {
          type: 'RegisterStation',
          stationId: station.id,
          name: station.name,
          district: JIANGJIN.district,
          kind: station.kind,
          ...(station.communityId !== undefined && { communityId: station.communityId }),
        },
      });
      for (const item of CATALOGUE) {
        steps.push({
          kind: 'station',
          id: station.id,
          command: { type: 'PriceItem', stationId: station.id, ...item },
        });
        steps.push({
          kind: 'station',
          id: station.id,
          command: {
            type: 'AddStock',
            stationId: station.id,
            sku: item.sku,
            quantity: station.stock[item.sku],
          },
        });
      }
    }
    const progress = this.progress('organisation', steps.length);
    let done = 0;
    for (const body of steps) {
      must(await this.commands.execute(new StreamCommand(body, this.request(ADMIN, at))));
      done++;
      progress?.update(done);
    }
    progress?.done();
  }

  /** One staff member per street, one principal per station, a verifier and an auditor. */
  private async principals(plan: SeedPlan): Promise<SeedSummary['tokens']> {
    const wanted: {
      id: string;
      name: string;
      role: Role;
      communityIds: string[];
      stationIds: string[];
    }[] = [
      ...JIANGJIN.streets.map((street, i) => ({
        id: `staff-s${i + 1}`,
        name: `${street}社区工作站`,
        role: 'staff' as const,
        communityIds: plan.communities.filter((c) => c.street === street).map((c) => c.id),
        stationIds: [],
      })),
      ...plan.stations.map((s) => ({
        id: `station-${s.id}`,
        name: s.name,
        role: 'station' as const,
        communityIds: [],
        stationIds: [s.id],
      })),
      {
        id: 'verifier-cg',
        name: '江津区城市管理局',
        role: 'verifier',
        communityIds: [],
        stationIds: [],
      },
      {
        id: 'auditor-jw',
        name: '江津区纪委监委',
        role: 'auditor',
        communityIds: [],
        stationIds: [],
      },
    ];
    const tokens: SeedSummary['tokens'] = [];
    for (const p of wanted) {
      const token = newToken();
      const { id, ...rest } = p;
      must(
        await this.commands.execute(
          new StreamCommand(
            {
              kind: 'principal',
              id,
              command: {
                type: 'CreatePrincipal',
                principalId: id,
                ...rest,
                tokenHash: tokenHash(token),
              },
            },
            this.request(ADMIN, Date.now()),
          ),
        ),
      );
      tokens.push({ id, role: p.role, token });
    }
    return tokens;
  }

  private request(actor: Actor, at: number): LedgerRequest {
    return {
      context: { actor, now: new Date(at), timeZone: this.timeZone },
      correlationId: randomUUID(),
    };
  }

  private progress(label: string, total: number): Progress | undefined {
    return this.quiet ? undefined : new Progress(label, total);
  }
}

const REASONS: Partial<Record<string, string>> = {
  patrol: '夜间巡逻',
  civility_persuasion: '文明劝导：劝导电动车佩戴头盔',
  grid_duty: '兼职网格员：走访网格',
  community_activity: '参加社区志愿活动',
  learning_quiz: '线上学习答题',
  community_registration: '向社区报到',
  epidemic_screening: '协助流调排查',
  rescue: '救助落水群众',
  courageous_act: '见义勇为',
};

function staffActor(i: number, plan: SeedPlan, street: string): Actor {
  return {
    principalId: `staff-s${i + 1}`,
    role: 'staff',
    communityIds: plan.communities.filter((c) => c.street === street).map((c) => c.id),
    stationIds: [],
  };
}

/** A time on the day `daysAgo` before `now`, between 08:00 and 22:00 in Shanghai, never in the future. */
function dayTime(now: number, daysAgo: number, r: number): number {
  const day = Math.floor((now + 8 * 3_600_000) / 86_400_000) - daysAgo;
  return Math.min(now - 60_000, day * 86_400_000 - 8 * 3_600_000 + (8 + r * 14) * 3_600_000);
}

function must(outcome: unknown): void {
  if (isDomainError(outcome))
    throw new Error(`seed step refused: ${outcome.code} ${outcome.detail}`);
}

async function inParallel<T>(
  items: readonly T[],
  width: number,
  work: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(width, items.length) }, async () => {
      while (next < items.length) await work(items[next++]);
    }),
  );
}
