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

async function once(agent: Agent, target: Target, i: number): Promise<void> {
  const path = target.path(i);
  const answer = await send(agent, target.port, target.method, path, {
    headers: target.headers,
    body: target.body?.(i),
  });
  if (answer.status < 200 || answer.status >= 300)
    throw new Error(`${target.method} ${path}: ${answer.status} ${answer.text.slice(0, 300)}`);
}

/** One request on 127.0.0.1 over `agent` (keep-alive): the status and the body as text. */
export function send(
  agent: Agent,
  port: number,
  method: string,
  path: string,
  options: { headers?: Record<string, string>; body?: unknown } = {},
): Promise<{ status: number; text: string }> {
  const payload = options.body !== undefined ? JSON.stringify(options.body) : undefined;
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        method,
        path,
        agent,
        headers: {
          ...options.headers,
          ...(payload !== undefined && {
            'content-type': 'application/json',
            'content-length': Buffer.byteLength(payload),
          }),
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString() }),
        );
      },
    );
    req.on('error', reject);
    if (payload !== undefined) req.write(payload);
    req.end();
  });
}
