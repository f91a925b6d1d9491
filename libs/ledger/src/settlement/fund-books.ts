import {
  hourKey,
  fundBookStream,
  fundDecider,
  isDomainError,
  type DomainError,
  type FundCommand,
  type FundState,
} from '@ledger/domain';
import type { LedgerRequest } from '../write/ledger-request';
import type { StreamWriter, Written } from '../write/stream-writer';

/**
 * On a cold start the open book is looked for among the books of this many last hours (one short
 * read each, from the newest); a fund whose books were not closed for longer is followed from its
 * first stream.
 */
const HOURS_LOOKED_BACK = 48;
/** Closings followed by one command before it gives up (a closer racing it twice is already rare). */
const MAX_HOPS = 16;
const HOUR_MS = 60 * 60 * 1000;
/** Reservations and returns are carried this long for retries to meet (open ones, until settled). */
const KEPT_FOR_MS = 24 * HOUR_MS;

export interface BooksClosed {
  readonly funds: number;
  readonly closed: number;
  /** Reservations carried into the new books and not released. */
  readonly carriedOpen: number;
}

/**
 * Where a fund's acts go: its open book (docs/protocols.md, "Fund books"). A fund's history is
 * cut into books, `fund-{id}` first, then `fund-{id}@{hour}`; each book ends with
 * `FundBookClosed` (its figures, and the reservations still open) and the next begins with
 * `FundBookOpened` (the same), so deciding an act folds one book, not the fund's whole past.
 *
 * One per writer (`FundBooks.of`): it remembers each fund's open book, and moves a command that
 * meets a closed book (BOOK_CLOSED) on to the next, opening it from the closing if no process has.
 */
export class FundBooks {
  private static readonly ofWriter = new WeakMap<StreamWriter, FundBooks>();
  /** Each fund's open book, as last seen ('' for the fund's first stream). */
  private readonly openBook = new Map<string, string>();
  /** Searches for a fund's open book under way (a cold start). */
  private readonly finding = new Map<string, Promise<string>>();

  private constructor(private readonly writer: StreamWriter) {}

  static of(writer: StreamWriter): FundBooks {
    let books = FundBooks.ofWriter.get(writer);
    if (!books) {
      books = new FundBooks(writer);
      FundBooks.ofWriter.set(writer, books);
    }
    return books;
  }

  /** Decides and appends a fund command in the fund's open book. */
  async execute(
    command: FundCommand,
    request: LedgerRequest,
  ): Promise<Written<FundState> | DomainError> {
    const { fundId } = command;
    let book = await this.bookOf(fundId, request);
    for (let hop = 0; ; hop++) {
      const stream = fundBookStream(fundId, book);
      const written = await this.writer.execute(fundDecider, stream, command, request);
      if (!isDomainError(written) || written.code !== 'BOOK_CLOSED' || hop >= MAX_HOPS)
        return written;
      book = await this.follow(fundId, book, request);
    }
  }

  /** Folds the fund's open book into the writer's cache ahead of an act on it, unless it is there. */
  async warm(fundId: string, request: LedgerRequest): Promise<void> {
    const known = this.openBook.get(fundId);
    if (known !== undefined && this.writer.isCached(fundBookStream(fundId, known))) return;
    await this.read(fundId, await this.bookOf(fundId, request), request);
  }

  /** The fund's state in its open book (fresh from the store): its budget and what it awarded. */
  async state(fundId: string, request: LedgerRequest): Promise<FundState> {
    const book = await this.bookOf(fundId, request);
    return (await this.read(fundId, book, request, true)).state;
  }

  /** The fund's open book: the last one known, or found (the newest of the last hours, followed). */
  bookOf(fundId: string, request: LedgerRequest): Promise<string> {
    const known = this.openBook.get(fundId);
    if (known !== undefined) return Promise.resolve(known);
    // One search per fund at a time: an award's read ahead and its reservation share it.
    let finding = this.finding.get(fundId);
    if (!finding) {
      finding = this.find(fundId, request).finally(() => this.finding.delete(fundId));
      this.finding.set(fundId, finding);
    }
    return finding;
  }

