import { EventEmitter, getEventListeners } from 'node:events';
import { linkedAbort } from './abort';
import type { ReadAllResult, StoredEvent } from './event-store.port';
import { pollingSubscription, sleepUntil } from './subscription';

/** Node keeps the signals `AbortSignal.any` made from a source under this symbol (Node 20+). */
function dependants(signal: AbortSignal): number {
  const key = Object.getOwnPropertySymbols(signal).find(
    (s) => s.description === 'kDependantSignals',
  );
  const set = key
    ? (signal as unknown as Record<symbol, Set<unknown> | undefined>)[key]
    : undefined;
  return set?.size ?? 0;
}

describe('linkedAbort', () => {
  it('aborts when any source aborts, and unlinks itself from the others', () => {
    const a = new AbortController();
    const b = new AbortController();
    const linked = linkedAbort([a.signal, undefined, b.signal]);
    expect(linked.signal.aborted).toBe(false);
    b.abort();
    expect(linked.signal.aborted).toBe(true);
    expect(getEventListeners(a.signal, 'abort')).toHaveLength(0);
  });

  it('is aborted at once when a source already is, and dispose leaves no listener', () => {
    const done = new AbortController();
    done.abort();
    expect(linkedAbort([done.signal]).signal.aborted).toBe(true);
    const live = new AbortController();
    const linked = linkedAbort([live.signal]);
    expect(getEventListeners(live.signal, 'abort')).toHaveLength(1);
    linked.dispose();
    expect(getEventListeners(live.signal, 'abort')).toHaveLength(0);
    live.abort();
    expect(linked.signal.aborted).toBe(false);
  });
});

describe('sleepUntil', () => {
  it('wakes on the callback, on abort or on time, and leaves no listener behind', async () => {
    const appended = new EventEmitter();
    const wake = {
      on: (l: () => void) => appended.once('append', l),
      off: (l: () => void) => appended.off('append', l),
    };
    const stop = new AbortController();
    const woken = sleepUntil(60_000, stop.signal, wake);
    appended.emit('append');
    await woken;
    const timed = Date.now();
    await sleepUntil(5, stop.signal, wake);
    expect(Date.now() - timed).toBeGreaterThanOrEqual(4);
    const aborted = sleepUntil(60_000, stop.signal, wake);
    stop.abort();
    await aborted;
    expect(appended.listenerCount('append')).toBe(0);
    expect(getEventListeners(stop.signal, 'abort')).toHaveLength(0);
  });
});

describe('pollingSubscription', () => {
  it('idles any number of polls without growing what a process-long signal holds', async () => {
    // The leak the soak found: every idle poll combined the store's `closing` signal with a new
    // one through AbortSignal.any, and Node 20 keeps each of those for as long as `closing` lives.
    const closed = new AbortController();
    const stop = new AbortController();
    const appended = new EventEmitter();
    let polls = 0;
    const source = {
      readAll: (after: string): Promise<ReadAllResult> => {
        polls++;
        if (polls === 2000) stop.abort();
        return Promise.resolve({ events: [], cursor: after });
      },
      waitForAppend: (idleMs: number, signal: AbortSignal) =>
        sleepUntil(idleMs, signal, {
          on: (l) => appended.once('append', l),
          off: (l) => appended.off('append', l),
        }),
    };
    const seen: StoredEvent[] = [];
    for await (const event of pollingSubscription(source, {
      idleMs: 0,
      closed: closed.signal,
      signal: stop.signal,
    }))
      seen.push(event);
    expect(polls).toBe(2000);
    expect(seen).toEqual([]);
    expect(dependants(closed.signal)).toBe(0);
    expect(dependants(stop.signal)).toBe(0);
    expect(getEventListeners(closed.signal, 'abort')).toHaveLength(0);
    expect(appended.listenerCount('append')).toBe(0);
  });
});
