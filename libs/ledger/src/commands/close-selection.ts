import {
  DistrictYearStandings,
  isDomainError,
  upcast,
  upcastLedgerEvent,
  notFound,
  selectionDecider,
  selectionStream,
  DomainError,
  type SelectionEvent,
  type Winner,
  say,
} from '@ledger/domain';
import { START, type EventStore, type LogCursor } from '@ledger/event-store';
import { Inject } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { LedgerCommand } from './ledger-command';
import { EVENT_STORE, PERSONAL_DATA } from '../infrastructure/tokens';
import { named, type NamedRow } from '../personal-data/names';
import type { PersonalDataStore } from '../personal-data/personal-data.store';
import { StreamWriter } from '../write/stream-writer';

/** The closed selection as `GET /v1/selections/{id}` shows it, and where its close is in the log. */
export interface SelectionResult {
  readonly id: string;
  readonly district: string;
  readonly year: number;
  readonly size: number;
  readonly status: 'closed';
  readonly cutoffPosition: number;
  readonly winners: readonly NamedRow[];
  readonly closedBy: string;
  readonly closedAt: string;
  readonly position: number;
}

export class CloseSelectionCommand extends LedgerCommand<string, SelectionResult | DomainError> {}

/**
 * Closes a selection: the cut-off is the head of the log now; the winners are the district's
 * standings for the year folded from the log up to exactly that cut-off. Closing twice, or two
 * closes racing, is SELECTION_CLOSED for all but one.
 */
@CommandHandler(CloseSelectionCommand)
export class CloseSelectionHandler implements ICommandHandler<
  CloseSelectionCommand,
  SelectionResult | DomainError
> {
  constructor(
    private readonly writer: StreamWriter,
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(PERSONAL_DATA) private readonly personalData: PersonalDataStore,
  ) {}

  async execute({
    input: selectionId,
    request,
  }: CloseSelectionCommand): Promise<SelectionResult | DomainError> {
    const stream = selectionStream(selectionId);
    const { state } = await this.writer.read(selectionDecider, stream, request.context.timeZone, {
      fresh: true,
    });
    if (!state.exists) return notFound(say`selection ${selectionId}`);
    if (state.closed)
      return new DomainError('SELECTION_CLOSED', say`selection ${selectionId} is already closed`);
    const cutoffCursor = await this.store.headCursor();
    const { winners, cutoffPosition } = await standingsAt(
      this.store,
      cutoffCursor,
      state,
      request.context.timeZone,
    );
    const closed = await this.writer.execute(
      selectionDecider,
      stream,
      { type: 'CloseSelection', selectionId, cutoffPosition, cutoffCursor, winners },
      request,
    );
    if (isDomainError(closed)) return closed;
    if (closed.position === undefined)
      throw new Error(`selection ${selectionId} has no position after closing`);
    const { district, year, size } = state;
    return {
      id: selectionId,
      district,
      year,
      size,
      status: 'closed',
      cutoffPosition,
      winners: await named(this.personalData, winners),
      closedBy: request.context.actor.principalId,
      closedAt: request.context.now.toISOString(),
      position: closed.position,
    };
  }
}

/** Folds the log from the start up to and including `cutoff` into a district's year standings. */
export async function standingsAt(
  store: EventStore,
  cutoff: LogCursor,
  selection: { district: string; year: number; size: number },
  timeZone: string,
): Promise<{ winners: Winner[]; cutoffPosition: number }> {
  const standings = new DistrictYearStandings(selection.district, selection.year, timeZone);
  let cursor = START;
  let cutoffPosition = 0;
  while (cutoff !== START && cursor !== cutoff) {
    const page = await store.readAll({ after: cursor });
    if (page.events.length === 0) throw new Error(`cut-off ${cutoff} is not in the log`);
    for (const stored of page.events) {
      const event = upcast(stored);
      if (event) standings.apply(event, stored.position);
      cursor = stored.cursor;
      if (cursor === cutoff) {
        cutoffPosition = stored.position;
        break;
      }
    }
  }
  return { winners: standings.top(selection.size), cutoffPosition };
}

/** An auditor's check: recompute a closed selection from the log to its cut-off and compare. */
export async function replaySelection(store: EventStore, selectionId: string, timeZone: string) {
  const events = (await store.readStream(selectionStream(selectionId))).map((e) =>
    upcastLedgerEvent<SelectionEvent>(e),
  );
  const opened = events.find((e) => e.type === 'SelectionOpened');
  const closed = events.find((e) => e.type === 'SelectionClosed');
  if (opened?.type !== 'SelectionOpened' || closed?.type !== 'SelectionClosed') return undefined;
  const recomputed = await standingsAt(store, closed.data.cutoffCursor, opened.data, timeZone);
  // Compared field by field: stored JSON may come back with its keys in another order.
  const key = (winners: readonly Winner[]) =>
    JSON.stringify(winners.map((w) => [w.rank, w.riderId, w.points]));
  const same =
    key(recomputed.winners) === key(closed.data.winners) &&
    recomputed.cutoffPosition === closed.data.cutoffPosition;
  return {
    selectionId,
    stored: closed.data.winners,
    recomputed: recomputed.winners,
    cutoffPosition: closed.data.cutoffPosition,
    same,
  };
}
