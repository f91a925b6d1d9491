import {
  isDomainError,
  principalSubject,
  riderSubject,
  type Actor,
  type Role,
  IMPORT_COLUMNS,
  type ImportColumn,
  importRowKey,
  type ImportRow,
} from '@ledger/domain';
import {
  csvCell,
  importedEntryId,
  inParallel,
  importIdOf,
  Importer,
  KeptTexts,
  PublishTaskCommand,
  PrincipalTokens,
  newToken,
  Progress,
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
import { CATALOGUE, DEMO_FUND, DEMO_RULES, JIANGJIN, prng, type SeedPlan } from './plan';

/** Riders seeded at once (principals, tasks); the history goes through imports. */
const PARALLEL_RIDERS = 64;
/** Riders per import file: a street's paper ledger, about ten thousand rows at the default. */
const RIDERS_PER_FILE = 500;
const DAY_MS = 86_400_000;
const ADMIN: Actor = { principalId: 'admin', role: 'admin', communityIds: [], stationIds: [] };

export interface Loaded {
  communities: number;
  stations: number;
  riders: number;
  awards: number;
  reversals: number;
  redemptions: number;
  /** Demo principals and their tokens (shown once; stored only as hashes). */
  tokens: { id: string; role: Role; token: string }[];
}

type Counts = Pick<Loaded, 'awards' | 'reversals' | 'redemptions'>;
type Rider = SeedPlan['riders'][number];
type Station = SeedPlan['stations'][number];

/**
 * Writes a seed plan as a district that moves onto the ledger would: its organisation through the
 * command bus, its year of riders, awards and redemptions through the import (issue 16), files of
 * the district's past with their original dates, then a few reversals and tasks live.
 */
export class Loader {
  private readonly random = prng(7);
  private readonly now = Date.now();
  private readonly counts: Counts = { awards: 0, reversals: 0, redemptions: 0 };

  constructor(
    private readonly commands: CommandBus,
    private readonly importer: Importer,
    /** Where principals' names and token hashes go (beside the log). */
    private readonly beside: { texts: KeptTexts; tokens: PrincipalTokens },
    private readonly timeZone: string,
    private readonly quiet: boolean,
  ) {}

  async load(plan: SeedPlan): Promise<Loaded> {
    const steps = organisationSteps(plan);
    await this.each('organisation', steps, (step) => this.must(step, this.now - 366 * DAY_MS));
    const history = this.quiet ? undefined : new Progress('history', plan.riders.length);
    const awardsOf = new Map<string, SeedPlan['awards']>();
    for (const a of plan.awards) {
      const list = awardsOf.get(a.riderId);
      if (list) list.push(a);
      else awardsOf.set(a.riderId, [a]);
    }
    for (let from = 0; from < plan.riders.length; from += RIDERS_PER_FILE) {
      const riders = plan.riders.slice(from, from + RIDERS_PER_FILE);
      await this.importHistory(plan, riders, awardsOf, `${from / RIDERS_PER_FILE + 1}`);
      history?.update(from + riders.length);
    }
    history?.done();
    const tokens = await this.principals(plan); // a rider's account names its rider
    await this.openTasks(plan);
    return {
      communities: plan.communities.length,
      stations: plan.stations.length,
      riders: plan.riders.length,
      ...this.counts,
      tokens,
    };
  }

  /**
   * A file of the district's past for these riders (their registration, a year of awards, up to
   * three redemptions in the last month at their station), checked and confirmed as an admin
   * would; then, now and then, one of its awards reversed by the street's staff.
   */
  private async importHistory(
    plan: SeedPlan,
    riders: readonly Rider[],
    awardsOf: ReadonlyMap<string, SeedPlan['awards']>,
    part: string,
  ) {
    const { lines, awards, reversible } = this.historyFile(plan, riders, awardsOf);
    const content = Buffer.from(`${lines.map((l) => l.map(csvCell).join(',')).join('\n')}\n`);
    const name = `jiangjin-history-${part}.csv`;
    const request = this.request(ADMIN, this.now);
    const importId = importIdOf(content);
    const written = await this.importer.confirm(content, name, importId, request);
    if (isDomainError(written)) {
      // A plan the ledger refuses is a seed gone wrong: name the first row refused, and why.
      const report = await this.importer.check(content, name, request);
      const refused = isDomainError(report) ? undefined : report.verdicts.find((v) => v.refusal);
      const why = refused?.refusal ? `row ${refused.row}: ${refused.refusal.detail}` : '';
      throw new Error(`seed import ${name} refused: ${written.detail} ${why}`);
    }
    this.counts.awards += awards;
    this.counts.redemptions += written.status.completed?.redemptions ?? 0;
    for (const award of reversible) {
      const { riderId } = award;
      const staff = staffOf(plan, riders.find((r) => r.id === riderId)?.communityId ?? '');
      const reversal = { riderId, entryId: importedEntryId(award), reason: '重复录入，予以冲正' };
      const reversed = await this.commands.execute(
        new ReverseAwardCommand(reversal, this.request(staff, this.now)),
      );
      if (!isDomainError(reversed)) this.counts.reversals++;
    }
  }

  /** The rows of one file: riders, their awards (the rules' points), their redemptions. */
  private historyFile(
    plan: SeedPlan,
    riders: readonly Rider[],
    awardsOf: ReadonlyMap<string, SeedPlan['awards']>,
  ) {
    const lines: string[][] = [[...IMPORT_COLUMNS]];
    const reversible: Extract<ImportRow, { kind: 'award' }>[] = [];
    const stationOf = new Map(
      plan.stations.filter((s) => s.communityId).map((s) => [s.communityId, s]),
    );
    const centre = plan.stations[plan.stations.length - 1];
    const planned = riders.flatMap((r) => awardsOf.get(r.id) ?? []);
    const joined = new Date(this.now - 366 * DAY_MS).toISOString();
    for (const { id, ...rider } of riders)
      lines.push(line({ kind: 'rider', riderId: id, ...rider, date: joined }));
    const taken = new Set<string>();
    for (const { riderId, daysAgo, activity } of planned) {
      const points = POINTS.get(activity) ?? 10;
      const reason = REASONS[activity] ?? '志愿服务';
      const fundId = DEMO_FUND.id;
      const award = { kind: 'award', riderId, activity, fundId, reason } as const;
      // Two awards alike in the same minute are one act to an import: a minute earlier, then.
      let time = dayTime(this.now, daysAgo, this.random());
      const keyAt = (ms: number) => importRowKey({ ...award, row: 0, occurredAt: iso(ms), points });
      while (taken.has(keyAt(time))) time -= 60_000;
      taken.add(keyAt(time));
      const at = iso(time);
      lines.push(line({ ...award, date: at, points: String(points) }));
      if (this.random() < 0.005)
        reversible.push({ ...award, row: lines.length, occurredAt: at, points });
    }
    for (const r of riders) {
      const station = stationOf.get(r.communityId) ?? centre;
      lines.push(...this.redemptions(r, awardsOf.get(r.id) ?? [], station));
    }
    return { lines, awards: planned.length, reversible };
  }

  /** Up to three redemptions at the rider's station (or the centre) in the last month, of its awards. */
  private redemptions(rider: Rider, awards: SeedPlan['awards'], station: Station): string[][] {
    const lines: string[][] = [];
    let spent = 0;
    for (let round = 0; round < 3; round++) {
      const daysAgo = 30 - round * 10;
      const earned = awards
        .filter((a) => a.daysAgo > daysAgo)
        .reduce((sum, a) => sum + (POINTS.get(a.activity) ?? 10), 0);
      const balance = earned - spent;
      if (balance <= 100) break;
      const affordable = CATALOGUE.filter((item) => item.pricePoints <= balance * 0.4);
      if (affordable.length === 0) break;
      const item = affordable[Math.floor(this.random() * affordable.length)];
      const at = new Date(this.now - daysAgo * DAY_MS).toISOString();
      const price = String(item.pricePoints);
      lines.push(
        line({
          ...{ kind: 'redemption', riderId: rider.id, date: at, points: price },
          ...{ stationId: station.id, item: item.sku, quantity: '1' },
        }),
      );
      spent += item.pricePoints;
    }
    return lines;
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
    await inParallel(
      items,
      async (item) => {
        await work(item);
        progress?.update(++done);
      },
      width,
    );
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

/** A row of an import file: its cells in the columns' order, empty where not given. */
function line(cells: Partial<Record<ImportColumn, string>>): string[] {
  return IMPORT_COLUMNS.map((column) => cells[column] ?? '');
}

/** The demo rules' points by activity (an award of the history takes its rule's points). */
const POINTS = new Map(DEMO_RULES.map((r) => [r.activity, r.points]));

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
const iso = (ms: number) => new Date(ms).toISOString();

function dayTime(now: number, daysAgo: number, r: number): number {
  const day = Math.floor((now + 8 * 3_600_000) / DAY_MS) - daysAgo;
  return Math.min(now - 60_000, day * DAY_MS - 8 * 3_600_000 + (8 + r * 14) * 3_600_000);
}

function failOnRefusal(outcome: unknown): void {
  if (isDomainError(outcome))
    throw new Error(`seed step refused: ${outcome.code} ${outcome.detail}`);
}
