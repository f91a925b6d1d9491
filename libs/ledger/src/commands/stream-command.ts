import {
  badgesDecider,
  communityDecider,
  fundDecider,
  notFound,
  principalDecider,
  riderDecider,
  rulesDecider,
  selectionDecider,
  selectionStream,
  taskDecider,
  taskStream,
  stationDecider,
  BADGES_STREAM,
  RULES_STREAM,
  communityStream,
  fundStream,
  principalStream,
  riderStream,
  stationStream,
  type BadgesCommand,
  type CommunityCommand,
  type DomainError,
  type FundCommand,
  type PrincipalCommand,
  type RiderCommand,
  type RulesCommand,
  type SelectionCommand,
  type StationCommand,
  type TaskCommand,
} from '@ledger/domain';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import type { LedgerRequest } from '../write/ledger-request';
import { StreamWriter, type StreamDecider, type Written } from '../write/stream-writer';

/** Every single-stream command of the ledger, by the kind of stream it acts on. */
export type StreamCommandBody =
  | { kind: 'rider'; id: string; command: RiderCommand }
  | { kind: 'fund'; id: string; command: FundCommand }
  | { kind: 'station'; id: string; command: StationCommand }
  | { kind: 'community'; id: string; command: CommunityCommand }
  | { kind: 'principal'; id: string; command: PrincipalCommand }
  | { kind: 'selection'; id: string; command: SelectionCommand }
  | { kind: 'task'; id: string; command: TaskCommand }
  | { kind: 'rules'; command: RulesCommand }
  | { kind: 'badges'; command: BadgesCommand };

/** Another stream that must exist first (a rider's community, a station's community …). */
export type Requirement = { kind: 'community' | 'rider' | 'fund' | 'station'; id: string };

/**
 * A command that touches one stream: registrations, rules, catalogue, top-ups. The cross-stream
 * acts (awards, reversals, redemptions, cancellations) have handlers of their own.
 */
export class StreamCommand {
  constructor(
    readonly body: StreamCommandBody,
    readonly request: LedgerRequest,
    readonly requires: readonly Requirement[] = [],
  ) {}
}

@CommandHandler(StreamCommand)
export class StreamCommandHandler implements ICommandHandler<
  StreamCommand,
  Written<unknown> | DomainError
> {
  constructor(private readonly writer: StreamWriter) {}

  async execute({
    body,
    request,
    requires,
  }: StreamCommand): Promise<Written<unknown> | DomainError> {
    for (const requirement of requires) {
      const { exists } = await this.writer.read(
        deciderOf(requirement.kind),
        streamOf(requirement),
        request.context.timeZone,
      );
      if (!exists) return notFound(`${requirement.kind} ${requirement.id}`);
    }
    return this.writer.execute(deciderOf(body.kind), streamOf(body), body.command, request);
  }
}

/** The decider of each stream kind, typed loosely at this one dispatch point. */
export function deciderOf(kind: StreamCommandBody['kind']): StreamDecider<unknown, never, unknown> {
  const deciders = {
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
  return deciders[kind] as unknown as StreamDecider<unknown, never, unknown>;
}

export function streamOf(target: { kind: StreamCommandBody['kind']; id?: string }): string {
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
