import { Agent, request } from 'node:http';
import { throughput, type Sample } from './measure';

export interface Target {
  port: number;
  method: 'GET' | 'POST';
  /** A path per request (so each can differ: idempotency keys, riders). */
  path: (i: number) => string;
  body?: (i: number) => unknown;
  headers?: Record<string, string>;
}

/**
 * Keep-alive HTTP load on 127.0.0.1 with `connections` sockets, each a loop of requests. Counts
 * only 2xx answers as done; anything else fails the run (a benchmark of errors is no benchmark).
 */
export async function httpLoad(
  target: Target,
  options: { seconds: number; connections: number; maxRequests?: number },
): Promise<Sample> {
  const agent = new Agent({ keepAlive: true, maxSockets: options.connections });
  try {
    return await throughput((_worker, i) => once(agent, target, i), {
      seconds: options.seconds,
      workers: options.connections,
      ...(options.maxRequests && { maxOps: options.maxRequests }),
    });
  } finally {
    agent.destroy();
  }
}

function once(agent: Agent, target: Target, i: number): Promise<void> {
  const payload = target.body ? JSON.stringify(target.body(i)) : undefined;
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port: target.port,
        method: target.method,
        path: target.path(i),
        agent,
        headers: {
          ...target.headers,
          ...(payload !== undefined && {
            'content-type': 'application/json',
            'content-length': Buffer.byteLength(payload),
          }),
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const status = res.statusCode ?? 0;
          if (status >= 200 && status < 300) resolve();
          else
            reject(
              new Error(
                `${target.method} ${target.path(i)}: ${status} ${Buffer.concat(chunks).toString().slice(0, 300)}`,
              ),
            );
        });
      },
    );
    req.on('error', reject);
    if (payload !== undefined) req.write(payload);
    req.end();
  });
}