  private async find(fundId: string, request: LedgerRequest): Promise<string> {
    const { now, timeZone } = request.context;
    // The first stream and this hour's book at once: usually the book is there, and folded now.
    const thisHour = hourKey(now, timeZone);
    const [fund, current] = await Promise.all([
      this.writer.exists(fundBookStream(fundId, '')),
      this.read(fundId, thisHour, request, true),
    ]);
    // No first stream, no fund: nothing searched for, nothing kept.
    if (!fund) return '';
    let book = current.exists ? thisHour : '';
    for (let hours = 1; book === '' && hours <= HOURS_LOOKED_BACK; hours++) {
      const hour = hourKey(new Date(now.getTime() - hours * HOUR_MS), timeZone);
      if (await this.writer.exists(fundBookStream(fundId, hour))) {
        book = hour;
        break;
      }
    }
    // A closed book names the next: follow the chain to the open end (this hour's book, just
    // read and open, is the end).
    if (book !== thisHour || current.state.closing !== undefined)
      book = await this.openEnd(fundId, book, request);
    this.openBook.set(fundId, book);
    return book;
  }

  /**
   * Closes each fund's open book opened before this hour (and the fund's first stream) into a
   * new book for this hour. `settledOf` answers which of the given reservations (those carried
   * into the closing books) the log shows finished, after it has read past them: of those older
   * than a day, only the others go on.
   */
  async closeBefore(
    fundIds: readonly string[],
    request: LedgerRequest,
    settledOf: (entryIds: readonly string[]) => Promise<ReadonlySet<string>>,
  ): Promise<BooksClosed> {
    const { now, timeZone } = request.context;
    const current = hourKey(now, timeZone);
    const keepSince = hourKey(new Date(now.getTime() - KEPT_FOR_MS), timeZone);
    const due: { fundId: string; book: string; held: string[] }[] = [];
    for (const fundId of fundIds) {
      // The book this process knows may have been closed by another: go to the open end.
      const book = await this.openEnd(fundId, await this.bookOf(fundId, request), request);
      if (book >= current) continue; // '' (the first stream) sorts before every hour
      const { state, exists } = await this.read(fundId, book, request);
      if (!exists || state.closing !== undefined) continue;
      // An idle book stays open up to a day (no bookkeeping events an hour for a quiet fund);
      // closed at least daily, every fund has a book within the last 48 hours a start looks at.
      if (state.acts === 0 && book !== '' && book > keepSince) continue;
      const held = [...state.reservations]
        .filter(([, r]) => r.book !== undefined && !r.released)
        .map(([id]) => id);
      due.push({ fundId, book, held });
    }
    const settled = await settledOf(due.flatMap(({ held }) => held));
    let closed = 0;
    let carriedOpen = 0;
    for (const { fundId } of due) {
      const command = { type: 'CloseBook' as const, fundId, next: current, keepSince, settled };
      const written = await this.execute(command, request);
      if (isDomainError(written)) throw new Error(`closing fund ${fundId}: ${written.detail}`);
      if (written.appended > 0) closed++;
      const next = await this.follow(fundId, written.state.book, request);
      const opened = await this.read(fundId, next, request);
      carriedOpen += [...opened.state.reservations.values()].filter(
        (r) => !r.released && r.book !== undefined,
      ).length;
    }
    return { funds: fundIds.length, closed, carriedOpen };
  }

  /** The open book at the end of the closings that follow `book` (`book` itself when open). */
  private async openEnd(fundId: string, book: string, request: LedgerRequest): Promise<string> {
    for (let next = await this.follow(fundId, book, request); next !== book;) {
      book = next;
      next = await this.follow(fundId, book, request);
    }
    return book;
  }

  /**
   * The book after `book` once it is closed (opened from the closing, if no process has yet);
   * `book` itself while it is open.
   */
  private async follow(fundId: string, book: string, request: LedgerRequest): Promise<string> {
    const { state } = await this.read(fundId, book, request, true);
    if (state.closing === undefined) return book;
    const { next } = state.closing;
    const from = { type: 'FundBookClosed' as const, data: state.closing };
    const stream = fundBookStream(fundId, next);
    const opened = await this.writer.execute(
      fundDecider,
      stream,
      { type: 'OpenBook', fundId, from },
      request,
    );
    if (isDomainError(opened)) throw new Error(`opening ${stream}: ${opened.detail}`);
    this.openBook.set(fundId, next);
    return next;
  }

  private read(fundId: string, book: string, request: LedgerRequest, fresh = false) {
    return this.writer.read(fundDecider, fundBookStream(fundId, book), request.context.timeZone, {
      fresh,
    });
  }
}
