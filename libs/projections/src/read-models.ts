import type { EventStore, LogCursor, SqlClient, SqlQuery } from '@ledger/event-store';
import { EventEmitter } from 'node:events';
import { readCheckpoints, readModelsDdl, type Checkpoint } from './checkpoints';
import type { Projection } from './projection';
import { PROJECTIONS, type ProjectionName } from './projections';
import type { ReadDb } from './read-db';
import { MIN_POSITION_WAIT_MS, ReadYourWrites } from './read-your-writes';
import { ProjectionRunner } from './runner';

const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

/**
 * The read side of one deployment: every projection's tables in one schema with their
 * checkpoints (checkpoints.ts), the runner that applies the log to them (runner.ts), and
 * read-your-writes waiting (read-your-writes.ts). Queries run on it as a `ReadDb`.
 */
export class ReadModels implements ReadDb {
  /** Runners in this process emit `batch` here; waiting reads listen. */
  private readonly progress = new EventEmitter();
  private readonly runner: ProjectionRunner;
  private readonly waits: ReadYourWrites;

  private constructor(
    store: EventStore,
    private readonly sql: SqlClient,
    readonly schema: string,
    timeZone: string,
    readonly projections: readonly Projection[],
  ) {
    this.progress.setMaxListeners(0);
    this.runner = new ProjectionRunner(store, sql, schema, timeZone, projections, this.progress);
    const names = projections.map((p) => p.name);
    this.waits = new ReadYourWrites(store, sql, schema, names, this.progress);
  }

  static async open(
    store: EventStore,
    sql: SqlClient,
    options: { schema: string; timeZone: string; projections?: readonly Projection[] },
  ): Promise<ReadModels> {
    if (!SCHEMA_NAME.test(options.schema))
      throw new Error(`bad read-model schema ${options.schema}`);
    const projections = options.projections ?? PROJECTIONS;
    const s = options.schema;
    await sql.exec(`create schema if not exists ${s};\n${readModelsDdl(s, projections)}`);
    return new ReadModels(store, sql, s, options.timeZone, projections);
  }

  /** Whether the live runners are on (a replay pauses them and puts them back as they were). */
  get isRunning(): boolean {
    return this.runner.isRunning;
  }

  /** Starts one catch-up subscription per projection (idempotent). */
  start(): void {
    this.runner.start();
  }

  stop(): Promise<void> {
    return this.runner.stop();
  }

  /** Applies everything up to the head now (or up to and including `until`): tests, rebuilds, the CLI. */
  catchUp(
    options: { until?: LogCursor; onProgress?: (applied: number) => void } = {},
  ): Promise<number> {
    return this.runner.catchUp(options);
  }

  checkpoints(): Promise<Checkpoint[]> {
    return readCheckpoints(this.sql, this.schema);
  }

  /** A write this process acknowledged: every later read waits until the read models hold it. */
  noteWritten(position: number): void {
    this.waits.noteWritten(position);
  }

  /** Read-your-writes over every projection (see ReadYourWrites). */
  waitFor(position = 0, timeoutMs = MIN_POSITION_WAIT_MS): Promise<void> {
    return this.waits.waitFor(undefined, position, timeoutMs);
  }

  /** The same for a read that uses only `projections`: the others may lag without delaying it. */
  waitForProjections(
    projections: readonly ProjectionName[],
    position = 0,
    timeoutMs = MIN_POSITION_WAIT_MS,
  ): Promise<void> {
    return this.waits.waitFor(projections, position, timeoutMs);
  }

  /** Resolves when every projection has applied everything the log held when this was called. */
  waitForHead(timeoutMs = MIN_POSITION_WAIT_MS): Promise<void> {
    return this.waits.waitForHead(timeoutMs);
  }

  query<R>(text: string, params: readonly unknown[] = []): Promise<{ rows: R[] }> {
    return this.sql.query<R>(text, params);
  }

  read<T>(work: (query: SqlQuery) => Promise<T>): Promise<T> {
    return this.sql.transaction(work);
  }
}
