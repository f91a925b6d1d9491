import {
  type Said,
  badgesDecider,
  communityDecider,
  fundDecider,
  notFound,
  principalDecider,
  riderDecider,
  rulesDecider,
  selectionDecider,
  taskDecider,
  stationDecider,
  commandScope,
  BADGES_STREAM,
  RULES_STREAM,
  communityStream,
  fundStream,
  principalStream,
  riderStream,
  selectionStream,
  stationStream,
  taskStream,
  type BadgesCommand,
  type BadgesEvent,
  type BadgesState,
  type CommunityCommand,
  type CommunityEvent,
  type CommunityState,
  type CommandContext,
  type Decider,
  type DomainError,
  type FundCommand,
  type FundEvent,
  type FundState,
  type PrincipalCommand,
  type PrincipalEvent,
  type PrincipalState,
  type RiderCommand,
  type RiderEvent,
  type RiderState,
  type RulesCommand,
  type RulesEvent,
  type RulesState,
  type SelectionCommand,
  type SelectionEvent,
  type SelectionState,
  type StationCommand,
  type StationEvent,
  type StationState,
  type TaskCommand,
  type TaskEvent,
  type TaskState,
  say,
} from '@ledger/domain';
import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import type { LedgerRequest } from '../write/ledger-request';
import { StreamWriter, type Written } from '../write/stream-writer';
import { FundBooks } from '../settlement/fund-books';

/** The stream kinds a single-stream command acts on: command, event and state of each. */
interface StreamTypes {
  rider: { command: RiderCommand; event: RiderEvent; state: RiderState };
  fund: { command: FundCommand; event: FundEvent; state: FundState };
  station: { command: StationCommand; event: StationEvent; state: StationState };
  community: { command: CommunityCommand; event: CommunityEvent; state: CommunityState };
  principal: { command: PrincipalCommand; event: PrincipalEvent; state: PrincipalState };
  selection: { command: SelectionCommand; event: SelectionEvent; state: SelectionState };
  task: { command: TaskCommand; event: TaskEvent; state: TaskState };
  rules: { command: RulesCommand; event: RulesEvent; state: RulesState };
  badges: { command: BadgesCommand; event: BadgesEvent; state: BadgesState };
}

export type StreamKindName = keyof StreamTypes;
export type CommandOf<K extends StreamKindName> = StreamTypes[K]['command'];
export type StateOf<K extends StreamKindName> = StreamTypes[K]['state'];

const DECIDERS: {
  [K in StreamKindName]: Decider<CommandOf<K>, StreamTypes[K]['event'], StateOf<K>>;
} = {
  rider: riderDecider,
  fund: fundDecider,
  station: stationDecider,
  community: communityDecider,
  principal: principalDecider,
  selection: selectionDecider,
  task: taskDecider,
  rules: rulesDecider,
  badges: badgesDecider,
};

/** What each kind of stream is called in a refusal ("rider r1 does not exist"). */
const KIND_WORDS: Readonly<Record<StreamKindName, Said>> = {
  rider: say`rider`,
  fund: say`fund`,
  station: say`station`,
  community: say`community`,
  principal: say`principal`,
  selection: say`selection`,
  task: say`task`,
  rules: say`point rules`,
  badges: say`badges`,
};

/** A command and the stream it acts on (`rules` and `badges` are one stream each: no id). */
export type StreamTarget<K extends StreamKindName> = {
  readonly kind: K;
  readonly id?: string;
  readonly command: CommandOf<K>;
};

/**
 * A command that touches one stream (registrations, rules, catalogue, stock, top-ups, sign-ups),
 * typed by its stream kind: the answer is that stream's state after it. The two-stream acts
 * (awards, reversals, redemptions, cancellations) and the workflows have handlers of their own.
 */
export class StreamCommand<K extends StreamKindName> extends Command<
  Written<StateOf<K>> | DomainError
> {
  constructor(
    readonly target: StreamTarget<K>,
    readonly request: LedgerRequest,
  ) {
    super();
  }
}

