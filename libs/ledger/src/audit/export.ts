import { START, type EventStore } from '@ledger/event-store';
import { allLedgerLines, leaderboardRows, type ReadModels } from '@ledger/projections';
import { storedHash } from '../write/chain';

export type ExportKind = 'events' | 'ledger' | 'leaderboard';
export type ExportFormat = 'csv' | 'ndjson';

export interface ExportRequest {
  what: ExportKind;
  scope?: string;
  period?: string;
}

/**
 * The rows of an export, streamed: the log with hashes, every rider's ledger lines, or a
 * leaderboard. No personal data: the log and the read models hold none.
 */
export async function* exportRows(
  request: ExportRequest,
  deps: { store: EventStore; readModels: ReadModels },
): AsyncGenerator<Record<string, unknown>> {
  if (request.what === 'events') {
    for (let cursor = START; ;) {
      const page = await deps.store.readAll({ after: cursor, limit: 1000 });
      if (page.events.length === 0) return;
      for (const e of page.events)
        yield {
          position: e.position,
          stream: e.streamName,
          revision: e.revision,
          type: e.type,
          recordedAt: e.recordedAt.toISOString(),
          data: JSON.stringify(e.data),
          metadata: JSON.stringify(e.metadata),
          hash: storedHash(e),
        };
      cursor = page.cursor;
    }
  }
  yield* asWritten(await readModelRows(request, deps.readModels));
}

/** A ledger's or a leaderboard's rows, read whole from the read models (so they can be counted). */
export function readModelRows(
  request: ExportRequest,
  readModels: ReadModels,
): Promise<Record<string, unknown>[]> {
  return request.what === 'ledger'
    ? allLedgerLines(readModels)
    : leaderboardRows(readModels, request.scope ?? '', request.period ?? 'all');
}

/** Read-model rows as an export writes them: times as ISO text. */
export function* asWritten(
  rows: readonly Record<string, unknown>[],
): Generator<Record<string, unknown>> {
  for (const row of rows)
    yield Object.fromEntries(
      Object.entries(row).map(([k, v]) => [k, v instanceof Date ? v.toISOString() : v]),
    );
}

/** Lines of an export: NDJSON, or CSV with a header, quoted where needed, safe in a spreadsheet. */
export async function* formatRows(
  rows: AsyncIterable<Record<string, unknown>> | Iterable<Record<string, unknown>>,
  format: ExportFormat,
): AsyncGenerator<string> {
  let header: string[] | undefined;
  for await (const row of rows) {
    if (format === 'ndjson') {
      yield JSON.stringify(row);
      continue;
    }
    if (!header) {
      header = Object.keys(row);
      yield header.join(',');
    }
    yield header.map((k) => csvCell(row[k])).join(',');
  }
}

export function csvCell(value: unknown): string {
  if (value === null || value === undefined) return '';
  let text = typeof value === 'string' ? value : JSON.stringify(value);
  if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`; // never a formula in a spreadsheet
  return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}
