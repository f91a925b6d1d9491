import {
  isDomainError,
  principalSubject,
  riderSubject,
  type Actor,
  type Role,
} from '@ledger/domain';
import {
  AwardPointsCommand,
  KeptTexts,
  MakeRedemptionCommand,
  PublishTaskCommand,
  PrincipalTokens,
  newToken,
  Progress,
  RegisterRiderCommand,
  ReverseAwardCommand,
  StreamCommand,
  tokenHash,
  type LedgerRequest,
  type StreamKindName,
  type StreamTarget,
} from '@ledger/ledger';
import type { CommandBus } from '@nestjs/cqrs';
import { randomUUID } from 'node:crypto';
import { organisationSteps, principalsOf } from './organisation';
import { CATALOGUE, DEMO_FUND, JIANGJIN, prng, type SeedPlan } from './plan';

/** Riders seeded at once: awards of different riders go in parallel, group-committed on the fund. */
const PARALLEL_RIDERS = 64;
const DAY_MS = 86_400_000;
const ADMIN: Actor = { principalId: 'admin', role: 'admin', communityIds: [], stationIds: [] };

export interface Loaded {
  communities: number;
  stations: number;
  riders: number;
  awards: number;
  refusedAwards: number;
  reversals: number;
  redemptions: number;
  /** Demo principals and their tokens (shown once; stored only as hashes). */
  tokens: { id: string; role: Role; token: string }[];
}

type Counts = Pick<Loaded, 'awards' | 'refusedAwards' | 'reversals' | 'redemptions'>;

/** Writes a seed plan through the ledger's command bus, as the district's staff would have. */
export class Loader {
  private readonly random = prng(7);
  private readonly now = Date.now();
  private readonly counts: Counts = { awards: 0, refusedAwards: 0, reversals: 0, redemptions: 0 };
  private readonly balances = new Map<string, number>();

  constructor(
    private readonly commands: CommandBus,
    /** Where principals' names and token hashes go (beside the log). */
    private readonly beside: { texts: KeptTexts; tokens: PrincipalTokens },
    private readonly timeZone: string,
    private readonly quiet: boolean,
  ) {}

  async load(plan: SeedPlan): Promise<Loaded> {
    const steps = organisationSteps(plan);
    await this.each('organisation', steps, (step) => this.must(step, this.now - 366 * DAY_MS));
    await this.each('riders', plan.riders, async ({ id, ...input }) => {
      const request = this.request(ADMIN, this.now - 366 * DAY_MS);
      failOnRefusal(
        await this.commands.execute(new RegisterRiderCommand({ riderId: id, ...input }, request)),
      );
    });
    const tokens = await this.principals(plan); // a rider's account names its rider
    const byRider = new Map<string, SeedPlan['awards']>();
    for (const a of plan.awards) byRider.set(a.riderId, [...(byRider.get(a.riderId) ?? []), a]);
    const awarding = this.quiet ? undefined : new Progress('awards', plan.awards.length);
    await inParallel(plan.riders, PARALLEL_RIDERS, (rider) =>
      this.awardYear(rider, byRider.get(rider.id) ?? [], staffOf(plan, rider.communityId), () =>
        awarding?.update(this.counts.awards + this.counts.refusedAwards),
      ),
    );
    awarding?.done();
    // A rider redeems at its community's station (the last one, where it has several), else at
    // the district centre.
    const stationOf = new Map(
      plan.stations.filter((s) => s.communityId).map((s) => [s.communityId, s]),
    );
    const centre = plan.stations[plan.stations.length - 1];
    await this.each('redemptions', plan.riders, (rider) =>
      this.redeem(rider.id, stationOf.get(rider.communityId) ?? centre),
    );
    await this.openTasks(plan);
    return {
      communities: plan.communities.length,
      stations: plan.stations.length,
      riders: plan.riders.length,
      ...this.counts,
      tokens,
    };
  }

  /** A rider's year of awards, by its street's staff; now and then one is reversed. */
  private async awardYear(
    rider: SeedPlan['riders'][number],
    planned: SeedPlan['awards'],
    staff: Actor,
    onEach: () => void,
  ): Promise<void> {
    for (const { daysAgo, activity } of planned) {
      const occurred = dayTime(this.now, daysAgo, this.random());
      const input = {
        riderId: rider.id,
        activity,
        fundId: DEMO_FUND.id,
        reason: REASONS[activity] ?? '志愿服务',
        occurredAt: new Date(occurred).toISOString(),
      };
      const result = await this.commands.execute(
        new AwardPointsCommand(input, this.request(staff, occurred + 30 * 60_000)),
      );
      // A daily cap is the rules at work; anything else (the fund run dry) is a seed that went
      // wrong, and a district quietly smaller than planned would mislead whoever measures it.
      if (isDomainError(result)) {
        if (result.code !== 'RULE_VIOLATION')
          throw new Error(`seed award refused: ${result.code} ${result.detail}`);
        this.counts.refusedAwards++;
        onEach();
        continue;
      }
      this.counts.awards++;
      onEach();
      this.balances.set(rider.id, result.balanceAfter);
      if (this.random() < 0.005) {
        const reversal = {
          riderId: rider.id,
          entryId: result.entryId,
          reason: '重复录入，予以冲正',
        };
        const reversed = await this.commands.execute(
          new ReverseAwardCommand(reversal, this.request(staff, occurred + DAY_MS)),
        );
        if (isDomainError(reversed)) continue;
        this.counts.reversals++;
        this.balances.set(rider.id, reversed.balanceAfter);
      }
    }
  }

