import {
  checkInDecider,
  checkInStream,
  taskDecider,
  taskStream,
  ID_PATTERN,
  DomainError,
  isDomainError,
  localIso,
  notFound,
  riderOf,
  rulesDecider,
  say,
  staffInCommunity,
  verbatim,
  RULES_STREAM,
  type CheckInCommand,
  type CheckInEvent,
  type CheckInState,
  type CheckedIn,
  type DomainErrorCode,
} from '@ledger/domain';
import {
  CommandBus,
  CommandHandler,
  QueryHandler,
  type ICommandHandler,
  type IQueryHandler,
} from '@nestjs/cqrs';
import { AwardPointsCommand, type AwardResult } from '../commands/award-points';
import { LedgerCommand } from '../commands/ledger-command';
import { readOf } from '../commands/stream-command';
import { FundBooks } from '../settlement/fund-books';
import { derivedId, type LedgerRequest } from '../write/ledger-request';
import { StreamWriter } from '../write/stream-writer';
import { ScopedQuery } from '../queries/read-query';
import { CheckInCodes, type ShownCode } from './check-in-codes';

type Opened = Extract<CheckInEvent, { type: 'CheckInOpened' }>['data'];

/** A check-in as the API answers it: its opening, whether closed, and its riders. */
export interface CheckInView extends Opened {
  closedAt: string | null;
  riders: { riderId: string; at: string; out: { at: string; minutes: number } | null }[];
  position?: number;
}

export type OpenCheckInInput = Omit<Opened, 'activity' | 'title' | 'opensAt' | 'communityId'> & {
  communityId?: string;
  title?: string;
  opensAt?: string;
};

export class OpenCheckInCommand extends LedgerCommand<
  OpenCheckInInput,
  CheckInView | DomainError
> {}

/**
 * Staff open a check-in (issue 17): for a task (its community, its title; riders signed up for
 * it) or a patrol shift (the community named; the `patrol` rule's points), paid from `fundId`.
 */
@CommandHandler(OpenCheckInCommand)
export class OpenCheckInHandler implements ICommandHandler<OpenCheckInCommand> {
  constructor(private readonly writer: StreamWriter) {}

  async execute({ input, request }: OpenCheckInCommand) {
    const { context } = request;
    const place = await this.placeOf(input, request);
    if (isDomainError(place)) return place;
    const fund = await FundBooks.of(this.writer).state(input.fundId, request);
    if (!fund.exists) return notFound(say`fund ${input.fundId}`);
    const activity = input.kind === 'task' ? 'task' : 'patrol';
    const rules = await this.writer.read(rulesDecider, RULES_STREAM, context.timeZone);
    if (!rules.state.rules.has(activity))
      return new DomainError('RULE_VIOLATION', say`no point rule for activity ${activity}`);
    const command: CheckInCommand = {
      type: 'OpenCheckIn',
      ...{ checkInId: input.checkInId, communityId: place.communityId, kind: input.kind },
      ...(input.taskId !== undefined && { taskId: input.taskId }),
      ...{ activity, fundId: input.fundId, title: place.title },
      // Unsent, it is now: the decider says so, and knows a retry of it as the same opening.
      ...(input.opensAt !== undefined && { opensAt: input.opensAt }),
      closesAt: input.closesAt,
      ...(input.minMinutes !== undefined && { minMinutes: input.minMinutes }),
    };
    const stream = checkInStream(input.checkInId);
    const written = await this.writer.execute(checkInDecider, stream, command, request);
    if (isDomainError(written)) return written;
    return { ...viewOf(written.state), position: written.position };
  }

  /** A task's community and title, or the patrol's as the input names them. */
  private async placeOf(
    input: OpenCheckInInput,
    request: LedgerRequest,
  ): Promise<{ communityId: string; title: string } | DomainError> {
    if (input.kind === 'patrol') {
      if (input.communityId === undefined || input.title === undefined)
        return new DomainError(
          'VALIDATION_FAILED',
          say`a patrol's check-in names its communityId and title`,
        );
      const scope = staffInCommunity(request.context.actor, input.communityId, say`open check-ins`);
      if (scope) return scope;
      const community = await readOf(
        this.writer,
        'community',
        input.communityId,
        request.context.timeZone,
      );
      return community.exists
        ? { communityId: input.communityId, title: input.title }
        : notFound(say`community ${input.communityId}`);
    }
    if (input.taskId === undefined)
      return new DomainError('VALIDATION_FAILED', say`a task's check-in names its taskId`);
    const { timeZone } = request.context;
    const task = await readOf(this.writer, 'task', input.taskId, timeZone);
    if (!task.exists) return notFound(say`task ${input.taskId}`);
    // The award is made as the rider checking in: within the task rule's points, as staff give.
    const rules = await this.writer.read(rulesDecider, RULES_STREAM, timeZone);
    const rulePoints = rules.state.rules.get('task')?.points;
    if (rulePoints !== undefined && task.state.points > rulePoints)
      return new DomainError(
        'RULE_VIOLATION',
        say`task ${input.taskId} pays ${task.state.points} points, more than the task rule's ${rulePoints}: confirm its completions instead`,
      );
    const outside = outsideTask(input, task.state, request.context);
    if (outside) return outside;
    return {
      communityId: task.state.communityId,
      title: input.title ?? `微公益任务 ${input.taskId}`,
    };
  }
}

