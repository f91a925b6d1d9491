import autocannon from 'autocannon';
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { join } from 'node:path';
import type { Sample } from './measure';

/** A server of servers.ts, running in its own process. */
export interface Server {
  readonly port: number;
  stop(): Promise<void>;
}

/** Starts `kind` (bare, bare-pg, api) in a child process and waits until it listens. */
export async function startServer(
  kind: 'bare' | 'bare-pg' | 'api',
  env: Record<string, string>,
): Promise<Server> {
  // BENCH_CPU_PROF=<dir>: the API writes a CPU profile there when it stops (docs/benchmarks.md).
  const profile =
    kind === 'api' && process.env.BENCH_CPU_PROF
      ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`]
      : [];
  const child = spawn(process.execPath, [...profile, join(__dirname, 'servers.js'), kind], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  // A server left behind by a bench that died would hold its port and its share of the CPU.
  const orphan = () => child.kill('SIGKILL');
  process.once('exit', orphan);
  const ended = () => child.exitCode !== null || child.signalCode !== null;
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`server ${kind} did not listen within 60 s`));
    }, 60_000);
    const lines = createInterface({ input: child.stdout });
    lines.on('line', (line) => {
      if (!line.startsWith('{"port":')) return;
      clearTimeout(timer);
      resolve((JSON.parse(line) as { port: number }).port);
    });
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`server ${kind} exited (${String(code ?? signal)})`));
    });
  });
  return {
    port,
    stop: () =>
      new Promise<void>((resolve) => {
        process.removeListener('exit', orphan);
        if (ended()) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
        setTimeout(() => child.kill('SIGKILL'), 10_000).unref();
      }),
  };
}

/** What autocannon sends: a method, a path (and body) per request, headers. */
export interface Shot {
  port: number;
  method: 'GET' | 'POST';
  path: (i: number) => string;
  body?: (i: number) => unknown;
  headers?: Record<string, string>;
}

/**
 * Keep-alive load from autocannon with `connections` connections for `seconds`: answers per
 * second (2xx only; any other answer or a connection error fails the run, a benchmark of errors
 * being no benchmark) and autocannon's latency percentiles.
 */
export async function cannon(
  shot: Shot,
  options: { seconds: number; connections: number },
): Promise<Sample> {
  let i = 0;
  const result = await autocannon({
    url: `http://127.0.0.1:${shot.port}`,
    connections: options.connections,
    duration: options.seconds,
    requests: [
      {
        method: shot.method,
        setupRequest: (request) => {
          const n = i++;
          const body = shot.body?.(n);
          return {
            ...request,
            path: shot.path(n),
            headers: {
              ...shot.headers,
              ...(body !== undefined && { 'content-type': 'application/json' }),
            },
            ...(body !== undefined && { body: JSON.stringify(body) }),
          };
        },
      },
    ],
  });
  if (result.non2xx > 0 || result.errors > 0)
    throw new Error(
      `${shot.method} ${shot.path(0)}: ${result.non2xx} answers not 2xx, ${result.errors} errors`,
    );
  return {
    rate: result['2xx'] / result.duration,
    latenciesMs: [],
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
  };
}
