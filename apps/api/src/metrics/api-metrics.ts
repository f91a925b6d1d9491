import type { OperationsSnapshot } from '@ledger/ledger';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

/** Request time buckets, in seconds: the bars are 20 ms (reads) and 50 ms (read-your-writes). */
const LATENCY_BUCKETS = [0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5];

type Labels<T extends string> = Partial<Record<T, string | number>>;

/**
 * This process's metrics in the Prometheus text format (prom-client, a maintained library):
 * Node's own (event-loop lag, heap, GC, handles) and the ledger's. Counters count what this
 * process did since it started; gauges are read from `snapshot` at each scrape, and a part it
 * cannot read (the store down) is left out of that scrape instead of failing it.
 */
export class ApiMetrics {
  readonly registry = new Registry();
  private readonly requests = this.counter(
    'ledger_http_requests_total',
    ['method', 'route', 'status'],
    'HTTP requests answered, by method, route pattern and status',
  );
  private readonly latency = new Histogram({
    name: 'ledger_http_request_duration_seconds',
    help: 'Time from request to answer, by method, route pattern and status',
    labelNames: ['method', 'route', 'status'],
    buckets: LATENCY_BUCKETS,
    registers: [this.registry],
  });
  private readonly commands = this.counter(
    'ledger_commands_total',
    ['command', 'outcome'],
    'Commands executed (awards, redemptions, reversals …), by command and outcome: ok or the refusal code',
  );
  private readonly problems = this.counter(
    'ledger_problems_total',
    ['code', 'status'],
    'Error answers by problem code and status (STORE_UNAVAILABLE: the store could not be reached)',
  );
  private readonly lag = this.gauge(
    'ledger_projection_lag_events',
    ['projection'],
    'Events a projection still has to apply (counted up to 10,000)',
  );
  private readonly held = this.gauge(
    'ledger_projection_held',
    ['projection'],
    'Projections this process runs under its lease (1), by projection',
  );
  private readonly lease = this.gauge(
    'ledger_projection_lease',
    ['projection', 'holder'],
    'Who holds each projection (any process: an API or a worker), 1 per projection; holder "none" when free',
  );
  private readonly jobs = this.gauge(
    'ledger_jobs',
    ['status'],
    'Jobs kept in the queue, by status',
  );

  constructor(private readonly snapshot: () => Promise<OperationsSnapshot>) {
    collectDefaultMetrics({ register: this.registry });
  }

  request(method: string, route: string, status: number, seconds: number): void {
    const labels = { method, route, status: String(status) };
    this.requests.inc(labels);
    this.latency.observe(labels, seconds);
  }

  command(command: string, outcome: string): void {
    this.commands.inc({ command, outcome });
  }

  problem(code: string, status: number): void {
    this.problems.inc({ code, status: String(status) });
  }

  /** The scrape: the gauges read afresh, then everything in the text format. */
  async text(): Promise<string> {
    const now = await this.snapshot();
    setAll(
      this.lag,
      Object.entries(now.lag ?? {}).map(([projection, n]) => [{ projection }, n]),
    );
    setAll(
      this.held,
      now.held.map((projection) => [{ projection }, 1]),
    );
    setAll(
      this.lease,
      Object.entries(now.holders ?? {}).map(([projection, holder]) => [
        { projection, holder: holder ?? 'none' },
        1,
      ]),
    );
    setAll(
      this.jobs,
      Object.entries(now.jobs ?? {}).map(([status, n]) => [{ status }, n]),
    );
    return this.registry.metrics();
  }

  private counter<T extends string>(name: string, labelNames: T[], help: string): Counter<T> {
    return new Counter({ name, help, labelNames, registers: [this.registry] });
  }

  private gauge<T extends string>(name: string, labelNames: T[], help: string): Gauge<T> {
    return new Gauge({ name, help, labelNames, registers: [this.registry] });
  }
}

function setAll<T extends string>(gauge: Gauge<T>, values: [Labels<T>, number][]): void {
  gauge.reset();
  for (const [labels, value] of values) gauge.set(labels, value);
}