/**
 * A task's check-in lies within the task (its `startsAt` to `endsAt`: when riders may sign up and
 * do it), so riders sign in while it runs; check-outs may still follow its close (`minMinutes`).
 */
function outsideTask(
  input: OpenCheckInInput,
  task: { startsAt: string; endsAt: string },
  context: LedgerRequest['context'],
): DomainError | undefined {
  const opensAt = input.opensAt === undefined ? context.now.getTime() : Date.parse(input.opensAt);
  const starts = Date.parse(task.startsAt);
  const ends = Date.parse(task.endsAt);
  if (opensAt >= starts && Date.parse(input.closesAt) <= ends) return undefined;
  const local = (ms: number) => localIso(new Date(ms), context.timeZone);
  return new DomainError(
    'RULE_VIOLATION',
    say`task ${input.taskId ?? ''} runs from ${local(starts)} to ${local(ends)}: its check-in opens and closes within that time`,
  );
}

/** A rider's check-in or check-out, and the award it made (or why it made none). */
export interface CheckedInAnswer {
  checkInId: string;
  riderId: string;
  at: string;
  out: { at: string; minutes: number } | null;
  award: AwardResult | null;
  /** When the check-in was taken but its award refused (a fund spent, a cap reached). */
  awardRefused: { code: DomainErrorCode; detail: string } | null;
}

export class RiderCheckInCommand extends LedgerCommand<
  { checkInId: string; code: string; out: boolean },
  CheckedInAnswer | DomainError
> {}

/** Wrong codes a rider may send to one check-in before it waits (a 6-digit code is guessable). */
const WRONG_CODES = 5;
const WAIT_MS = 10 * 60_000;

/**
 * The calling rider checks in (or out) with the code it typed or scanned. The award follows at
 * check-in, or at check-out when the check-in asks a stay: source `check-in`, the check-in's
 * activity and fund, dated when the rider checked in (or out), an entry id of the check-in and
 * the rider (a task's: its completion's). Its outcome is recorded on the check-in, so a rider
 * already in is answered as before: an award recorded is read back, a refusal recorded stays
 * refused (staff may have back-filled it), and an award a crash left unmade is made now.
 * Five wrong codes make a rider wait ten minutes before another (per process).
 */
@CommandHandler(RiderCheckInCommand)
export class RiderCheckInHandler implements ICommandHandler<RiderCheckInCommand> {
  private readonly wrong = new Map<string, { count: number; until: number }>();

  constructor(
    private readonly writer: StreamWriter,
    private readonly commands: CommandBus,
    private readonly codes: CheckInCodes,
  ) {}

  async execute({ input, request }: RiderCheckInCommand) {
    const riderId = riderOf(request.context.actor);
    if (isDomainError(riderId)) return riderId;
    const before = await readCheckIn(this.writer, input.checkInId);
    if (isDomainError(before)) return before;
    const { opened } = before;
    const already = before.riders.get(riderId);
    const done = input.out ? already?.out !== undefined : already !== undefined;
    let state: CheckInState = before;
    if (!done) {
      const written = await this.checkIn(opened, riderId, input, request);
      if (isDomainError(written)) return written;
      state = written;
    }
    const rider = state.riders.get(riderId);
    if (!rider) throw new Error(`rider ${riderId} checked in without a record`);
    const answer = {
      ...{ checkInId: opened.checkInId, riderId, at: rider.at },
      out: rider.out ? { at: rider.out.at, minutes: rider.out.minutes } : null,
    };
    const due = opened.minMinutes === undefined || rider.out !== undefined;
    if (!due) return { ...answer, award: null, awardRefused: null };
    const award = await this.awardOf(opened, riderId, rider, request);
    return isDomainError(award)
      ? { ...answer, award: null, awardRefused: { code: award.code, detail: award.detail } }
      : { ...answer, award, awardRefused: null };
  }

