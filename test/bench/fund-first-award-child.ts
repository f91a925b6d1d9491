/**
 * The fund-first-award row's subject, in a process of its own (a start is what it measures):
 * opens the year kept in `BENCH_YEAR_SCHEMA`, makes one award at `BENCH_AT` through the ledger's
 * handlers, and prints one JSON line: its milliseconds, and the open book it went to (events,
 * reservations held, the state's size serialised).
 */
import { fundBookStream, fundDecider } from '@ledger/domain';
import { openPostgresDatabase } from '@ledger/event-store';
import { FundBooks } from '@ledger/ledger';
import { ledgerProcess, requestOf } from '@ledger/ledger/testing';
import { serialize } from 'node:v8';
import { awardAt } from './fund-year';

async function main(): Promise<void> {
  const at = Number(required('BENCH_AT'));
  const { events } = await openPostgresDatabase({
    connectionString: required('DATABASE_URL'),
    schema: required('BENCH_YEAR_SCHEMA'),
    poolSize: 4,
  });
  try {
    // Connections are the start's, not the award's: the API opens its pool at start-up and its
    // first reads of the log (recovery, projections) are made before it serves. So is this
    // child's, with one read of the events table on each of its four connections.
    await Promise.all([0, 1, 2, 3].map((i) => events.readStream(`warm-up-${i}`, { limit: 1 })));
    const p = ledgerProcess(events);
    const started = performance.now();
    const outcome = await awardAt(p, 17, at);
    const ms = performance.now() - started;
    if ('code' in outcome) throw new Error(`${outcome.code}: ${outcome.detail}`);
    const request = { ...requestOf(), context: { ...requestOf().context, now: new Date(at) } };
    const book = await FundBooks.of(p.writer).bookOf('f1', request);
    const stream = fundBookStream('f1', book);
    const { state } = await p.writer.read(fundDecider, stream, 'Asia/Shanghai');
    const bookEvents = (await events.readStream(stream)).length;
    console.log(
      JSON.stringify({
        ms,
        book: book || '(first stream)',
        bookEvents,
        reservations: state.reservations.size,
        stateBytes: serialize(state).length,
      }),
    );
  } finally {
    await events.close();
  }
}

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
}

void main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
