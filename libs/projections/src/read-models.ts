import type { EventStore, SqlClient, SqlQuery } from '@ledger/event-store';
import { EventEmitter } from 'node:events';
import { readCheckpoints, readModelsDdl, type Checkpoint } from './checkpoints';
import type { Projection } from './projection';
import { PROJECTIONS, type ProjectionName } from './projections';
import type { ReadDb } from './read-db';
import { MIN_POSITION_WAIT_MS, ReadYourWrites, type WrittenTo } from './read-your-writes';
import { DEFAULT_LEASE_MS, ProjectionLeases, runnerId, type LeaseHolder } from './leases';
import { ProjectionRunner } from './runner';

const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

/** How this process runs projections when started (runner.ts, leases.ts). */
export interface RunningOptions {
  /** A projection's lease: another process takes it over this long after its holder stops renewing. */
  readonly leaseMs?: number;
  /** No other process can open the store (the embedded folder). */
  readonly alone?: boolean;
}

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
    running: RunningOptions,
  ) {
    this.progress.setMaxListeners(0);
    const leases = new ProjectionLeases(
      sql,
      schema,
      runnerId(),
      running.leaseMs ?? DEFAULT_LEASE_MS,
    );
    this.runner = new ProjectionRunner(
      store,
      sql,
      schema,
      timeZone,
      projections,
      this.progress,
      leases,
      running.alone ?? false,
    );
    const names = projections.map((p) => p.name);
    this.waits = new ReadYourWrites(store, sql, schema, names, this.progress);
  }

  static async open(
    store: EventStore,
    sql: SqlClient,
    options: {
      schema: string;
      timeZone: string;
      projections?: readonly Projection[];
    } & RunningOptions,
  ): Promise<ReadModels> {
    if (!SCHEMA_NAME.test(options.schema))
      throw new Error(`bad read-model schema ${options.schema}`);
    const projections = options.projections ?? PROJECTIONS;
    const s = options.schema;
    await sql.exec(`create schema if not exists ${s};\n${readModelsDdl(s, projections)}`);
    return new ReadModels(store, sql, s, options.timeZone, projections, options);
  }

  /** Whether the live runners are on (a replay pauses them and puts them back as they were). */
  get isRunning(): boolean {
    return this.runner.isRunning;
  }

  /**
   * Follows the log for this process's share of the projections, under leases (idempotent);
   * resolves once the free ones are taken.
   */
  start(): Promise<void> {
    return this.runner.start();
  }

  /** This process's name in the lease table, and the projections it follows now. */
  runnerState(): { process: string; held: string[] } {
    return { process: this.runner.holder, held: this.runner.held() };
  }

  /** Who holds each projection's lease now. */
  leaseHolders(): Promise<LeaseHolder[]> {
    return this.runner.holders();
  }

  stop(): Promise<void> {
    return this.runner.stop();
  }

  /** Applies everything up to the head now (or up to and including `until`): tests, rebuilds, the CLI. */
  catchUp(options: Parameters<ProjectionRunner['catchUp']>[0] = {}): Promise<number> {
    return this.runner.catchUp(options);
  }

  checkpoints(): Promise<Checkpoint[]> {
    return readCheckpoints(this.sql, this.schema);
  }

  /** A write this process acknowledged: later reads wait until the read models hold it. */
  noteWritten(position: number, stream?: WrittenTo): void {
    this.waits.noteWritten(position, stream);
  }

  /** Read-your-writes over every projection (see ReadYourWrites). */
  waitFor(position = 0, timeoutMs = MIN_POSITION_WAIT_MS): Promise<void> {
    return this.waits.waitFor(undefined, position, timeoutMs);
  }

  /**
   * The same for a read that uses only `projections`: the others may lag without delaying it;
   * a read of one rider (`riderId`) waits only for the writes it depends on.
   */
  waitForProjections(
    projections: readonly ProjectionName[],
    position = 0,
    timeoutMs = MIN_POSITION_WAIT_MS,
    riderId?: string,
  ): Promise<void> {
    return this.waits.waitFor(projections, position, timeoutMs, riderId);
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