  /** Decides and writes the check-in (or out); a rider sending wrong codes waits. */
  private async checkIn(
    opened: Opened,
    riderId: string,
    input: { checkInId: string; code: string; out: boolean },
    request: LedgerRequest,
  ): Promise<CheckInState | DomainError> {
    const key = `${input.checkInId}\u0000${riderId}`;
    const now = request.context.now;
    const wrong = this.wrong.get(key);
    if (wrong && wrong.count >= WRONG_CODES && wrong.until > now.getTime())
      return new DomainError(
        'CODE_REFUSED',
        say`too many wrong codes; try again in ${Math.ceil((wrong.until - now.getTime()) / 60_000)} min, or ask the staff`,
      );
    const code = this.codes.match(input.checkInId, input.code, now);
    const command = input.out
      ? ({ type: 'CheckOut', checkInId: input.checkInId, riderId, code } as const)
      : await this.checkInCommand(opened, riderId, code, request.context.timeZone);
    const stream = checkInStream(input.checkInId);
    const written = await this.writer.execute(checkInDecider, stream, command, request);
    if (isDomainError(written)) {
      if (written.code === 'CODE_REFUSED' && code.step === undefined) {
        const count = (wrong && wrong.until > now.getTime() ? wrong.count : 0) + 1;
        this.wrong.set(key, { count, until: now.getTime() + WAIT_MS });
      }
      return written;
    }
    this.wrong.delete(key);
    return written.state;
  }

  private async checkInCommand(
    opened: Opened,
    riderId: string,
    code: ReturnType<CheckInCodes['match']>,
    timeZone: string,
  ): Promise<CheckInCommand> {
    const rider = await readOf(this.writer, 'rider', riderId, timeZone);
    const task =
      opened.taskId === undefined
        ? undefined
        : await readOf(this.writer, 'task', opened.taskId, timeZone);
    return {
      type: 'CheckIn',
      ...{ checkInId: opened.checkInId, riderId, riderCommunityId: rider.state.communityId },
      signedUp: task?.state.riders.has(riderId) ?? false,
      code,
    };
  }

  /** The award as recorded, or made now and recorded (a first request, or a crash's retry). */
  private async awardOf(
    opened: Opened,
    riderId: string,
    rider: CheckedIn,
    request: LedgerRequest,
  ): Promise<AwardResult | DomainError> {
    const recorded = rider.award;
    if (recorded && 'code' in recorded)
      return new DomainError(recorded.code as DomainErrorCode, verbatim(recorded.reason));
    if (recorded) return this.awardRead(riderId, recorded.entryId, request);
    const award = await this.award(opened, riderId, rider.out?.at ?? rider.at, request);
    const outcome = isDomainError(award)
      ? { code: award.code, reason: award.detail }
      : { entryId: award.entryId, points: award.points };
    const record: CheckInCommand = {
      type: 'RecordCheckInAward',
      ...{ checkInId: opened.checkInId, riderId, outcome },
    };
    const stream = checkInStream(opened.checkInId);
    const written = await this.writer.execute(checkInDecider, stream, record, request);
    if (isDomainError(written)) return written;
    return award;
  }

  /** An award made before, as the rider's stream holds it. */
  private async awardRead(
    riderId: string,
    entryId: string,
    request: LedgerRequest,
  ): Promise<AwardResult | DomainError> {
    const rider = await readOf(this.writer, 'rider', riderId, request.context.timeZone);
    const award = rider.state.awards.get(entryId);
    if (!award) return notFound(say`award ${entryId}`);
    const { points, activity, ruleVersion, balanceAfter } = award;
    return {
      ...{ entryId, riderId, activity, ruleVersion, points, balanceAfter },
      position: rider.position ?? 0,
    };
  }

  /**
   * The award a check-in makes. A task's is its completion: the entry id a staff confirmation
   * would give (`derivedId('task', …)`), and the completion recorded on the task, so the task is
   * never paid twice for one rider; a patrol's is of the check-in and the rider.
   */
  private async award(
    opened: Opened,
    riderId: string,
    occurredAt: string,
    request: LedgerRequest,
  ): Promise<AwardResult | DomainError> {
    const { taskId } = opened;
    const task =
      taskId === undefined
        ? undefined
        : await readOf(this.writer, 'task', taskId, request.context.timeZone);
    const entryId =
      taskId === undefined
        ? derivedId('check-in', opened.checkInId, riderId)
        : derivedId('task', taskId, riderId);
    const awarded = await this.commands.execute<AwardPointsCommand, AwardResult | DomainError>(
      new AwardPointsCommand(
        {
          ...{ riderId, activity: opened.activity, fundId: opened.fundId },
          reason: `签到：${opened.title}`.slice(0, 500),
          occurredAt,
          ...{ entryId, source: 'check-in', checkInId: opened.checkInId },
          ...(task && { taskId, points: task.state.points }),
        },
        request,
      ),
    );
    if (isDomainError(awarded) || taskId === undefined) return awarded;
    // The completion on the task: what a staff confirmation finds. Refused (it cannot be, the
    // rider signed up), the award still stands: a confirmation would find its entry id.
    const complete = { type: 'CompleteTask' as const, taskId, riderId, entryId };
    await this.writer.execute(taskDecider, taskStream(taskId), complete, request);
    return awarded;
  }
}