  /**
   * Two tasks (微公益) open for sign-up in the first rider's community for the next two weeks,
   * published by its street's staff, so the demo rider has something to sign up for.
   */
  private async openTasks(plan: SeedPlan): Promise<void> {
    const rider = plan.riders[0];
    if (!rider) return;
    const staff = staffOf(plan, rider.communityId);
    for (const [i, title] of DEMO_TASKS.entries()) {
      const task = {
        taskId: `demo-task-${i + 1}`,
        communityId: rider.communityId,
        title,
        points: 30,
        slots: 20,
        startsAt: new Date(this.now - DAY_MS).toISOString(),
        endsAt: new Date(this.now + 14 * DAY_MS).toISOString(),
      };
      failOnRefusal(
        await this.commands.execute(new PublishTaskCommand(task, this.request(staff, this.now))),
      );
    }
  }

  /** Up to three redemptions at the rider's station (or the centre) in the last month. */
  private async redeem(riderId: string, station: SeedPlan['stations'][number]): Promise<void> {
    let balance = this.balances.get(riderId) ?? 0;
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
      const items = [{ sku: item.sku, quantity: 1 }];
      const made = await this.commands.execute(
        new MakeRedemptionCommand(
          { riderId, stationId: station.id, items },
          this.request(actor, this.now - (30 - round * 10) * DAY_MS),
        ),
      );
      if (isDomainError(made)) break;
      this.counts.redemptions++;
      balance = made.balanceAfter;
    }
  }

  /** One staff member per street, one principal per station, a verifier and an auditor. */
  private async principals(plan: SeedPlan): Promise<Loaded['tokens']> {
    const tokens: Loaded['tokens'] = [];
    for (const { id, name, ...rest } of principalsOf(plan)) {
      const token = newToken();
      // As CreatePrincipalHandler does, without waiting for read models nobody runs yet.
      const command = {
        type: 'CreatePrincipal' as const,
        principalId: id,
        ...rest,
        // As CreatePrincipalHandler: a rider's account's name goes when the rider's is erased.
        name: await this.beside.texts.keep(
          rest.riderId !== undefined ? riderSubject(rest.riderId) : principalSubject(id),
          name,
        ),
        token: { tokenId: await this.beside.tokens.issue(id, tokenHash(token)) },
      };
      await this.must({ kind: 'principal', id, command }, this.now);
      tokens.push({ id, role: rest.role, token });
    }
    return tokens;
  }

  private async must<K extends StreamKindName>(target: StreamTarget<K>, at: number): Promise<void> {
    failOnRefusal(await this.commands.execute(new StreamCommand(target, this.request(ADMIN, at))));
  }

  /** Works through `items` (riders in parallel, the rest one by one) with a progress bar. */
  private async each<T>(label: string, items: readonly T[], work: (item: T) => Promise<void>) {
    const progress = this.quiet ? undefined : new Progress(label, items.length);
    let done = 0;
    const width = label === 'organisation' ? 1 : PARALLEL_RIDERS;
    await inParallel(items, width, async (item) => {
      await work(item);
      progress?.update(++done);
    });
    progress?.done();
  }

  private request(actor: Actor, at: number): LedgerRequest {
    return {
      context: { actor, now: new Date(at), timeZone: this.timeZone },
      correlationId: randomUUID(),
    };
  }
}

const DEMO_TASKS = ['滨江路夜间安全巡逻', '社区消防通道清理'];

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

/** The staff member of the street a community is in (the seed makes one per street). */
function staffOf(plan: SeedPlan, communityId: string): Actor {
  const street = plan.communities.find((c) => c.id === communityId)?.street;
  const i = JIANGJIN.streets.findIndex((s) => s === street);
  if (i < 0) return ADMIN;
  return {
    principalId: `staff-s${i + 1}`,
    role: 'staff',
    communityIds: plan.communities.filter((c) => c.street === street).map((c) => c.id),
    stationIds: [],
  };
}

/** A time on the day `daysAgo` before `now`, between 08:00 and 22:00 in Shanghai, never in the future. */
function dayTime(now: number, daysAgo: number, r: number): number {
  const day = Math.floor((now + 8 * 3_600_000) / DAY_MS) - daysAgo;
  return Math.min(now - 60_000, day * DAY_MS - 8 * 3_600_000 + (8 + r * 14) * 3_600_000);
}

function failOnRefusal(outcome: unknown): void {
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