/** Another stream that must exist before a command may act (a rider's community …). */
export type Requirement = { kind: 'community' | 'rider' | 'station'; id: string };

/**
 * What each command needs to exist first: the one list of such rules, used by every handler
 * that writes these commands.
 */
export function prerequisitesOf(command: CommandOf<StreamKindName>): Requirement[] {
  switch (command.type) {
    case 'RegisterRider':
    case 'TransferRider':
    case 'PublishTask':
      return [{ kind: 'community', id: command.communityId }];
    case 'RegisterStation':
      return command.communityId === undefined
        ? []
        : [{ kind: 'community', id: command.communityId }];
    case 'SignUp':
      return [{ kind: 'rider', id: command.riderId }];
    // A principal scoped to a community, station or rider that does not exist would become
    // live, unnoticed, the day one is created with that id.
    case 'CreatePrincipal':
      return [
        ...command.communityIds.map((id) => ({ kind: 'community' as const, id })),
        ...command.stationIds.map((id) => ({ kind: 'station' as const, id })),
        ...(command.riderId === undefined ? [] : [{ kind: 'rider' as const, id: command.riderId }]),
      ];
    default:
      return [];
  }
}

/**
 * What a handler checks before it decides, in this order: the scope rules the command's own fields
 * decide (403 before anything about other streams), then `also` (a rule that needs no stream,
 * say), then NOT_FOUND for the first stream the command needs that does not exist.
 */
export async function checkFirst(
  writer: StreamWriter,
  command: CommandOf<StreamKindName>,
  context: CommandContext,
  also?: DomainError,
): Promise<DomainError | undefined> {
  const refused = commandScope(context.actor, command) ?? also;
  if (refused) return refused;
  for (const { kind, id } of prerequisitesOf(command)) {
    const { exists } = await readOf(writer, kind, id, context.timeZone);
    if (!exists) return notFound(say`${KIND_WORDS[kind]} ${id}`);
  }
  return undefined;
}

/** A stream's state as the writer holds it (a cached fold, at most a second behind). */
export function readOf<K extends StreamKindName>(
  writer: StreamWriter,
  kind: K,
  id: string | undefined,
  timeZone: string,
  options: { fresh?: boolean } = {},
) {
  return writer.read(DECIDERS[kind], streamOf({ kind, id }), timeZone, options);
}

@CommandHandler(StreamCommand)
export class StreamCommandHandler implements ICommandHandler<StreamCommand<StreamKindName>> {
  constructor(private readonly writer: StreamWriter) {}

  async execute({
    target,
    request,
  }: StreamCommand<StreamKindName>): Promise<Written<StateOf<StreamKindName>> | DomainError> {
    const refused = await checkFirst(this.writer, target.command, request.context);
    if (refused) return refused;
    return executeOn(this.writer, target, request);
  }
}

/** Decides and appends `target.command` on its stream, with the decider of its kind. */
export function executeOn<K extends StreamKindName>(
  writer: StreamWriter,
  target: StreamTarget<K>,
  request: LedgerRequest,
): Promise<Written<StateOf<K>> | DomainError> {
  // A fund is created on its first stream; everything after goes to its open book.
  if (target.kind === 'fund' && target.command.type !== 'CreateFund')
    return FundBooks.of(writer).execute(target.command as FundCommand, request);
  return writer.execute(DECIDERS[target.kind], streamOf(target), target.command, request);
}

export function streamOf(target: { kind: StreamKindName; id?: string | undefined }): string {
  switch (target.kind) {
    case 'rider':
      return riderStream(target.id ?? '');
    case 'fund':
      return fundStream(target.id ?? '');
    case 'station':
      return stationStream(target.id ?? '');
    case 'community':
      return communityStream(target.id ?? '');
    case 'principal':
      return principalStream(target.id ?? '');
    case 'selection':
      return selectionStream(target.id ?? '');
    case 'task':
      return taskStream(target.id ?? '');
    case 'rules':
      return RULES_STREAM;
    case 'badges':
      return BADGES_STREAM;
  }
}