export class CloseCheckInCommand extends LedgerCommand<string, CheckInView | DomainError> {}

@CommandHandler(CloseCheckInCommand)
export class CloseCheckInHandler implements ICommandHandler<CloseCheckInCommand> {
  constructor(private readonly writer: StreamWriter) {}

  async execute({ input: checkInId, request }: CloseCheckInCommand) {
    if (!ID_PATTERN.test(checkInId)) return notFound(say`check-in ${checkInId}`);
    const command: CheckInCommand = { type: 'CloseCheckIn', checkInId };
    const stream = checkInStream(checkInId);
    const written = await this.writer.execute(checkInDecider, stream, command, request);
    if (isDomainError(written)) return written;
    return { ...viewOf(written.state), position: written.position };
  }
}

export class GetCheckInQuery extends ScopedQuery<CheckInView | DomainError> {
  constructor(
    actor: ConstructorParameters<typeof ScopedQuery>[0],
    readonly checkInId: string,
  ) {
    super(actor);
  }
}

/** A check-in with its riders (staff of its community, admins, auditors), from its stream. */
@QueryHandler(GetCheckInQuery)
export class GetCheckInHandler implements IQueryHandler<GetCheckInQuery> {
  constructor(private readonly writer: StreamWriter) {}

  async execute({ actor, checkInId }: GetCheckInQuery) {
    const state = await readCheckIn(this.writer, checkInId);
    if (isDomainError(state)) return state;
    const scope = staffInCommunity(actor, state.opened.communityId, say`read check-ins`);
    return scope ?? viewOf(state);
  }
}

export class CheckInCodeQuery extends ScopedQuery<
  (ShownCode & { checkInId: string }) | DomainError
> {
  constructor(
    actor: ConstructorParameters<typeof ScopedQuery>[0],
    readonly checkInId: string,
  ) {
    super(actor);
  }
}

/** The code to show now (staff of the check-in's community, admins), while it takes riders. */
@QueryHandler(CheckInCodeQuery)
export class CheckInCodeHandler implements IQueryHandler<CheckInCodeQuery> {
  constructor(
    private readonly writer: StreamWriter,
    private readonly codes: CheckInCodes,
  ) {}

  async execute({ actor, checkInId }: CheckInCodeQuery) {
    const state = await readCheckIn(this.writer, checkInId);
    if (isDomainError(state)) return state;
    const scope = staffInCommunity(actor, state.opened.communityId, say`show check-in codes`);
    if (scope) return scope;
    const now = new Date();
    const { closesAt, minMinutes } = state.opened;
    const open = state.closedAt === undefined && now.getTime() < Date.parse(closesAt);
    // Closed, a code is still shown to riders who have a stay to end (check-outs only).
    const staying = [...state.riders.values()].some((r) => r.out === undefined);
    const lastOut = Date.parse(closesAt) + (minMinutes ?? 0) * 60_000;
    if (!open && !(minMinutes !== undefined && staying && now.getTime() <= lastOut))
      return new DomainError(
        'RULE_VIOLATION',
        say`check-in ${checkInId} is closed; its code is shown no more`,
      );
    return { checkInId, ...this.codes.shown(checkInId, now) };
  }
}

/** A check-in opened, as its stream holds it, or NOT_FOUND (an id no stream could have too). */
async function readCheckIn(
  writer: StreamWriter,
  checkInId: string,
): Promise<(CheckInState & { opened: Opened }) | DomainError> {
  if (!ID_PATTERN.test(checkInId)) return notFound(say`check-in ${checkInId}`);
  const { state } = await writer.read(checkInDecider, checkInStream(checkInId), 'UTC');
  const { opened } = state;
  return opened ? { ...state, opened } : notFound(say`check-in ${checkInId}`);
}

function viewOf(state: CheckInState): CheckInView {
  if (!state.opened) throw new Error('a check-in without its opening');
  return {
    ...state.opened,
    closedAt: state.closedAt ?? null,
    riders: [...state.riders].map(([riderId, r]) => ({
      riderId,
      at: r.at,
      out: r.out ? { at: r.out.at, minutes: r.out.minutes } : null,
    })),
  };
}

export const CHECK_IN_HANDLERS = [
  OpenCheckInHandler,
  RiderCheckInHandler,
  CloseCheckInHandler,
  GetCheckInHandler,
  CheckInCodeHandler,
];
