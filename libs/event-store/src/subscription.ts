import { linkedAbort } from './abort';
import type { LogCursor, ReadAllResult, StoredEvent, SubscribeOptions } from './event-store.port';

/** How a polling subscription reads and waits; supplied by the SQL adapters. */
export interface PollingSource {
  readAll(after: LogCursor): Promise<ReadAllResult>;
  /**
   * Resolves when events after `after` may be there: an append in this process, or another
   * process's seen by polling every `idleMs`.
   */
  waitForAppend(idleMs: number, signal: AbortSignal, after: LogCursor): Promise<void>;
}

/**
 * Catch-up subscription over `readAll`: drains everything after the cursor in batches, then
 * waits for a local append or the poll interval. It never skips an event because `readAll` never
 * returns one past a gap that could still fill (see the SQL adapter's fence).
 */
export async function* pollingSubscription(
  source: PollingSource,
  options: SubscribeOptions & { readonly idleMs: number; readonly closed: AbortSignal },
): AsyncGenerator<StoredEvent> {
  const linked = linkedAbort([options.closed, options.signal]);
  const stop = linked.signal;
  let cursor = options.after ?? '';
  try {
    while (!stop.aborted) {
      let batch: ReadAllResult;
      try {
        batch = await source.readAll(cursor);
      } catch (error) {
        if (stop.aborted) return; // closed while reading: end quietly, as documented
        throw error;
      }
      for (const event of batch.events) {
        if (stop.aborted) return;
        yield event;
      }
      cursor = batch.cursor;
      if (batch.events.length === 0) await source.waitForAppend(options.idleMs, stop, cursor);
    }
  } finally {
    linked.dispose();
  }
}

/**
 * Resolves after `ms`, when `signal` aborts, or when `wake` calls its callback (an append in this
 * process, or a head poll that saw the log pass a cursor); never rejects, and leaves no listener
 * behind on any of them.
 */
export function sleepUntil(
  ms: number,
  signal: AbortSignal,
  wake: { on(listener: () => void): void; off(listener: () => void): void },
): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
    wake.on(done);
    function done(): void {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      wake.off(done);
      resolve();
    }
  });
}

/** Resolves after `ms`, or at once when `signal` aborts; never rejects. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
    function done(): void {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
  });
}
