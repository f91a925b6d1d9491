import type { EventStore, SqlClient } from '@ledger/event-store';
import { rebuildAndCompare, type ReadModels, type RebuildReport } from '@ledger/projections';

/** How far a long run is: `done` of `total` (events, rows …). */
export type OnProgress = (done: number, total: number) => void;

/**
 * Rebuilds every read model from the log into a shadow schema and compares it with the live one,
 * row by row. Live runners in this process pause meanwhile (reads keep answering) and resume
 * after, whatever happened; where none runs (the CLI), the live tables are first brought to the
 * head of the log, so the comparison is of a caught-up read side.
 */
export async function replayReadModels(
  deps: { readModels: ReadModels; store: EventStore; sql: SqlClient; timeZone: string },
  onProgress?: OnProgress,
): Promise<RebuildReport> {
  const { readModels, store, sql, timeZone } = deps;
  const wasRunning = readModels.isRunning;
  await readModels.stop();
  try {
    if (!wasRunning) await readModels.catchUp();
    const head = store.positionOf(await store.headCursor()) ?? 0;
    const total = head * readModels.projections.length;
    onProgress?.(0, total);
    return await rebuildAndCompare(readModels, store, sql, {
      timeZone,
      onProgress: (replayed) => onProgress?.(replayed, total),
    });
  } finally {
    if (wasRunning) await readModels.start();
  }
}
